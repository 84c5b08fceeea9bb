package dev.sabir.xmpp.support;

import static org.awaitility.Awaitility.await;

import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.EventSink;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** Records events (stand-in for sabir-testkit's RecordingSink until it is installed). */
public final class Sink implements EventSink {
    private final List<BridgeEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(BridgeEvent event) {
        events.add(event);
    }

    /** Everything so far. */
    public List<BridgeEvent> events() {
        return List.copyOf(events);
    }

    /** Waits for an event of a type matching a predicate. */
    public <T extends BridgeEvent> T awaitEvent(Class<T> type, Predicate<T> p, Duration timeout) {
        return await().atMost(timeout)
                .pollInterval(Duration.ofMillis(20))
                .until(
                        () ->
                                events.stream()
                                        .filter(type::isInstance)
                                        .map(type::cast)
                                        .filter(p)
                                        .findFirst()
                                        .orElse(null),
                        e -> e != null);
    }

    /** Waits for a chat message. */
    public ChatMessage awaitMessage(Predicate<ChatMessage> p) {
        return awaitEvent(ChatMessage.class, p, Duration.ofSeconds(10));
    }
}
