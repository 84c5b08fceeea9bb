package dev.sabir.xmpp.gateway;

import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.DirectFileTransport;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileTransports;
import dev.sabir.api.HostContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.jxmpp.jid.EntityFullJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Files for gateway users, handed to their clients directly when they can take them.
 *
 * <p>For a file in a personal account's 1:1 conversation, every {@link DirectFileTransport} another
 * plugin registered for {@link FileTransports#XMPP} is asked whether one of the owner's online
 * resources accepts direct transfers; the first yes (within the ask timeout) wins. The user then
 * gets a short note from the contact's puppet and the transport offers the file. A user who accepts
 * or declines has had the file delivered; an offer that fails goes out as a link right away, and a
 * transfer that fails after acceptance is followed by the link. Without a taker the file goes the
 * link way from the start.
 *
 * <p>Thread-safe: gateway state is touched on the component's loop only; the transports' answers
 * may come on any thread.
 */
public final class DirectFiles {
    private static final Logger LOG = LoggerFactory.getLogger(DirectFiles.class);

    private final String name;
    private final HostContext host;
    private final GatewayService gateway;
    private final Executor loop;
    private final Duration askTimeout;
    private final Duration answerTimeout;
    private final Function<Delivery, CompletableFuture<String>> viaLink;

    /** Deliveries under way, so that closing can end them. */
    private final Set<Pending> pending = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;

    /** One delivery under way and the timers it holds. */
    private static final class Pending {
        final CompletableFuture<String> result = new CompletableFuture<>();
        final List<ScheduledFuture<?>> timers = new ArrayList<>();

        synchronized void hold(ScheduledFuture<?> timer) {
            timers.add(timer);
        }

        synchronized void release() {
            for (ScheduledFuture<?> t : timers) {
                t.cancel(false);
            }
            timers.clear();
        }
    }

    /** The transport and resource that will take a file. */
    private record Choice(DirectFileTransport transport, EntityFullJid recipient) {}

    /**
     * @param name the component's name, for logs
     * @param host host services (transport registry, spool, scheduler)
     * @param gateway the gateway (called on the loop only)
     * @param loop the component's event loop
     * @param askTimeout how long the transports may take to say whether a resource accepts
     * @param answerTimeout how long a user may take to accept or decline an offer
     * @param viaLink the upload-and-link way of delivering a file, completing with the message id
     */
    public DirectFiles(
            String name,
            HostContext host,
            GatewayService gateway,
            Executor loop,
            Duration askTimeout,
            Duration answerTimeout,
            Function<Delivery, CompletableFuture<String>> viaLink) {
        this.name = name;
        this.host = host;
        this.gateway = gateway;
        this.loop = loop;
        this.askTimeout = askTimeout;
        this.answerTimeout = answerTimeout;
        this.viaLink = viaLink;
    }

    /**
     * Delivers a spooled file to a personal account's owner: directly when a transport and a
     * resource take it, otherwise by link.
     *
     * @return completes with the id of the message the user got (the note or the link)
     */
    public CompletableFuture<String> deliver(Delivery d, FileOffer fo) {
        List<DirectFileTransport> transports = host.fileTransports().find(FileTransports.XMPP);
        if (transports.isEmpty() || host.spool().find(fo.spoolId()).isEmpty()) {
            return viaLink.apply(d);
        }
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.offline("session closed"));
        }
        Pending p = new Pending();
        pending.add(p);
        p.result.whenComplete(
                (v, err) -> {
                    pending.remove(p);
                    p.release();
                });
        onLoop(() -> gateway.directTarget(d.destination()))
                .thenCompose(
                        target -> {
                            if (target.isEmpty()) {
                                return viaLink.apply(d);
                            }
                            return choose(p, transports, target.get().resources())
                                    .thenCompose(
                                            c ->
                                                    c.isEmpty()
                                                            ? viaLink.apply(d)
                                                            : offer(
                                                                    p,
                                                                    d,
                                                                    fo,
                                                                    target.get(),
                                                                    c.get()));
                        })
                .whenComplete(
                        (id, err) -> {
                            if (err == null) {
                                p.result.complete(id);
                            } else {
                                p.result.completeExceptionally(unwrap(err));
                            }
                        });
        return p.result;
    }

    /**
     * Asks every transport about every resource at once; the first yes wins, and no yes within the
     * ask timeout means nobody. A transport that fails counts as a no.
     */
    private CompletableFuture<Optional<Choice>> choose(
            Pending p, List<DirectFileTransport> transports, List<EntityFullJid> resources) {
        CompletableFuture<Optional<Choice>> won = new CompletableFuture<>();
        ScheduledFuture<?> timer =
                host.scheduler()
                        .schedule(
                                () -> won.complete(Optional.empty()),
                                askTimeout.toMillis(),
                                TimeUnit.MILLISECONDS);
        p.hold(timer);
        won.whenComplete((c, err) -> timer.cancel(false));
        AtomicInteger left = new AtomicInteger(transports.size() * resources.size());
        for (DirectFileTransport t : transports) {
            for (EntityFullJid r : resources) {
                CompletionStage<Boolean> answer;
                try {
                    answer = t.accepts(r.toString());
                } catch (RuntimeException e) {
                    answer = CompletableFuture.failedFuture(e);
                }
                answer.whenComplete(
                        (yes, err) -> {
                            if (err != null) {
                                LOG.debug(
                                        "component {}: {} could not tell about {}: {}",
                                        name,
                                        t.name(),
                                        r,
                                        unwrap(err).toString());
                            } else if (Boolean.TRUE.equals(yes)) {
                                won.complete(Optional.of(new Choice(t, r)));
                            }
                            if (left.decrementAndGet() == 0) {
                                won.complete(Optional.empty());
                            }
                        });
            }
        }
        return won;
    }

    /** Sends the note, makes the offer and waits for the user's answer. */
    private CompletableFuture<String> offer(
            Pending p, Delivery d, FileOffer fo, GatewayService.DirectTarget target, Choice c) {
        return onLoop(() -> gateway.notice(target, c.recipient(), noticeText(d, fo)))
                .thenCompose(
                        noticeId -> {
                            if (closed) {
                                throw DeliveryException.offline("session closed");
                            }
                            DirectFileTransport.Transfer transfer;
                            try {
                                transfer =
                                        c.transport()
                                                .offer(
                                                        c.recipient().toString(),
                                                        fo,
                                                        description(d, fo));
                            } catch (RuntimeException e) {
                                return fallBack(d, fo, c, e);
                            }
                            return bounded(p, transfer.accepted())
                                    .handle(
                                            (yes, err) -> {
                                                if (closed) {
                                                    return CompletableFuture.<String>failedFuture(
                                                            DeliveryException.offline(
                                                                    "session closed"));
                                                }
                                                if (err != null) {
                                                    return fallBack(d, fo, c, err);
                                                }
                                                if (Boolean.TRUE.equals(yes)) {
                                                    LOG.info(
                                                            "component {}: {} accepted {} by {}"
                                                                    + " (transfer {})",
                                                            name,
                                                            c.recipient(),
                                                            fo.name(),
                                                            c.transport().name(),
                                                            transfer.id());
                                                    watch(d, fo, c, transfer);
                                                } else {
                                                    LOG.info(
                                                            "component {}: {} declined {} (no"
                                                                    + " link sent)",
                                                            name,
                                                            c.recipient(),
                                                            fo.name());
                                                }
                                                return CompletableFuture.completedFuture(noticeId);
                                            })
                                    .thenCompose(f -> f);
                        });
    }

    private CompletableFuture<String> fallBack(Delivery d, FileOffer fo, Choice c, Throwable err) {
        LOG.info(
                "component {}: direct offer of {} to {} failed, sending a link: {}",
                name,
                fo.name(),
                c.recipient(),
                unwrap(err).toString());
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.offline("session closed"));
        }
        return viaLink.apply(d);
    }

    /** After acceptance: a transfer that fails is followed by the link, outside the delivery. */
    private void watch(Delivery d, FileOffer fo, Choice c, DirectFileTransport.Transfer transfer) {
        transfer.finished()
                .whenComplete(
                        (v, err) -> {
                            if (err == null || closed) {
                                return;
                            }
                            LOG.info(
                                    "component {}: transfer {} of {} to {} failed, sending a link:"
                                            + " {}",
                                    name,
                                    transfer.id(),
                                    fo.name(),
                                    c.recipient(),
                                    unwrap(err).toString());
                            try {
                                loop.execute(
                                        () -> {
                                            if (closed) {
                                                return;
                                            }
                                            viaLink.apply(d)
                                                    .whenComplete(
                                                            (id, e) -> {
                                                                if (e != null && !closed) {
                                                                    LOG.info(
                                                                            "component {}: link"
                                                                                    + " for {}"
                                                                                    + " not sent:"
                                                                                    + " {}",
                                                                            name,
                                                                            fo.name(),
                                                                            unwrap(e).toString());
                                                                }
                                                            });
                                        });
                            } catch (RejectedExecutionException e) {
                                // the loop is gone with the host: nothing to send to
                            }
                        });
    }

    /** The user's answer, failing after the answer timeout. */
    private CompletableFuture<Boolean> bounded(Pending p, CompletionStage<Boolean> answer) {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        ScheduledFuture<?> timer =
                host.scheduler()
                        .schedule(
                                () ->
                                        f.completeExceptionally(
                                                new TimeoutException(
                                                        "no answer in "
                                                                + answerTimeout.toSeconds()
                                                                + " s")),
                                answerTimeout.toMillis(),
                                TimeUnit.MILLISECONDS);
        p.hold(timer);
        answer.whenComplete(
                (yes, err) -> {
                    timer.cancel(false);
                    if (err == null) {
                        f.complete(yes);
                    } else {
                        f.completeExceptionally(err);
                    }
                });
        return f;
    }

    /**
     * Ends every delivery under way (they fail as offline) and ignores what transports report
     * later. Calling it again does nothing.
     */
    public void close() {
        closed = true;
        for (Pending p : List.copyOf(pending)) {
            p.release();
            p.result.completeExceptionally(DeliveryException.offline("session closed"));
        }
        pending.clear();
    }

    /**
     * The note the user gets from the contact: the file's name and size, written as an action of
     * the contact (or with the sender's nick when someone else in the conversation sent it).
     */
    static String noticeText(Delivery d, FileOffer fo) {
        String what =
                "sends "
                        + fo.name()
                        + (fo.size() >= 0 ? " (" + humanSize(fo.size()) + ")" : "")
                        + " by direct transfer";
        if (!fo.sender().self() && !fo.sender().id().equals(d.destination().id())) {
            return "<" + fo.sender().nick() + "> " + what;
        }
        return "/me " + what;
    }

    /** The line the transport shows with the offer: who sends the file from which network. */
    static String description(Delivery d, FileOffer fo) {
        return "From " + fo.sender().nick() + " on " + d.source().protocol();
    }

    /** A size for people: bytes, KB, MB or GB (powers of 1024). */
    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        if (bytes < 1024L * 1024) {
            return Math.max(1, Math.round(bytes / 1024.0)) + " KB";
        }
        if (bytes < 1024L * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f MB", bytes / (1024.0 * 1024));
        }
        return String.format(Locale.ROOT, "%.1f GB", bytes / (1024.0 * 1024 * 1024));
    }

    private <T> CompletableFuture<T> onLoop(Callable<T> task) {
        return dev.sabir.xmpp.OnLoop.call(
                loop,
                () -> {
                    if (closed) {
                        throw DeliveryException.offline("session closed");
                    }
                    return task.call();
                });
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
