package dev.sabir.ipcfile;

import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ipcfile account: the upload service on its libipc socket and, when configured, on TCP. Files
 * uploaded by authenticated clients are reported as FileOffers; deliveries into the account are
 * refused (it only receives).
 */
final class IpcFileSession implements Session {
    private static final Logger LOG = LoggerFactory.getLogger(IpcFileSession.class);

    private final IpcFileSettings settings;
    private final EventSink sink;
    private final Address account;
    private final UploadService service;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile SeqpacketTransport unix;
    private volatile TcpTransport tcp;

    IpcFileSession(IpcFileSettings settings, HostContext host, EventSink sink) {
        this.settings = settings;
        this.sink = sink;
        this.account = settings.account();
        this.service = new UploadService(settings, host, sink);
    }

    @Override
    public CompletionStage<Void> connect() {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
        }
        sink.accept(new SessionState(account, SessionState.State.CONNECTING, ""));
        List<String> problems = new ArrayList<>();
        int wanted = 0;
        int up = 0;
        if (settings.unixSocket()) {
            wanted++;
            SeqpacketTransport u = new SeqpacketTransport(service);
            try {
                u.start();
                unix = u;
                up++;
            } catch (Exception | LinkageError e) {
                u.close();
                problems.add("cannot listen on " + settings.socketPath() + ": " + e.getMessage());
            }
        }
        CompletableFuture<Void> tcpDone = CompletableFuture.completedFuture(null);
        CompletableFuture<Boolean> tcpUp = CompletableFuture.completedFuture(false);
        if (settings.tcpListen() != null) {
            wanted++;
            TcpTransport t = new TcpTransport(service);
            tcp = t;
            tcpUp =
                    t.start(settings.tcpListen())
                            .handle(
                                    (addr, err) -> {
                                        if (err != null) {
                                            synchronized (problems) {
                                                problems.add(
                                                        "cannot listen on tcp "
                                                                + settings.tcpListen()
                                                                + ": "
                                                                + err.getMessage());
                                            }
                                            return false;
                                        }
                                        return true;
                                    });
        }
        int total = wanted;
        int unixUp = up;
        return tcpUp.thenCompose(
                ok -> {
                    int running = unixUp + (ok ? 1 : 0);
                    String reason;
                    synchronized (problems) {
                        reason = String.join("; ", problems);
                    }
                    if (closed.get()) {
                        return CompletableFuture.failedFuture(
                                new IllegalStateException("session closed"));
                    }
                    if (running == 0) {
                        LOG.warn("ipcfile {}: offline: {}", account, reason);
                        sink.accept(
                                new SessionState(
                                        account,
                                        SessionState.State.OFFLINE,
                                        total == 0 ? "no transport configured" : reason));
                        return CompletableFuture.failedFuture(
                                new IllegalStateException(
                                        total == 0
                                                ? "no transport configured (unix_socket false, no tcp_listen)"
                                                : reason));
                    }
                    if (running < total) {
                        LOG.warn("ipcfile {}: degraded: {}", account, reason);
                        sink.accept(new SessionState(account, SessionState.State.DEGRADED, reason));
                    } else {
                        sink.accept(new SessionState(account, SessionState.State.ONLINE, ""));
                    }
                    return tcpDone;
                });
    }

    /** The bound TCP address, or null. */
    InetSocketAddress tcpAddress() {
        TcpTransport t = tcp;
        return t == null ? null : t.address();
    }

    /** The libipc socket path, or null when it is not open. */
    Path socketPath() {
        SeqpacketTransport u = unix;
        return u == null ? null : u.path();
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        if (!conversation.sameAccount(account)) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException(conversation + " is not on " + account));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<String> deliver(Delivery delivery) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("session closed"));
        }
        return CompletableFuture.failedFuture(DeliveryException.permanent("uploads only"));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        SeqpacketTransport u = unix;
        if (u != null) {
            u.close();
        }
        TcpTransport t = tcp;
        if (t != null) {
            t.close();
        }
        sink.accept(new SessionState(account, SessionState.State.OFFLINE, "closed"));
        LOG.info("ipcfile {}: closed", account);
    }
}
