package dev.sabir.irc;

import dev.sabir.api.DeliveryException;
import dev.sabir.api.Metrics;
import dev.sabir.api.SessionState;
import dev.sabir.irc.codec.IrcLineDecoder;
import dev.sabir.irc.codec.IrcLineEncoder;
import dev.sabir.irc.codec.IrcMessage;
import dev.sabir.irc.codec.IrcMessages;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical IRC client (the relay bot or one puppet) that survives disconnects: it reconnects
 * with exponential backoff and jitter, joins its channels again and then sends the lines queued
 * while it was away, in order, paced by a token bucket of its own and one shared with the other
 * connections to the same server.
 *
 * <p>All state is confined to one event loop taken from the host's group.
 *
 * <p>Queue policy: at most {@code queue_size} lines wait per connection. A message that does not
 * fit is refused as a whole with a retryable {@link DeliveryException} (the router keeps it in its
 * durable queue and tries again later), counted as {@code irc_queue_refused}; nothing already
 * queued is dropped, so the order is kept.
 */
final class IrcConnection {
    private static final Logger LOG = LoggerFactory.getLogger(IrcConnection.class);
    private static final long JOIN_SETTLE_MS = 10_000;

    /** What a connection reports; all calls happen on its event loop. */
    interface Listener {
        /** The connection state changed. */
        default void state(IrcConnection c, SessionState.State state, String reason) {}

        /** A message after registration (including the connection's own JOIN, PART, ...). */
        default void message(IrcConnection c, IrcClientHandler h, IrcMessage m) {}
    }

    private record Pending(IrcMessage message, CompletableFuture<Void> done) {}

    private final String label;
    private final IrcSettings settings;
    private final String wantedNick;
    private final EventLoop loop;
    private final TokenBucket own;
    private final TokenBucket shared;
    private final SslContext ssl;
    private final String realName;
    private final IrcSettings.Sasl sasl;
    private final Metrics metrics;
    private final Listener listener;

    private final Map<String, String> desired = new LinkedHashMap<>(); // folded -> name
    private final Map<String, List<CompletableFuture<Void>>> joinWaiters = new LinkedHashMap<>();
    private final java.util.Set<String> joined = new java.util.HashSet<>();
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private final CompletableFuture<Void> firstOnline = new CompletableFuture<>();
    private final CompletableFuture<Void> closedFuture = new CompletableFuture<>();

    private Channel channel;
    private volatile IrcClientHandler handler;
    private boolean online;
    private boolean closed;
    private int attempts;
    private ScheduledFuture<?> reconnectTask;
    private ScheduledFuture<?> pumpTask;
    private ScheduledFuture<?> settleTask;
    private volatile long lastActivity = System.nanoTime();
    private volatile String currentNick;

    IrcConnection(
            String label,
            IrcSettings settings,
            String nick,
            String realName,
            IrcSettings.Sasl sasl,
            EventLoop loop,
            TokenBucket shared,
            SslContext ssl,
            Metrics metrics,
            Listener listener) {
        this.label = label;
        this.settings = settings;
        this.wantedNick = nick;
        this.currentNick = nick;
        this.realName = realName;
        this.sasl = sasl;
        this.loop = loop;
        this.shared = shared;
        this.own =
                new TokenBucket(
                        settings.flood().burst(), settings.flood().perSecond(), System::nanoTime);
        this.ssl = ssl;
        this.metrics = metrics;
        this.listener = listener;
    }

    /** Starts connecting; completes when online (registered, channels joined) the first time. */
    CompletableFuture<Void> start() {
        loop.execute(this::connectNow);
        return firstOnline;
    }

    /** The nick in use (or wanted, before registration). Any thread. */
    String nick() {
        return currentNick;
    }

    /** The event loop of this connection. */
    EventLoop loop() {
        return loop;
    }

    /** Nanos of the last send request (for puppet idling). */
    long lastActivity() {
        return lastActivity;
    }

    /** True when registered and the channels are joined. Event loop only. */
    boolean online() {
        return online;
    }

    /** The handler of the current socket, or null. Event loop only. */
    IrcClientHandler handler() {
        return handler;
    }

