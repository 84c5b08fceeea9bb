package dev.sabir.testkit;

import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.EventSink;
import dev.sabir.api.SessionState;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** An {@link EventSink} that records events and lets tests wait for them. */
public final class RecordingSink implements EventSink {
    private final List<BridgeEvent> events = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();

    @Override
    public void accept(BridgeEvent event) {
        events.add(event);
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    /** Everything received so far. */
    public List<BridgeEvent> events() {
        return List.copyOf(events);
    }

    /** The chat messages received so far. */
    public List<ChatMessage> messages() {
        return events.stream()
                .filter(ChatMessage.class::isInstance)
                .map(ChatMessage.class::cast)
                .toList();
    }

    /** Forgets what was received. */
    public void clear() {
        events.clear();
    }

    /**
     * Waits for an event of a type matching a predicate.
     *
     * @throws AssertionError when none arrives in time, listing what did arrive
     */
    public <T extends BridgeEvent> T awaitEvent(
            Class<T> type, Predicate<T> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            for (BridgeEvent e : events) {
                if (type.isInstance(e) && match.test(type.cast(e))) {
                    return type.cast(e);
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(
                        "no matching "
                                + type.getSimpleName()
                                + " within "
                                + timeout
                                + "; got "
                                + events);
            }
            synchronized (lock) {
                try {
                    lock.wait(Math.max(1, Math.min(50, left / 1_000_000)));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted", ie);
                }
            }
        }
    }

    /** Waits for a chat message matching a predicate. */
    public ChatMessage awaitMessage(Predicate<ChatMessage> match, Duration timeout) {
        return awaitEvent(ChatMessage.class, match, timeout);
    }

    /** Waits for a chat message whose text contains a token. */
    public ChatMessage awaitText(String token, Duration timeout) {
        return awaitMessage(m -> m.text().contains(token), timeout);
    }

    /** Waits for a session state. */
    public SessionState awaitState(SessionState.State state, Duration timeout) {
        return awaitEvent(SessionState.class, s -> s.state() == state, timeout);
    }

    /** The last session state reported, or null. */
    public SessionState.State lastState() {
        SessionState.State last = null;
        for (BridgeEvent e : events) {
            if (e instanceof SessionState s) {
                last = s.state();
            }
        }
        return last;
    }
}
