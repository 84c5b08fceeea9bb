package dev.sabir.server.router;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.Capability;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.FileOffer;
import dev.sabir.server.store.StoreException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ordered queue of deliveries to one destination endpoint. One delivery is in flight at a time,
 * so a later edit or reply is adapted only after the message it refers to has its remote id. All
 * state is confined to the outbox's own {@link Lane}; the public-facing methods only enqueue.
 *
 * <p>Bounded: when {@code maxQueue} deliveries wait, {@code drop-oldest} drops the oldest waiting
 * one that is not in flight, {@code drop-newest} refuses the new one. Dropped durable deliveries
 * are marked {@code dropped} in the store and counted.
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(Outbox.class);

    /** Unexpected (non-DeliveryException) failures in a row before a delivery is dropped. */
    static final int MAX_ERRORS = 5;

    /** What every outbox shares. */
    record Env(
            DeliveryStore store,
            DoneLog doneLog,
            MessageMap map,
            Degrader degrader,
            RouterMetrics metrics,
            ScheduledExecutorService timers,
            Function<Address, Attachment> attachments,
            AtomicLong pendingCount,
            int maxQueue,
            boolean dropNewest,
            Duration deliverTimeout,
            Duration retryBase,
            Duration retryMax) {}

    private final Env env;
    private final String key;
    private final Address account;
    private final Lane<Runnable> lane;

    // Confined to the lane.
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private Pending inFlight;
    private boolean inFlightWasFile;

    /** Deliveries whose native file transfer was refused: sent again as a link. */
    private final java.util.Set<Long> linkFallback = new java.util.HashSet<>();

    private long attempt;
    private long inFlightGeneration;
    private int failures;
    private long retryToken;
    private ScheduledFuture<?> retry;

    Outbox(Env env, String key, Address account, Lane<Runnable> lane) {
        this.env = env;
        this.key = key;
        this.account = account;
        this.lane = lane;
    }

    /** The account whose session carries this outbox's deliveries. */
    Address account() {
        return account;
    }

    /** Queues a delivery. */
    void offer(Pending p) {
        lane.offer(() -> enqueue(p));
    }

    /** The session (re)attached: try again now. */
    void attached() {
        lane.offer(
                () -> {
                    cancelRetry();
                    failures = 0;
                    Attachment att = env.attachments().apply(account);
                    if (inFlight != null && att != null && att.generation() != inFlightGeneration) {
                        // The old session's answer no longer counts; resend with the new one.
                        inFlight = null;
                        attempt++;
                    }
                    pump();
                });
    }

    /** The session went away: transient events are dropped, durable ones wait. */
    void detached() {
        lane.offer(
                () -> {
                    cancelRetry();
                    queue.removeIf(p -> !p.durable() && p != inFlight);
                });
    }

    private void enqueue(Pending p) {
        if (!p.durable() && env.attachments().apply(account) == null) {
            return;
        }
        if (queue.size() >= env.maxQueue()) {
            if (env.dropNewest()) {
                drop(p, "queue-full");
                return;
            }
            Pending victim = oldestWaiting();
            if (victim == null) {
                drop(p, "queue-full");
                return;
            }
            queue.remove(victim);
            drop(victim, "queue-full");
        }
        queue.addLast(p);
        pump();
    }

    private Pending oldestWaiting() {
        Iterator<Pending> it = queue.iterator();
        while (it.hasNext()) {
            Pending p = it.next();
            if (p != inFlight) {
                return p;
            }
        }
        return null;
    }

    private void pump() {
        while (inFlight == null && retry == null && !queue.isEmpty()) {
            Attachment att = env.attachments().apply(account);
            if (att == null) {
                return;
            }
            Pending p = queue.peekFirst();
            Delivery d;
            try {
                Set<Capability> caps = att.capabilities();
                if (linkFallback.contains(p.id())) {
                    caps = withoutFiles(caps);
                }
                d = prepare(p, caps);
            } catch (StoreException e) {
                LOG.warn("{}: cannot prepare delivery {}: {}", key, p.id(), e.getMessage());
                failures++;
                scheduleRetry();
                return;
            } catch (RuntimeException e) {
                LOG.warn("{}: dropping delivery {} that cannot be adapted", key, p.id(), e);
                queue.pollFirst();
                drop(p, "error");
                continue;
            }
            if (d == null) {
                // Nothing the destination can carry (e.g. typing where there is none).
                queue.pollFirst();
                finish(p, null, false);
                continue;
            }
            inFlight = p;
            inFlightWasFile = d.event() instanceof FileOffer;
            inFlightGeneration = att.generation();
            long token = ++attempt;
            CompletionStage<String> stage;
            try {
                stage = att.session().deliver(d);
                if (stage == null) {
                    stage = CompletableFuture.failedFuture(new IllegalStateException("no result"));
                }
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            withTimeout(stage)
                    .whenComplete(
                            (remoteId, error) ->
                                    lane.offer(() -> completed(p, token, remoteId, error)));
            return;
        }
    }

    private CompletableFuture<String> withTimeout(CompletionStage<String> stage) {
        CompletableFuture<String> out = new CompletableFuture<>();
        ScheduledFuture<?> timer = null;
        try {
            timer =
                    env.timers()
                            .schedule(
                                    () ->
                                            out.completeExceptionally(
                                                    new TimeoutException("delivery timed out")),
                                    env.deliverTimeout().toMillis(),
                                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // Shutting down: no timer needed.
        }
        ScheduledFuture<?> t = timer;
        stage.whenComplete(
                (v, e) -> {
                    if (t != null) {
                        t.cancel(false);
                    }
                    if (e != null) {
                        out.completeExceptionally(e);
                    } else {
                        out.complete(v);
                    }
                });
        return out;
    }

    private void completed(Pending p, long token, String remoteId, Throwable error) {
        if (token != attempt || inFlight != p) {
            return;
        }
        inFlight = null;
        if (error == null) {
            queue.pollFirst();
            failures = 0;
            finish(p, remoteId, true);
            pump();
            return;
        }
        Throwable cause = unwrap(error);
        if (cause instanceof DeliveryException de
                && !de.retryable()
                && inFlightWasFile
                && linkFallback.add(p.id())) {
            // The network has file transfer, but not with this peer: offer the file as a link.
            LOG.info(
                    "{}: native file transfer refused ({}), offering delivery {} as a link",
                    key,
                    de.getMessage(),
                    p.id());
            pump();
            return;
        }
        if (cause instanceof DeliveryException de && !de.retryable()) {
            env.metrics().failed(account, false);
            LOG.warn("{}: delivery {} refused for good: {}", key, p.id(), de.getMessage());
            queue.pollFirst();
            failures = 0;
            drop(p, "permanent");
            pump();
            return;
        }
        env.metrics().failed(account, true);
        failures++;
        boolean expected = cause instanceof DeliveryException || cause instanceof TimeoutException;
        if (!expected && failures >= MAX_ERRORS) {
            LOG.warn("{}: dropping delivery {} after {} errors", key, p.id(), failures, cause);
            queue.pollFirst();
            failures = 0;
            drop(p, "error");
            pump();
            return;
        }
        Attachment att = env.attachments().apply(account);
        if (att == null || att.generation() != inFlightGeneration) {
            // Another session (or none) now: it gets the delivery when it is there.
            pump();
            return;
        }
        LOG.debug("{}: delivery {} failed ({}), retrying", key, p.id(), cause.toString());
        scheduleRetry();
    }

    /** A delivery left the queue successfully (or was degraded away). */
    private static Set<Capability> withoutFiles(Set<Capability> caps) {
        java.util.EnumSet<Capability> out = java.util.EnumSet.noneOf(Capability.class);
        out.addAll(caps);
        out.remove(Capability.FILES);
        return out;
    }

    private void finish(Pending p, String remoteId, boolean sent) {
        linkFallback.remove(p.id());
        if (!p.durable()) {
            return;
        }
        env.doneLog().add(p, remoteId);
        env.pendingCount().decrementAndGet();
        if (sent) {
            env.metrics().routed(p.target().link(), account);
        }
    }

    private void drop(Pending p, String reason) {
        linkFallback.remove(p.id());
        env.metrics().dropped(account, reason);
        if (!p.durable()) {
            return;
        }
        LOG.debug("{}: delivery {} dropped ({})", key, p.id(), reason);
        try {
            env.store().markDropped(p.id());
        } catch (StoreException e) {
            LOG.error("{}: cannot mark delivery {} dropped: {}", key, p.id(), e.getMessage());
        }
        env.pendingCount().decrementAndGet();
    }

    private void scheduleRetry() {
        long delay =
                Math.min(
                        env.retryMax().toMillis(),
                        env.retryBase().toMillis() << Math.min(20, Math.max(0, failures - 1)));
        long token = ++retryToken;
        try {
            retry =
                    env.timers()
                            .schedule(
                                    () ->
                                            lane.offer(
                                                    () -> {
                                                        if (token == retryToken) {
                                                            retry = null;
                                                            pump();
                                                        }
                                                    }),
                                    delay,
                                    TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            retry = null;
        }
    }

    private void cancelRetry() {
        retryToken++;
        if (retry != null) {
            retry.cancel(false);
            retry = null;
        }
    }

    /** Turns a stored delivery into what the destination session receives. */
    private Delivery prepare(Pending p, Set<Capability> caps) {
        Address dest = p.target().destination();
        BridgeEvent e = p.event();
        if (e instanceof ChatMessage m) {
            ChatMessage out = env.degrader().chat(m.withConversation(dest), refs(p, m), caps);
            String text = Templates.render(p.target().format(), m.sender(), p.source(), out.text());
            return new Delivery(p.id(), dest, out, p.source(), text);
        }
        if (e instanceof FileOffer f) {
            BridgeEvent out = env.degrader().file(f.withConversation(dest), caps);
            String shown = out instanceof ChatMessage cm ? cm.text() : f.name();
            String text = Templates.render(p.target().format(), f.sender(), p.source(), shown);
            return new Delivery(p.id(), dest, out, p.source(), text);
        }
        BridgeEvent out = env.degrader().transientEvent(Degrader.readdress(e, dest), caps);
        return out == null ? null : new Delivery(p.id(), dest, out, p.source(), "");
    }

    private Degrader.Refs refs(Pending p, ChatMessage m) {
        if (m.replyTo() == null && m.editOf() == null && m.retractOf() == null) {
            return Degrader.Refs.NONE;
        }
        env.doneLog().flush();
        MessageMap map = env.map();
        String target = p.target().key();
        String replyTo =
                m.replyTo() == null ? null : map.translate(p.sourceKey(), m.replyTo(), target);
        String editOf =
                m.editOf() == null ? null : map.translate(p.sourceKey(), m.editOf(), target);
        String retractOf =
                m.retractOf() == null ? null : map.translate(p.sourceKey(), m.retractOf(), target);
        MessageMap.Quote quote =
                m.replyTo() == null ? null : map.quote(p.sourceKey(), m.replyTo()).orElse(null);
        return new Degrader.Refs(replyTo, editOf, retractOf, quote);
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