    /** Bytes the server puts in front of this client's lines when relaying them. Any thread. */
    int relayPrefixBytes() {
        IrcClientHandler h = handler;
        if (h != null) {
            return h.relayPrefixBytes();
        }
        return IrcText.utf8Length(currentNick) + IrcText.utf8Length(settings.user()) + 1 + 63 + 4;
    }

    /** NICKLEN of the server, or 30 before registration. Any thread. */
    int nickLength() {
        IrcClientHandler h = handler;
        return h == null ? 30 : h.nickLength();
    }

    /** True when this connection is in the channel. Event loop only. */
    boolean inChannel(String channel) {
        return joined.contains(IrcText.fold(channel));
    }

    /** Joins a channel now and after every reconnect; completes when the server confirms. */
    CompletableFuture<Void> join(String name) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.execute(
                () -> {
                    if (closed) {
                        f.completeExceptionally(DeliveryException.permanent("connection closed"));
                        return;
                    }
                    String key = IrcText.fold(name);
                    desired.put(key, name);
                    if (joined.contains(key)) {
                        f.complete(null);
                        return;
                    }
                    joinWaiters.computeIfAbsent(key, k -> new ArrayList<>()).add(f);
                    if (handler != null && channel != null && channel.isActive() && handlerReady) {
                        writeNow(IrcMessages.join(name));
                        channel.flush();
                    }
                });
        return f;
    }

    private boolean handlerReady;

    /**
     * Queues lines to send in order; completes when the last is written to the socket. Refused as a
     * whole when the queue has no room for all of them.
     */
    CompletableFuture<Void> send(List<IrcMessage> lines) {
        return send(lines, true);
    }

    /**
     * Queues lines like {@link #send(List)}; {@code activity} false leaves the idle clock alone
     * (for queries and status lines that should not keep an idle puppet connected).
     */
    CompletableFuture<Void> send(List<IrcMessage> lines, boolean activity) {
        if (activity) {
            lastActivity = System.nanoTime();
        }
        CompletableFuture<Void> last = new CompletableFuture<>();
        loop.execute(
                () -> {
                    if (closed) {
                        last.completeExceptionally(
                                DeliveryException.permanent("connection closed"));
                        return;
                    }
                    if (queue.size() + lines.size() > settings.queueSize()) {
                        metrics.increment("irc_queue_refused", lines.size());
                        last.completeExceptionally(
                                DeliveryException.offline(
                                        "outbound queue full ("
                                                + settings.queueSize()
                                                + " lines)"));
                        return;
                    }
                    for (int i = 0; i < lines.size(); i++) {
                        boolean isLast = i == lines.size() - 1;
                        queue.add(new Pending(lines.get(i), isLast ? last : null));
                    }
                    pump();
                });
        return last;
    }

    /** Lines waiting to be sent. Event loop only. */
    int queued() {
        return queue.size();
    }

    /**
     * Sends QUIT and closes for good; completes when the socket is closed. Queued lines fail with a
     * retryable error.
     */
    CompletableFuture<Void> close(String reason) {
        loop.execute(
                () -> {
                    if (closed) {
                        return;
                    }
                    closed = true;
                    cancel(reconnectTask);
                    cancel(pumpTask);
                    cancel(settleTask);
                    DeliveryException gone = DeliveryException.offline("session closed");
                    for (Pending p : queue) {
                        if (p.done() != null) {
                            p.done().completeExceptionally(gone);
                        }
                    }
                    queue.clear();
                    failWaiters(gone);
                    firstOnline.completeExceptionally(gone);
                    Channel ch = channel;
                    if (ch != null && ch.isActive()) {
                        ch.writeAndFlush(IrcMessages.quit(reason))
                                .addListener(ChannelFutureListener.CLOSE);
                        ch.closeFuture().addListener(f -> closedFuture.complete(null));
                        loop.schedule((Runnable) ch::close, 1, TimeUnit.SECONDS);
                    } else if (ch != null) {
                        ch.close().addListener(f -> closedFuture.complete(null));
                    } else {
                        closedFuture.complete(null);
                    }
                });
        return closedFuture;
    }

    private void connectNow() {
        reconnectTask = null;
        if (closed) {
            return;
        }
        listener.state(
                this,
                SessionState.State.CONNECTING,
                attempts == 0 ? "" : "reconnect attempt " + attempts);
        Bootstrap b =
                new Bootstrap()
                        .group(loop)
                        .channel(NioSocketChannel.class)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .handler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        initPipeline(ch);
                                    }
                                });
        InetSocketAddress target = settings.server();
        if (settings.proxy() != null) {
            b.resolver(NoopAddressResolverGroup.INSTANCE);
        } else {
            target = new InetSocketAddress(target.getHostString(), target.getPort());
        }
        ChannelFuture cf = b.connect(target);
        Channel ch = cf.channel();
        channel = ch;
        ch.closeFuture().addListener(f -> onClosed(ch));
        cf.addListener(
                f -> {
                    if (!f.isSuccess()) {
                        LOG.info(
                                "{}: cannot connect to {}: {}",
                                label,
                                settings.server(),
                                f.cause().toString());
                        ch.close();
                    }
                });
    }

    private void initPipeline(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (settings.proxy() != null) {
            InetSocketAddress px = settings.proxy();
            p.addLast(
                    "proxy",
                    new Socks5ProxyHandler(
                            new InetSocketAddress(px.getHostString(), px.getPort())));
        }
        if (ssl != null) {
            SslHandler sh =
                    ssl.newHandler(
                            ch.alloc(),
                            settings.server().getHostString(),
                            settings.server().getPort());
            if (settings.tlsVerify()) {
                SSLEngine engine = sh.engine();
                SSLParameters params = engine.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                engine.setSSLParameters(params);
            }
            p.addLast("tls", sh);
        }
        long ping = settings.pingInterval().toMillis();
        p.addLast("idle", new IdleStateHandler(ping, 0, 0, TimeUnit.MILLISECONDS));
        p.addLast("decoder", new IrcLineDecoder());
        p.addLast("encoder", new IrcLineEncoder());
        IrcClientHandler h =
                new IrcClientHandler(
                        new IrcClientHandler.Registration(
                                wantedNick,
                                settings.user(),
                                realName,
                                settings.password(),
                                sasl,
                                30),
                        new HandlerEvents(ch));
        p.addLast("irc", h);
        handler = h;
        handlerReady = false;
    }

    /** Connects a handler's callbacks to this connection, ignoring those of an old socket. */
    private final class HandlerEvents implements IrcClientHandler.Events {
        private final Channel ch;

        HandlerEvents(Channel ch) {
            this.ch = ch;
        }

        @Override
        public void ready(IrcClientHandler h) {
            if (ch != channel) {
                return;
            }
            attempts = 0;
            handlerReady = true;
            currentNick = h.nick();
            LOG.info(
                    "{}: registered on {} as {} (caps {})",
                    label,
                    settings.server(),
                    h.nick(),
                    h.enabledCaps());
            for (String name : desired.values()) {
                writeNow(IrcMessages.join(name));
            }
            ch.flush();
            if (desired.isEmpty()) {
                goOnline();
            } else {
                settleTask =
                        loop.schedule(
                                IrcConnection.this::goOnline,
                                JOIN_SETTLE_MS,
                                TimeUnit.MILLISECONDS);
            }
        }

        @Override
        public void message(IrcMessage m) {
            if (ch != channel) {
                return;
            }
            trackOwn(m);
            listener.message(IrcConnection.this, handler, m);
        }

        @Override
        public void failed(String reason) {
            if (ch == channel) {
                LOG.warn("{}: {}", label, reason);
            }
        }
    }

    private void trackOwn(IrcMessage m) {
        IrcClientHandler h = handler;
        currentNick = h.nick();
        switch (m.command()) {
            case "JOIN" -> {
                if (h.isOwn(m)) {
                    String key = IrcText.fold(m.param(0));
                    joined.add(key);
                    List<CompletableFuture<Void>> w = joinWaiters.remove(key);
                    if (w != null) {
                        w.forEach(f -> f.complete(null));
                    }
                    maybeSettled();
                }
            }
            case "PART" -> {
                if (h.isOwn(m)) {
                    joined.remove(IrcText.fold(m.param(0)));
                }
            }
            case "KICK" -> {
                if (IrcText.fold(m.param(1)).equals(IrcText.fold(h.nick()))) {
                    joined.remove(IrcText.fold(m.param(0)));
                    LOG.info("{}: kicked from {}: {}", label, m.param(0), m.param(2));
                }
            }
            case "403", "405", "471", "473", "474", "475", "476", "477" -> {
                String key = IrcText.fold(m.param(1));
                if (desired.containsKey(key)) {
                    LOG.warn("{}: cannot join {}: {}", label, m.param(1), m.trailing());
                    desired.remove(key);
                    List<CompletableFuture<Void>> w = joinWaiters.remove(key);
                    if (w != null) {
                        DeliveryException e =
                                DeliveryException.permanent(
                                        "cannot join " + m.param(1) + ": " + m.trailing());
                        w.forEach(f -> f.completeExceptionally(e));
                    }
                    maybeSettled();
                }
            }
            default -> {}
        }
    }

    private void maybeSettled() {
        if (!online && handlerReady) {
            boolean all = desired.keySet().stream().allMatch(joined::contains);
            if (all) {
                goOnline();
            }
        }
    }

    private void goOnline() {
        cancel(settleTask);
        settleTask = null;
        if (online || closed || channel == null || !channel.isActive()) {
            return;
        }
        online = true;
        listener.state(this, SessionState.State.ONLINE, "");
        firstOnline.complete(null);
        pump();
    }

    private void onClosed(Channel ch) {
        if (ch != channel) {
            return;
        }
        channel = null;
        handler = null;
        handlerReady = false;
        joined.clear();
        boolean wasOnline = online;
        online = false;
        cancel(pumpTask);
        pumpTask = null;
        cancel(settleTask);
        settleTask = null;
        if (closed) {
            return;
        }
        if (wasOnline) {
            LOG.info("{}: disconnected from {}", label, settings.server());
            metrics.increment("irc_disconnects", 1);
        }
        attempts++;
        long min = settings.reconnectMin().toMillis();
        long max = settings.reconnectMax().toMillis();
        long base = Math.min(max, min << Math.min(20, attempts - 1));
        long delay = (long) (base * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
        listener.state(
                this, SessionState.State.OFFLINE, "disconnected; retrying in " + delay + " ms");
        reconnectTask = loop.schedule(this::connectNow, delay, TimeUnit.MILLISECONDS);
    }

    private void pump() {
        if (!online || channel == null || pumpTask != null && !pumpTask.isDone()) {
            return;
        }
        boolean wrote = false;
        while (!queue.isEmpty()) {
            long wait = TokenBucket.waitBoth(own, shared);
            if (wait > 0) {
                pumpTask =
                        loop.schedule(
                                () -> {
                                    pumpTask = null;
                                    pump();
                                },
                                wait,
                                TimeUnit.NANOSECONDS);
                break;
            }
            Pending p = queue.poll();
            own.take();
            shared.take();
            ChannelFuture wf = channel.write(p.message());
            wrote = true;
            if (p.done() != null) {
                wf.addListener(
                        f -> {
                            if (f.isSuccess()) {
                                p.done().complete(null);
                            } else if (f.cause()
                                    instanceof io.netty.handler.codec.EncoderException) {
                                p.done()
                                        .completeExceptionally(
                                                DeliveryException.permanent(
                                                        f.cause().getMessage()));
                            } else {
                                p.done()
                                        .completeExceptionally(
                                                DeliveryException.offline(
                                                        "connection lost while sending"));
                            }
                        });
            }
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** Writes a control line at once (JOIN after registration), still charging both buckets. */
    private void writeNow(IrcMessage m) {
        own.take();
        shared.take();
        channel.write(m);
    }

    private void failWaiters(Throwable e) {
        for (List<CompletableFuture<Void>> w : joinWaiters.values()) {
            w.forEach(f -> f.completeExceptionally(e));
        }
        joinWaiters.clear();
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }
}
