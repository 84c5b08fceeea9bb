package dev.sabir.jabberft;

import dev.sabir.api.DeliveryException;
import dev.sabir.jabberft.codec.Stanzas;
import dev.sabir.jabberft.codec.XmlElement;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Outgoing IQ requests waiting for their result or error: matched by id and by the JID they were
 * sent to, failed with a retryable {@link DeliveryException} when no answer comes in time.
 */
final class IqTracker {
    private record Pending(
            String to, CompletableFuture<XmlElement> future, ScheduledFuture<?> timer) {}

    private final String self;
    private final Predicate<String> sender;
    private final ScheduledExecutorService scheduler;
    private final Duration timeout;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final String prefix = "jft" + Long.toHexString(System.nanoTime() & 0xffffff) + "-";
    private volatile boolean closed;

    /**
     * @param self the component's JID (the {@code from} of every request)
     * @param sender writes a stanza; false when offline
     * @param scheduler the host's scheduler (timeouts)
     * @param timeout how long to wait for an answer
     */
    IqTracker(
            String self,
            Predicate<String> sender,
            ScheduledExecutorService scheduler,
            Duration timeout) {
        this.self = self;
        this.sender = sender;
        this.scheduler = scheduler;
        this.timeout = timeout;
    }

    /** Sends a request; completes with the answer stanza (result or error). */
    CompletableFuture<XmlElement> request(String type, String to, String payload) {
        CompletableFuture<XmlElement> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(DeliveryException.offline("session closed"));
            return f;
        }
        String id = prefix + ids.incrementAndGet();
        ScheduledFuture<?> timer =
                scheduler.schedule(
                        () -> {
                            Pending p = pending.remove(id);
                            if (p != null) {
                                p.future.completeExceptionally(
                                        DeliveryException.offline(
                                                "no answer from "
                                                        + to
                                                        + " in "
                                                        + timeout.toSeconds()
                                                        + "s"));
                            }
                        },
                        timeout.toMillis(),
                        TimeUnit.MILLISECONDS);
        pending.put(id, new Pending(to, f, timer));
        if (!sender.test(Stanzas.iq(type, id, self, to, payload))) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.timer.cancel(false);
            }
            f.completeExceptionally(DeliveryException.offline("component offline"));
        }
        return f;
    }

    /** Hands an answer to its request; false when it answers nothing we asked. */
    boolean answer(XmlElement iq) {
        String id = iq.attr("id");
        if (id == null) {
            return false;
        }
        Pending p = pending.get(id);
        if (p == null || !sameJid(p.to, iq.attr("from"))) {
            return false;
        }
        pending.remove(id);
        p.timer.cancel(false);
        p.future.complete(iq);
        return true;
    }

    /** Fails every waiting request and cancels the timers. */
    void close() {
        closed = true;
        for (String id : pending.keySet()) {
            Pending p = pending.remove(id);
            if (p != null) {
                p.timer.cancel(false);
                p.future.completeExceptionally(DeliveryException.offline("session closed"));
            }
        }
    }

    private static boolean sameJid(String to, String from) {
        return from != null && to.equalsIgnoreCase(from);
    }
}
