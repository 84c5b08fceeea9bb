package dev.sabir.soulseek.support;

import dev.sabir.api.BridgeEvent;
import dev.sabir.api.EventSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** A sink that records events and waits for them. */
public final class Events implements EventSink {
    private final List<BridgeEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(BridgeEvent event) {
        events.add(event);
    }

    /** Everything so far. */
    public List<BridgeEvent> all() {
        return List.copyOf(events);
    }

    /** Waits for an event of a type matching a predicate. */
    public <T extends BridgeEvent> T await(Class<T> type, Predicate<T> p) {
        return Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> find(type, p), x -> x != null);
    }

    /** The first matching event so far, or null. */
    public <T extends BridgeEvent> T find(Class<T> type, Predicate<T> p) {
        for (BridgeEvent e : events) {
            if (type.isInstance(e) && p.test(type.cast(e))) {
                return type.cast(e);
            }
        }
        return null;
    }
}
