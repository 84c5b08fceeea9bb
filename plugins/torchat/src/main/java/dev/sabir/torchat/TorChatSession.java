package dev.sabir.torchat;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.api.FileSpool.SpoolException;
import dev.sabir.api.FileSpool.SpooledFile;
import dev.sabir.api.HostContext;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.api.Typing;
import dev.sabir.torchat.BuddyProfile.BuddyKind;
import dev.sabir.torchat.PeerHandler.Role;
import dev.sabir.torchat.codec.TorChatCodec;
import dev.sabir.torchat.codec.TorChatCodecException;
import dev.sabir.torchat.codec.TorChatEscaping;
import dev.sabir.torchat.codec.TorChatPacket;
import dev.sabir.torchat.codec.TorChatPacket.*;
import dev.sabir.torchat.codec.TorChatPackets;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TorChat account: a listener for peers' connections, one outgoing connection per buddy, and
 * the bridge between TorChat packets and bridge events.
 *
 * <p>All state lives on one event loop taken from the host's group: every channel of the session is
 * registered there and every public method hops onto it, so no locks are needed.
 *
 * <p>Connection rules (what the deployed clients do): a peer that dials us sends {@code ping <id>
 * <cookie>}; we dial back, send our own ping and at once {@code pong <their cookie>} on our own
 * socket; the peer is verified when our cookie comes back on its socket. We send only on the socket
 * we opened and read on the one the peer opened, except file packets, which are accepted on both.
 */
public final class TorChatSession implements Session {
    private static final Logger LOG = LoggerFactory.getLogger(TorChatSession.class);
    private static final String CLIENT = "Sabir";
    private static final String VERSION = "0.1.0";
    private static final Duration BROADCAST_MEMORY = Duration.ofSeconds(360);
    private static final int MAX_BLOCK = 1024 * 1024;
    private static final long PROGRESS_STEP = 1024 * 1024;

    private final AccountConfig account;
    private final TorChatConfig cfg;
    private final HostContext host;
    private final EventSink sink;
    private final EventLoop loop;
    private final Address self;
    private final ChannelGroup channels;
    private final Map<String, Buddy> buddies = new LinkedHashMap<>();
    private final Map<Channel, Buddy> owners = new HashMap<>();
    private final Map<String, Group> groups = new LinkedHashMap<>();
    private final Map<String, Long> broadcastSeen = new LinkedHashMap<>();
    private final List<ScheduledFuture<?>> timers = new ArrayList<>();
    private final Map<String, BuddyProfile> profiles = new ConcurrentHashMap<>();
    private final Map<String, Duration> latencies = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private volatile boolean closed;
    private volatile String myId;
    private volatile InetSocketAddress boundAddress;
    private String ownStatus;
    private Channel listener;
    private TorControl control;
    private CompletableFuture<Void> connected;

    TorChatSession(AccountConfig account, TorChatConfig cfg, HostContext host, EventSink sink) {
        this.account = account;
        this.cfg = cfg;
        this.host = host;
        this.sink = sink;
        this.loop = host.eventLoops().next();
        this.self = account.address();
        this.channels = new DefaultChannelGroup("torchat-" + account.name(), loop);
        this.myId = cfg.id();
        this.ownStatus = cfg.status();
        loadBuddies();
    }

    // ---- public surface
    // ---------------------------------------------------------------------------

    /** Own TorChat id (known once connected when Tor provides it). */
    public String ownId() {
        return myId;
    }

    /** The address the listener is bound to (after connect). */
    public InetSocketAddress boundAddress() {
        return boundAddress;
    }

    /** What a buddy told about itself (name, text, avatar), also kept in the store. */
    public Optional<BuddyProfile> profile(String buddyId) {
        return Optional.ofNullable(profiles.get(buddyId));
    }

    /** The last measured round-trip time to a buddy ({@code latency_ping}/{@code latency_pong}). */
    public Optional<Duration> latency(String buddyId) {
        return Optional.ofNullable(latencies.get(buddyId));
    }

    /** Sends a {@code latency_ping} to a connected buddy now. */
    public void measureLatency(String buddyId) {
        exec(
                () -> {
                    Buddy b = buddies.get(buddyId);
                    if (b != null && b.online) {
                        sendLatencyPing(b);
                    }
                });
    }

    /** Invites a buddy into a groupchat this session is in. */
    public CompletionStage<Void> invite(String groupId, String buddyId) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        exec(
                () -> {
                    try {
                        doInvite(groupId, buddyId);
                        f.complete(null);
                    } catch (RuntimeException e) {
                        f.completeExceptionally(e);
                    }
                });
        return f;
    }

    /** Puts a buddy on the blocked list and drops its connections. */
    public CompletionStage<Void> block(String buddyId) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        exec(
                () -> {
                    Buddy b = buddy(buddyId, BuddyKind.BLOCKED);
                    setKind(b, BuddyKind.BLOCKED);
                    disconnect(b, "blocked", false);
                    f.complete(null);
                });
        return f;
    }

    /** Removes a buddy: sends {@code remove_me} when connected and forgets it. */
    public CompletionStage<Void> remove(String buddyId) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        exec(
                () -> {
                    Buddy b = buddies.remove(buddyId);
                    if (b != null) {
                        if (b.online) {
                            b.out.writeAndFlush(TorChatPackets.removeMe());
                        }
                        host.store().remove("buddy." + b.id);
                        disconnect(b, "removed", false);
                    }
                    f.complete(null);
                });
        return f;
    }

    /** The kind of a known buddy. */
    public Optional<BuddyKind> buddyKind(String buddyId) {
        return Optional.ofNullable(
                host.store().get("buddy." + buddyId).map(TorChatSession::kindOf).orElse(null));
    }

    /** True when a buddy is connected and verified. */
    public boolean isOnline(String buddyId) {
        if (loop.inEventLoop()) {
            Buddy b = buddies.get(buddyId);
            return b != null && b.online;
        }
        try {
            return loop.submit(
                            () -> {
                                Buddy b = buddies.get(buddyId);
                                return b != null && b.online;
                            })
                    .get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return false;
        }
    }

    /** Drops the connections to a buddy (it reconnects as usual); for tests and operators. */
    public void dropConnections(String buddyId) {
        exec(
                () -> {
                    Buddy b = buddies.get(buddyId);
                    if (b != null) {
                        if (b.in != null) {
                            b.in.close();
                        }
                        if (b.out != null) {
                            b.out.close();
                        }
                    }
                });
    }

    @Override
    public CompletionStage<Void> connect() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        exec(
                () -> {
                    if (closed) {
                        f.completeExceptionally(new IllegalStateException("session closed"));
                        return;
                    }
                    if (connected != null) {
                        connected.whenComplete((v, e) -> complete(f, v, e));
                        return;
                    }
                    connected = f;
                    emit(new SessionState(self, SessionState.State.CONNECTING, "starting"));
                    bindListener()
                            .thenCompose(addr -> startHiddenService(addr))
                            .whenComplete(
                                    (id, err) ->
                                            exec(
                                                    () -> {
                                                        if (err != null) {
                                                            failStart(err);
                                                        } else {
                                                            started(id);
                                                        }
                                                    }));
                });
        return f;
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        exec(
                () -> {
                    String id = conversation.id();
                    if (id.startsWith("group:")) {
                        String gid = id.substring(6);
                        if (!isToken(gid)) {
                            f.completeExceptionally(
                                    DeliveryException.permanent("bad groupchat id"));
                            return;
                        }
                        Group g = groups.get(gid);
                        if (g == null) {
                            g = new Group(gid, null);
                            g.joined = true;
                            groups.put(gid, g);
                            LOG.info("{}: created groupchat {}", account.name(), gid);
                        }
                        emitMembers(g);
                        f.complete(null);
                    } else if (OnionId.isValid(id)) {
                        Buddy b = buddy(id, BuddyKind.PERMANENT);
                        if (b.kind == BuddyKind.BLOCKED) {
                            f.completeExceptionally(
                                    DeliveryException.permanent("buddy is blocked"));
                            return;
                        }
                        setKind(b, BuddyKind.PERMANENT);
                        if (b.out == null && connected != null) {
                            dial(b);
                        }
                        f.complete(null);
                    } else if (id.equals(cfg.broadcastConversation()) || id.isEmpty()) {
                        f.complete(null);
                    } else {
                        f.completeExceptionally(
                                DeliveryException.permanent(
                                        "not a TorChat id or group: '" + id + "'"));
                    }
                });
        return f;
    }

    @Override
    public CompletionStage<String> deliver(Delivery delivery) {
        CompletableFuture<String> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(DeliveryException.offline("session closed"));
            return f;
        }
        exec(
                () -> {
                    if (closed) {
                        f.completeExceptionally(DeliveryException.offline("session closed"));
                        return;
                    }
                    try {
                        doDeliver(delivery, f);
                    } catch (DeliveryException e) {
                        f.completeExceptionally(e);
                    } catch (RuntimeException e) {
                        LOG.warn(
                                "{}: delivery {} failed: {}",
                                account.name(),
                                delivery.id(),
                                e.toString());
                        f.completeExceptionally(DeliveryException.permanent(e.getMessage()));
                    }
                });
        return f;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loop.inEventLoop()) {
            doClose();
            return;
        }
        try {
            Future<?> done = loop.submit(this::doClose);
            done.awaitUninterruptibly(5, TimeUnit.SECONDS);
            channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        } catch (RejectedExecutionException e) {
            doClose();
        }
    }

    // ---- start and stop
    // ---------------------------------------------------------------------------

    private CompletableFuture<InetSocketAddress> bindListener() {
        CompletableFuture<InetSocketAddress> f = new CompletableFuture<>();
        InetSocketAddress want =
                new InetSocketAddress(cfg.listen().getHostString(), cfg.listen().getPort());
        ServerBootstrap sb =
                new ServerBootstrap()
                        .group(loop, loop)
                        .channel(NioServerSocketChannel.class)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        if (closed) {
                                            ch.close();
                                            return;
                                        }
                                        channels.add(ch);
                                        ch.closeFuture().addListener(f -> onClosed(ch));
                                        TorChatCodec.install(ch.pipeline(), cfg.maxLine());
                                        ch.pipeline()
                                                .addLast(
                                                        "tc-peer",
                                                        new PeerHandler(
                                                                TorChatSession.this,
                                                                Role.IN,
                                                                false));
                                    }
                                });
        bind(sb, want, f, BIND_ATTEMPTS);
        return f;
    }

    /** Attempts at binding the listener, {@link #BIND_RETRY_MS} apart. */
    private static final int BIND_ATTEMPTS = 20;

    private static final long BIND_RETRY_MS = 100;

    /**
     * Binds the listener. A port that is still in use is tried again for a while: the listener of
     * the account's previous session (a restart) is only released once its event loop has processed
     * the close, a moment after the close completed.
     */
    private void bind(
            ServerBootstrap sb,
            InetSocketAddress want,
            CompletableFuture<InetSocketAddress> f,
            int attemptsLeft) {
        sb.bind(want)
                .addListener(
                        (ChannelFuture cf) -> {
                            if (cf.isSuccess()) {
                                if (closed) {
                                    cf.channel().close();
                                    f.completeExceptionally(
                                            new IllegalStateException("session closed"));
                                    return;
                                }
                                listener = cf.channel();
                                channels.add(listener);
                                boundAddress = (InetSocketAddress) listener.localAddress();
                                f.complete(boundAddress);
                            } else if (cf.cause() instanceof java.net.BindException
                                    && attemptsLeft > 1
                                    && want.getPort() != 0
                                    && !closed) {
                                loop.schedule(
                                        () -> {
                                            if (closed) {
                                                f.completeExceptionally(cf.cause());
                                            } else {
                                                bind(sb, want, f, attemptsLeft - 1);
                                            }
                                        },
                                        BIND_RETRY_MS,
                                        TimeUnit.MILLISECONDS);
                            } else {
                                f.completeExceptionally(cf.cause());
                            }
                        });
    }

    private CompletableFuture<String> startHiddenService(InetSocketAddress bound) {
        if (cfg.hiddenServiceDir() != null) {
            try {
                String hostname =
                        Files.readString(
                                cfg.hiddenServiceDir().resolve("hostname"),
                                StandardCharsets.US_ASCII);
                String id = OnionId.normalise(hostname);
                if (id == null) {
                    return CompletableFuture.failedFuture(
                            new IOException("hidden_service_dir: hostname file holds no onion id"));
                }
                if (cfg.id() != null && !cfg.id().equals(id)) {
                    return CompletableFuture.failedFuture(
                            new IOException(
                                    "hidden_service_dir: hostname "
                                            + id
                                            + " differs from id "
                                            + cfg.id()));
                }
                return CompletableFuture.completedFuture(id);
            } catch (IOException e) {
                return CompletableFuture.failedFuture(
                        new IOException(
                                "hidden_service_dir: cannot read hostname: " + e.getMessage()));
            }
        }
        if (cfg.torControl() != null) {
            control = new TorControl(loop, channels, cfg.torControl(), cfg.torControlPassword());
            String key = host.store().get("tor.private_key").orElse(null);
            return control.addOnion(key, cfg.remotePort(), bound)
                    .thenApply(
                            r -> {
                                if (r.privateKey() != null) {
                                    host.store().put("tor.private_key", r.privateKey());
                                }
                                host.store().put("tor.service_id", r.serviceId());
                                return r.serviceId();
                            });
        }
        return CompletableFuture.completedFuture(cfg.id());
    }

    private void started(String id) {
        if (closed) {
            return;
        }
        if (cfg.id() != null && !cfg.id().equals(id)) {
            failStart(
                    new IOException(
                            "Tor gave id " + id + " but the account is configured as " + cfg.id()));
            return;
        }
        myId = id;
        LOG.info("{}: online as {} (listening on {})", account.name(), id, boundAddress);
        long tick =
                Math.max(
                        50,
                        Math.min(
                                5_000,
                                Math.min(
                                        cfg.silence().toMillis() / 4,
                                        cfg.fileTimeout().toMillis() / 2)));
        timers.add(
                loop.scheduleAtFixedRate(
                        this::keepalive,
                        cfg.keepalive().toMillis(),
                        cfg.keepalive().toMillis(),
                        TimeUnit.MILLISECONDS));
        timers.add(loop.scheduleAtFixedRate(this::housekeeping, tick, tick, TimeUnit.MILLISECONDS));
        emit(new SessionState(self, SessionState.State.ONLINE, "listening"));
        connected.complete(null);
        for (Buddy b : List.copyOf(buddies.values())) {
            if (b.kind == BuddyKind.PERMANENT) {
                dial(b);
            }
        }
    }

    private void failStart(Throwable err) {
        Throwable cause =
                err instanceof java.util.concurrent.CompletionException && err.getCause() != null
                        ? err.getCause()
                        : err;
        LOG.warn("{}: cannot start: {}", account.name(), cause.getMessage());
        emit(
                new SessionState(
                        self, SessionState.State.OFFLINE, String.valueOf(cause.getMessage())));
        if (listener != null) {
            listener.close();
        }
        if (control != null) {
            control.close();
        }
        connected.completeExceptionally(cause);
        connected = null;
    }

    private void doClose() {
        for (ScheduledFuture<?> t : timers) {
            t.cancel(false);
        }
        timers.clear();
        DeliveryException gone = DeliveryException.offline("session closed");
        for (Buddy b : buddies.values()) {
            cancelReconnect(b);
            for (PendingSend p : b.queue) {
                if (p.timeout != null) {
                    p.timeout.cancel(false);
                }
                p.done.completeExceptionally(gone);
            }
            b.queue.clear();
            for (OutgoingFile t : b.sending.values()) {
                t.closeFile();
                t.done.completeExceptionally(gone);
            }
            b.sending.clear();
            b.receiving.clear();
        }
        if (control != null) {
            control.close();
        }
        channels.close();
        if (connected != null && !connected.isDone()) {
            connected.completeExceptionally(new IllegalStateException("session closed"));
        }
        LOG.info("{}: closed", account.name());
        sink.accept(new SessionState(self, SessionState.State.OFFLINE, "closed"));
    }

    // ---- buddies and connections
    // ------------------------------------------------------------------

    private void loadBuddies() {
        for (Map.Entry<String, String> e : host.store().list("buddy.").entrySet()) {
            String id = e.getKey().substring(6);
            BuddyKind kind = kindOf(e.getValue());
            if (OnionId.isValid(id) && kind != null && kind != BuddyKind.TEMPORARY) {
                Buddy b = new Buddy(id, kind);
                loadProfile(b);
                buddies.put(id, b);
            }
        }
        for (String id : cfg.buddies()) {
            Buddy b = buddies.get(id);
            if (b == null) {
                b = new Buddy(id, BuddyKind.PERMANENT);
                loadProfile(b);
                buddies.put(id, b);
                host.store().put("buddy." + id, "permanent");
            }
        }
    }

    private static BuddyKind kindOf(String s) {
        return switch (s) {
            case "permanent" -> BuddyKind.PERMANENT;
            case "temporary" -> BuddyKind.TEMPORARY;
            case "blocked" -> BuddyKind.BLOCKED;
            default -> null;
        };
    }

    private void loadProfile(Buddy b) {
        var store = host.store();
        b.profileName = store.get("profile." + b.id + ".name").orElse("");
        b.profileText = store.get("profile." + b.id + ".text").orElse("");
        Base64.Decoder d = Base64.getDecoder();
        b.avatarRgb = store.get("profile." + b.id + ".avatar").map(d::decode).orElse(new byte[0]);
        b.avatarAlpha = store.get("profile." + b.id + ".alpha").map(d::decode).orElse(new byte[0]);
        profiles.put(b.id, b.profile());
    }

    private void saveProfile(Buddy b) {
        var store = host.store();
        Base64.Encoder e = Base64.getEncoder();
        store.put("profile." + b.id + ".name", b.profileName);
        store.put("profile." + b.id + ".text", b.profileText);
        store.put("profile." + b.id + ".avatar", e.encodeToString(b.avatarRgb));
        store.put("profile." + b.id + ".alpha", e.encodeToString(b.avatarAlpha));
        profiles.put(b.id, b.profile());
    }

    /** The buddy with that id, created with the given kind when unknown. */
    private Buddy buddy(String id, BuddyKind kindIfNew) {
        Buddy b = buddies.get(id);
        if (b == null) {
            b = new Buddy(id, kindIfNew);
            buddies.put(id, b);
            host.store().put("buddy." + id, kindIfNew.name().toLowerCase(java.util.Locale.ROOT));
            loadProfile(b);
        }
        return b;
    }

    private void setKind(Buddy b, BuddyKind kind) {
        if (b.kind == kind) {
            return;
        }
        BuddyKind before = b.kind;
        b.kind = kind;
        host.store().put("buddy." + b.id, kind.name().toLowerCase(java.util.Locale.ROOT));
        profiles.put(b.id, b.profile());
        LOG.info(
                "{}: buddy {} is now {}",
                account.name(),
                b.id,
                kind.name().toLowerCase(java.util.Locale.ROOT));
        if (kind == BuddyKind.PERMANENT && before == BuddyKind.TEMPORARY && b.online) {
            write(b, TorChatPackets.addMe());
        }
    }

    private void dial(Buddy b) {
        if (closed
                || connected == null
                || !connected.isDone()
                || b.out != null
                || b.kind == BuddyKind.BLOCKED) {
            return;
        }
        cancelReconnect(b);
        boolean tor = cfg.transport() == TorChatConfig.Transport.TOR;
        InetSocketAddress target;
        if (tor) {
            target = InetSocketAddress.createUnresolved(b.id + ".onion", cfg.remotePort());
        } else {
            InetSocketAddress peer = cfg.peers().get(b.id);
            if (peer == null) {
                LOG.debug("{}: no address for {} in peers", account.name(), b.id);
                return;
            }
            target = new InetSocketAddress(peer.getHostString(), peer.getPort());
        }
        Bootstrap bs =
                new Bootstrap()
                        .group(loop)
                        .channel(NioSocketChannel.class)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                        .handler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        if (tor) {
                                            InetSocketAddress socks =
                                                    new InetSocketAddress(
                                                            cfg.socks().getHostString(),
                                                            cfg.socks().getPort());
                                            Socks5ProxyHandler proxy =
                                                    new Socks5ProxyHandler(socks);
                                            proxy.setConnectTimeoutMillis(
                                                    cfg.handshakeTimeout().toMillis());
                                            ch.pipeline().addLast("socks", proxy);
                                        }
                                        TorChatCodec.install(ch.pipeline(), cfg.maxLine());
                                        ch.pipeline()
                                                .addLast(
                                                        "tc-peer",
                                                        new PeerHandler(
                                                                TorChatSession.this,
                                                                Role.OUT,
                                                                tor));
                                    }
                                });
        if (tor) {
            bs.resolver(NoopAddressResolverGroup.INSTANCE);
        }
        ChannelFuture cf = bs.connect(target);
        Channel ch = cf.channel();
        channels.add(ch);
        b.out = ch;
        b.outReady = false;
        owners.put(ch, b);
        ch.closeFuture().addListener(f -> onClosed(ch));
        LOG.debug("{}: dialling {}", account.name(), b.id);
        scheduleHandshakeTimeout(ch);
        cf.addListener(
                (ChannelFuture done) -> {
                    if (!done.isSuccess()) {
                        LOG.debug(
                                "{}: cannot reach {}: {}",
                                account.name(),
                                b.id,
                                done.cause().toString());
                        done.channel().close();
                    }
                });
    }

    void onOutReady(Channel ch) {
        Buddy b = owners.get(ch);
        if (b == null || b.out != ch || closed) {
            ch.close();
            return;
        }
        b.outReady = true;
        b.myCookie = newCookie();
        ch.write(TorChatPackets.ping(myId, b.myCookie));
        if (b.theirCookie != null && !b.pongSent) {
            ch.write(TorChatPackets.pong(b.theirCookie));
            b.pongSent = true;
        }
        ch.flush();
    }

    void onAccepted(Channel ch) {
        scheduleHandshakeTimeout(ch);
    }

    private void scheduleHandshakeTimeout(Channel ch) {
        ScheduledFuture<?> t =
                loop.schedule(
                        () -> {
                            Buddy b = owners.get(ch);
                            if (ch.isOpen() && (b == null || !b.verified)) {
                                LOG.info(
                                        "{}: closing unverified connection {} ({})",
                                        account.name(),
                                        ch.remoteAddress(),
                                        b == null ? "no ping" : b.id);
                                ch.close();
                            }
                        },
                        cfg.handshakeTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
        ch.closeFuture().addListener(f -> t.cancel(false));
    }

    void onPacket(Channel ch, Role role, TorChatPacket p) {
        if (closed) {
            return;
        }
        Buddy b = owners.get(ch);
        if (role == Role.IN) {
            if (b == null) {
                if (p instanceof Ping ping) {
                    onIncomingPing(ch, ping);
                } else {
                    LOG.info(
                            "{}: {} sent {} before ping; closing",
                            account.name(),
                            ch.remoteAddress(),
                            p.name());
                    ch.close();
                }
                return;
            }
            b.lastSeenNanos = System.nanoTime();
            if (p instanceof Ping) {
                return; // once per connection; later pings are ignored
            }
            if (p instanceof Pong pong) {
                onPong(b, pong);
                return;
            }
            if (!b.verified) {
                LOG.debug("{}: dropping {} from unverified {}", account.name(), p.name(), b.id);
                return;
            }
            dispatch(b, p);
        } else {
            if (b == null || b.out != ch) {
                return;
            }
            b.lastSeenNanos = System.nanoTime();
            if (b.verified && isFilePacket(p)) {
                dispatch(b, p); // the Python client sends file packets on its incoming socket
            } else {
                LOG.debug(
                        "{}: ignoring {} on our own socket to {}", account.name(), p.name(), b.id);
            }
        }
    }

    private static boolean isFilePacket(TorChatPacket p) {
        return p instanceof Filename
                || p instanceof Filedata
                || p instanceof FiledataOk
                || p instanceof FiledataError
                || p instanceof FileStopSending
                || p instanceof FileStopReceiving;
    }

    private void onIncomingPing(Channel ch, Ping ping) {
        String id = OnionId.normalise(ping.id());
        if (id == null || id.equals(myId)) {
            LOG.info(
                    "{}: ping with unusable id from {}; closing",
                    account.name(),
                    ch.remoteAddress());
            ch.close();
            return;
        }
        Buddy known = buddies.get(id);
        if (known != null && known.kind == BuddyKind.BLOCKED) {
            LOG.info("{}: refusing blocked {}", account.name(), id);
            ch.close();
            return;
        }
        Buddy b = known != null ? known : buddy(id, BuddyKind.TEMPORARY);
        if (b.in != null && b.in != ch) {
            if (b.verified) {
                LOG.info("{}: {} connected again; starting over", account.name(), id);
                disconnect(b, "peer reconnected", false);
            } else {
                Channel old = b.in;
                owners.remove(old);
                b.in = null;
                old.close();
            }
        }
        b.in = ch;
        owners.put(ch, b);
        b.theirCookie = ping.cookie();
        b.pongSent = false;
        b.lastSeenNanos = System.nanoTime();
        if (b.out != null && b.outReady) {
            b.out.writeAndFlush(TorChatPackets.pong(b.theirCookie));
            b.pongSent = true;
        } else if (b.out == null) {
            dial(b);
        }
    }

    private void onPong(Buddy b, Pong pong) {
        if (b.myCookie == null || !b.outReady) {
            return; // we sent no ping yet
        }
        if (!pong.cookie().equals(b.myCookie)) {
            LOG.info("{}: wrong cookie from {}; closing", account.name(), b.id);
            disconnect(b, "wrong cookie", true);
            return;
        }
        if (b.verified) {
            return;
        }
        b.verified = true;
        goOnline(b);
    }

    private void goOnline(Buddy b) {
        b.online = true;
        b.backoff = Duration.ZERO;
        LOG.info("{}: {} connected and verified", account.name(), b.id);
        Channel out = b.out;
        out.write(TorChatPackets.client(CLIENT));
        out.write(TorChatPackets.version(VERSION));
        List<String> supports = new ArrayList<>(List.of("groupchat", "latency", "typing"));
        if (cfg.broadcastEnabled()) {
            supports.add("broadcast");
        }
        out.write(TorChatPackets.supports(supports));
        if (b.ownProfile != null) {
            writeOwnProfile(out, b.ownProfile);
        } else {
            if (!cfg.profileName().isEmpty()) {
                out.write(TorChatPackets.profileName(cfg.profileName()));
            }
            if (!cfg.profileText().isEmpty()) {
                out.write(TorChatPackets.profileText(cfg.profileText()));
            }
            if (cfg.avatar() != null) {
                out.write(TorChatPackets.profileAvatarAlpha(cfg.avatar().alpha()));
                out.write(TorChatPackets.profileAvatar(cfg.avatar().rgb()));
            }
        }
        if (b.kind == BuddyKind.PERMANENT) {
            out.write(TorChatPackets.addMe());
        }
        out.write(TorChatPackets.status(ownStatus));
        while (!b.queue.isEmpty()) {
            PendingSend p = b.queue.poll();
            if (p.timeout != null) {
                p.timeout.cancel(false);
            }
            writeAll(b, p.packets, p.done, p.resultId);
        }
        out.flush();
        for (OutgoingFile t : b.sending.values()) {
            startOrResume(b, t);
        }
    }

    /** Drops both connections to a buddy and reports it gone. */
    private void disconnect(Buddy b, String reason, boolean reconnect) {
        boolean wasOnline = b.online;
        Channel in = b.in;
        Channel out = b.out;
        b.in = null;
        b.out = null;
        b.outReady = false;
        b.verified = false;
        b.online = false;
        b.pongSent = false;
        b.myCookie = null;
        b.theirCookie = null;
        b.typing = false;
        b.latencyPings.clear();
        if (in != null) {
            owners.remove(in);
            in.close();
        }
        if (out != null) {
            owners.remove(out);
            out.close();
        }
        if (wasOnline && !closed) {
            LOG.info("{}: {} disconnected ({})", account.name(), b.id, reason);
            b.status = "";
            emit(
                    new PresenceUpdate(
                            buddyAddress(b),
                            sender(b),
                            PresenceUpdate.Status.OFFLINE,
                            b.profileText));
            for (Group g : List.copyOf(groups.values())) {
                memberGone(g, b.id, "disconnected");
            }
        }
        if (reconnect && shouldReconnect(b)) {
            scheduleReconnect(b);
        }
    }

    private boolean shouldReconnect(Buddy b) {
        if (closed || b.kind == BuddyKind.BLOCKED || !buddies.containsKey(b.id)) {
            return false;
        }
        if (b.kind == BuddyKind.PERMANENT
                || !b.queue.isEmpty()
                || !b.sending.isEmpty()
                || !b.receiving.isEmpty()) {
            return true;
        }
        for (Group g : groups.values()) {
            if (g.members.contains(b.id)
                    || g.candidates.contains(b.id)
                    || g.invitees.contains(b.id)) {
                return true;
            }
        }
        return false;
    }

    private void scheduleReconnect(Buddy b) {
        if (closed || b.reconnect != null || b.out != null) {
            return;
        }
        long min = cfg.reconnectMin().toMillis();
        long next =
                b.backoff.isZero()
                        ? min
                        : Math.min(cfg.reconnectMax().toMillis(), b.backoff.toMillis() * 2);
        b.backoff = Duration.ofMillis(next);
        long delay = next + (long) (random.nextDouble() * next / 10);
        b.reconnect =
                loop.schedule(
                        () -> {
                            b.reconnect = null;
                            dial(b);
                        },
                        delay,
                        TimeUnit.MILLISECONDS);
    }

    private static void cancelReconnect(Buddy b) {
        if (b.reconnect != null) {
            b.reconnect.cancel(false);
            b.reconnect = null;
        }
    }

    void onClosed(Channel ch) {
        Buddy b = owners.remove(ch);
        if (b != null && (b.in == ch || b.out == ch)) {
            disconnect(b, "connection closed", true);
        }
    }

    void onError(Channel ch, Role role, Throwable cause) {
        Buddy b = owners.get(ch);
        if (cause instanceof TorChatCodecException e && b != null && b.verified) {
            LOG.debug(
                    "{}: skipping malformed packet from {}: {}",
                    account.name(),
                    b.id,
                    e.getMessage());
            return;
        }
        if (!ch.isOpen()) {
            return;
        }
        LOG.info(
                "{}: closing {} connection {} ({}): {}",
                account.name(),
                role == Role.IN ? "incoming" : "outgoing",
                ch.remoteAddress(),
                b == null ? "unidentified" : b.id,
                cause.toString());
        ch.close();
    }

    // ---- timers
    // -----------------------------------------------------------------------------------

    private void keepalive() {
        if (closed) {
            return;
        }
        for (Buddy b : buddies.values()) {
            if (b.online) {
                write(b, TorChatPackets.status(ownStatus));
                if (b.supports.contains("latency")) {
                    sendLatencyPing(b);
                }
            }
        }
    }

    private void housekeeping() {
        if (closed) {
            return;
        }
        long now = System.nanoTime();
        for (Buddy b : List.copyOf(buddies.values())) {
            if (b.online && now - b.lastSeenNanos > cfg.silence().toNanos()) {
                disconnect(b, "silent for " + cfg.silence().toSeconds() + " s", true);
                continue;
            }
            if (b.kind == BuddyKind.PERMANENT && b.out == null && b.reconnect == null) {
                scheduleReconnect(b);
            }
            if (b.online) {
                for (OutgoingFile t : b.sending.values()) {
                    if (t.started && now - t.lastProgressNanos > cfg.fileTimeout().toNanos()) {
                        LOG.info(
                                "{}: transfer {} to {} stalled; resending from block {}",
                                account.name(),
                                t.id,
                                b.id,
                                t.lowest);
                        t.rewind();
                        pump(b, t);
                    }
                }
            }
        }
        long horizon = now - BROADCAST_MEMORY.toNanos();
        broadcastSeen.values().removeIf(t -> t < horizon);
    }

    private void sendLatencyPing(Buddy b) {
        String id = UUID.randomUUID().toString();
        if (b.latencyPings.size() > 16) {
            b.latencyPings.clear();
        }
        b.latencyPings.put(id, System.nanoTime());
        write(b, TorChatPackets.latencyPing(id));
    }

    // ---- packets from a verified buddy
    // ------------------------------------------------------------

    private void dispatch(Buddy b, TorChatPacket p) {
        if (p instanceof Message m) {
            if (b.typing) {
                b.typing = false;
                emit(new Typing(buddyAddress(b), sender(b), Typing.State.STOPPED));
            }
            host.metrics().increment("torchat_messages_received", 1);
            emit(
                    ChatMessage.of(
                            buddyAddress(b), sender(b), UUID.randomUUID().toString(), m.text()));
        } else if (p instanceof Status s) {
            String before = b.status;
            b.status = s.status();
            if (!s.status().equals(before)) {
                emit(
                        new PresenceUpdate(
                                buddyAddress(b), sender(b), presence(s.status()), b.profileText));
            }
        } else if (p instanceof Client c) {
            b.client = c.client();
            profiles.put(b.id, b.profile());
        } else if (p instanceof Version v) {
            b.version = v.version();
            profiles.put(b.id, b.profile());
        } else if (p instanceof Supports s) {
            b.supports = Set.copyOf(s.extensions());
        } else if (p instanceof AddMe) {
            if (b.kind == BuddyKind.TEMPORARY) {
                setKind(b, BuddyKind.PERMANENT);
            }
        } else if (p instanceof RemoveMe) {
            LOG.info("{}: {} asked to be removed", account.name(), b.id);
            buddies.remove(b.id);
            host.store().remove("buddy." + b.id);
            disconnect(b, "remove_me", false);
        } else if (p instanceof ProfileName n) {
            b.profileName = n.profileName();
            saveProfile(b);
            emitProfile(b);
        } else if (p instanceof ProfileText t) {
            boolean changed = !t.text().equals(b.profileText);
            b.profileText = t.text();
            saveProfile(b);
            if (changed && !b.status.isEmpty()) {
                emit(
                        new PresenceUpdate(
                                buddyAddress(b), sender(b), presence(b.status), b.profileText));
            }
            emitProfile(b);
        } else if (p instanceof ProfileAvatarAlpha a) {
            // The RGB plane follows; the profile is reported once it is there.
            b.avatarAlpha = a.alpha();
            saveProfile(b);
        } else if (p instanceof ProfileAvatar a) {
            b.avatarRgb = a.rgb();
            saveProfile(b);
            emitProfile(b);
        } else if (p instanceof TypingState t) {
            Typing.State state =
                    switch (t.kind()) {
                        case START -> Typing.State.TYPING;
                        case THINKING -> Typing.State.PAUSED;
                        case STOP -> Typing.State.STOPPED;
                    };
            b.typing = state != Typing.State.STOPPED;
            emit(new Typing(buddyAddress(b), sender(b), state));
        } else if (p instanceof LatencyPing lp) {
            write(b, TorChatPackets.latencyPong(lp.id()));
        } else if (p instanceof LatencyPong lp) {
            Long sent = b.latencyPings.remove(lp.id());
            if (sent != null) {
                Duration rtt = Duration.ofNanos(System.nanoTime() - sent);
                b.latency = rtt;
                latencies.put(b.id, rtt);
                host.metrics().record("torchat_latency", rtt, "buddy", b.id);
            }
        } else if (p instanceof BroadcastMessage bm) {
            onBroadcast(b, bm.text());
        } else if (p instanceof Filename f) {
            onFilename(b, f);
        } else if (p instanceof Filedata d) {
            onFiledata(b, d);
        } else if (p instanceof FiledataOk ok) {
            OutgoingFile t = b.sending.get(ok.id());
            if (t != null && t.ack(ok.offset())) {
                if (t.complete()) {
                    finishOutgoing(b, t);
                } else {
                    pump(b, t);
                }
            }
        } else if (p instanceof FiledataError err) {
            OutgoingFile t = b.sending.get(err.id());
            if (t != null) {
                LOG.info(
                        "{}: {} reports a bad block at {} of {}; resending",
                        account.name(),
                        b.id,
                        err.offset(),
                        t.id);
                t.resendFrom(err.offset());
                pump(b, t);
            }
        } else if (p instanceof FileStopSending s) {
            OutgoingFile t = b.sending.remove(s.id());
            if (t != null) {
                t.closeFile();
                LOG.info("{}: {} stopped transfer {}", account.name(), b.id, t.id);
                emit(
                        new FileProgress(
                                buddyAddress(b),
                                t.offerId,
                                t.acknowledgedBytes(),
                                t.file.size(),
                                FileProgress.State.DECLINED,
                                "receiver stopped the transfer"));
                t.done.completeExceptionally(
                        DeliveryException.permanent("receiver stopped the transfer"));
            }
        } else if (p instanceof FileStopReceiving s) {
            IncomingFile in = b.receiving.remove(s.id());
            if (in != null) {
                in.upload.abort();
                emit(
                        new FileProgress(
                                buddyAddress(b),
                                in.id,
                                in.receivedBytes(),
                                in.size,
                                FileProgress.State.FAILED,
                                "sender stopped the transfer"));
            }
        } else if (p instanceof GroupchatInvite
                || p instanceof GroupchatParticipants
                || p instanceof GroupchatIsParticipating
                || p instanceof GroupchatParticipating
                || p instanceof GroupchatNotParticipating
                || p instanceof GroupchatJoin
                || p instanceof GroupchatLeave
                || p instanceof GroupchatInvited
                || p instanceof GroupchatMessage) {
            onGroupchat(b, p);
        } else if (p instanceof Unknown u) {
            write(b, TorChatPackets.notImplemented(u.name()));
        } else if (p instanceof NotImplemented n) {
            LOG.debug("{}: {} does not implement {}", account.name(), b.id, n.command());
        }
    }

    private static PresenceUpdate.Status presence(String status) {
        return switch (status) {
            case "away" -> PresenceUpdate.Status.AWAY;
            case "xa" -> PresenceUpdate.Status.XA;
            default -> PresenceUpdate.Status.AVAILABLE;
        };
    }

    // ---- file transfer
    // ----------------------------------------------------------------------------

    private void onFilename(Buddy b, Filename f) {
        if (f.blockSize() > MAX_BLOCK) {
            write(b, TorChatPackets.fileStopSending(f.id()));
            return;
        }
        IncomingFile existing = b.receiving.get(f.id());
        if (existing != null && existing.size == f.size() && existing.blockSize == f.blockSize()) {
            LOG.info(
                    "{}: {} resumes transfer {} at {} bytes",
                    account.name(),
                    b.id,
                    f.id(),
                    existing.receivedBytes());
            return;
        }
        FileSpool.Upload upload;
        try {
            upload = host.spool().receive(buddyAddress(b), f.id(), f.fileName(), f.size(), null);
        } catch (SpoolException e) {
            LOG.info(
                    "{}: refusing file {} from {}: {}",
                    account.name(),
                    f.fileName(),
                    b.id,
                    e.getMessage());
            write(b, TorChatPackets.fileStopSending(f.id()));
            return;
        }
        IncomingFile in = new IncomingFile(f.id(), f.fileName(), f.size(), f.blockSize(), upload);
        b.receiving.put(f.id(), in);
        LOG.info("{}: receiving {} ({} bytes) from {}", account.name(), in.name, in.size, b.id);
        emit(
                new FileProgress(
                        buddyAddress(b),
                        in.id,
                        in.receivedBytes(),
                        in.size,
                        FileProgress.State.TRANSFERRING,
                        ""));
        if (in.complete()) {
            finishIncoming(b, in);
        }
    }

    private void onFiledata(Buddy b, Filedata d) {
        IncomingFile in = b.receiving.get(d.id());
        if (in == null) {
            write(b, TorChatPackets.fileStopSending(d.id()));
            return;
        }
        int expected = in.expectedLength(d.offset());
        if (expected < 0) {
            LOG.info(
                    "{}: bad offset {} in transfer {} from {}; stopping",
                    account.name(),
                    d.offset(),
                    in.id,
                    b.id);
            b.receiving.remove(in.id);
            in.upload.abort();
            write(b, TorChatPackets.fileStopSending(in.id));
            return;
        }
        if (expected != d.length() || !d.md5Matches()) {
            LOG.info(
                    "{}: damaged block at {} of {} from {}; asking again",
                    account.name(),
                    d.offset(),
                    in.id,
                    b.id);
            write(b, TorChatPackets.filedataError(in.id, d.offset()));
            return;
        }
        try {
            byte[] block = d.block();
            in.upload.write(d.offset(), block, 0, block.length);
        } catch (SpoolException e) {
            LOG.info("{}: spool refused transfer {}: {}", account.name(), in.id, e.getMessage());
            b.receiving.remove(in.id);
            in.upload.abort();
            write(b, TorChatPackets.fileStopSending(in.id));
            return;
        }
        long before = in.receivedBytes();
        in.received(d.offset());
        write(b, TorChatPackets.filedataOk(in.id, d.offset()));
        if (before / PROGRESS_STEP != in.receivedBytes() / PROGRESS_STEP && !in.complete()) {
            emit(
                    new FileProgress(
                            buddyAddress(b),
                            in.id,
                            in.receivedBytes(),
                            in.size,
                            FileProgress.State.TRANSFERRING,
                            ""));
        }
        if (in.complete()) {
            finishIncoming(b, in);
        }
    }

    private void finishIncoming(Buddy b, IncomingFile in) {
        b.receiving.remove(in.id);
        // completing hashes the whole file: disk work for the scheduler, not the event loop
        try {
            host.scheduler()
                    .execute(
                            () -> {
                                SpooledFile sf = null;
                                SpoolException failure = null;
                                try {
                                    sf = in.upload.complete();
                                } catch (SpoolException e) {
                                    failure = e;
                                }
                                SpooledFile done = sf;
                                SpoolException failed = failure;
                                exec(() -> announceIncoming(b, in, done, failed));
                            });
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: scheduler gone, transfer {} not finished", account.name(), in.id);
        }
    }

    private void announceIncoming(
            Buddy b, IncomingFile in, SpooledFile sf, SpoolException failure) {
        try {
            if (failure != null) {
                throw failure;
            }
            LOG.info(
                    "{}: received {} ({} bytes) from {}",
                    account.name(),
                    sf.name(),
                    sf.size(),
                    b.id);
            emit(
                    new FileProgress(
                            buddyAddress(b),
                            in.id,
                            sf.size(),
                            sf.size(),
                            FileProgress.State.COMPLETE,
                            ""));
            emit(
                    new FileOffer(
                            buddyAddress(b),
                            sender(b),
                            in.id,
                            sf.name(),
                            sf.size(),
                            sf.sha256(),
                            sf.mediaType(),
                            sf.spoolId()));
        } catch (SpoolException e) {
            LOG.info(
                    "{}: transfer {} from {} failed: {}",
                    account.name(),
                    in.id,
                    b.id,
                    e.getMessage());
            write(b, TorChatPackets.fileStopSending(in.id));
            emit(
                    new FileProgress(
                            buddyAddress(b),
                            in.id,
                            0,
                            in.size,
                            FileProgress.State.FAILED,
                            e.getMessage()));
        }
    }

    private void sendFile(Buddy b, FileOffer offer, CompletableFuture<String> f) {
        if (offer.spoolId() == null) {
            throw DeliveryException.permanent("file offer without spooled bytes");
        }
        SpooledFile file =
                host.spool()
                        .find(offer.spoolId())
                        .orElseThrow(
                                () ->
                                        DeliveryException.permanent(
                                                "spooled file " + offer.spoolId() + " not found"));
        OutgoingFile t =
                new OutgoingFile(
                        UUID.randomUUID().toString(),
                        b.id,
                        file,
                        cfg.fileBlock(),
                        cfg.fileWindow(),
                        f);
        t.offerId = offer.offerId();
        b.sending.put(t.id, t);
        LOG.info(
                "{}: sending {} ({} bytes) to {} as {}",
                account.name(),
                file.name(),
                file.size(),
                b.id,
                t.id);
        if (b.online) {
            startOrResume(b, t);
        } else {
            dialSoon(b);
            loop.schedule(
                    () -> {
                        if (!t.started && b.sending.remove(t.id) != null) {
                            t.done.completeExceptionally(
                                    DeliveryException.offline(b.id + " is not reachable"));
                        }
                    },
                    cfg.sendTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void startOrResume(Buddy b, OutgoingFile t) {
        if (t.started) {
            LOG.info(
                    "{}: resuming transfer {} to {} at block {}",
                    account.name(),
                    t.id,
                    b.id,
                    t.lowest);
        }
        t.started = true;
        t.rewind();
        write(b, TorChatPackets.filename(t.id, t.file.size(), t.blockSize, t.file.name()));
        if (t.complete()) {
            finishOutgoing(b, t);
        } else {
            pump(b, t);
        }
    }

    private void pump(Buddy b, OutgoingFile t) {
        if (!b.online) {
            return;
        }
        boolean wrote = false;
        for (int block; (block = t.nextBlock()) >= 0; ) {
            try {
                b.out.write(
                        TorChatPackets.filedata(t.id, (long) block * t.blockSize, t.read(block)));
                wrote = true;
            } catch (IOException e) {
                LOG.warn(
                        "{}: cannot read spooled file for {}: {}",
                        account.name(),
                        t.id,
                        e.getMessage());
                b.sending.remove(t.id);
                t.closeFile();
                write(b, TorChatPackets.fileStopReceiving(t.id));
                t.done.completeExceptionally(DeliveryException.permanent("cannot read the file"));
                return;
            }
        }
        if (wrote) {
            b.out.flush();
        }
    }

    private void finishOutgoing(Buddy b, OutgoingFile t) {
        b.sending.remove(t.id);
        t.closeFile();
        LOG.info("{}: sent {} to {}", account.name(), t.file.name(), b.id);
        emit(
                new FileProgress(
                        buddyAddress(b),
                        t.offerId,
                        t.file.size(),
                        t.file.size(),
                        FileProgress.State.COMPLETE,
                        ""));
        t.done.complete(t.id);
    }

    // ---- groupchat
    // --------------------------------------------------------------------------------

    private void onGroupchat(Buddy b, TorChatPacket p) {
        if (p instanceof GroupchatInvite inv) {
            Group g = groups.get(inv.id());
            if (g != null && g.joined) {
                return;
            }
            groups.put(inv.id(), new Group(inv.id(), b.id));
            LOG.info("{}: {} invites us to groupchat {}", account.name(), b.id, inv.id());
        } else if (p instanceof GroupchatParticipants gp) {
            Group g = groups.get(gp.id());
            if (g == null) {
                return;
            }
            if (!g.joined && b.id.equals(g.inviter)) {
                List<String> list = new ArrayList<>();
                for (String id : gp.participants()) {
                    String n = OnionId.normalise(id);
                    if (n != null && !n.equals(myId) && !n.equals(b.id)) {
                        list.add(n);
                    }
                }
                if (list.isEmpty()) {
                    g.joined = true;
                    g.members.add(b.id);
                    g.members.addAll(g.candidates);
                    g.candidates.clear();
                    write(b, TorChatPackets.groupchatJoin(g.id));
                    LOG.info(
                            "{}: joined groupchat {} ({} members)",
                            account.name(),
                            g.id,
                            g.members.size() + 1);
                    for (String m : g.members) {
                        Buddy mb = buddy(m, BuddyKind.TEMPORARY);
                        if (mb.out == null) {
                            dial(mb);
                        }
                    }
                    emitMembers(g);
                    return;
                }
                for (String id : list) {
                    Buddy other = buddies.get(id);
                    if (other != null && other.kind == BuddyKind.BLOCKED) {
                        LOG.info(
                                "{}: refusing groupchat {}: {} is blocked",
                                account.name(),
                                g.id,
                                id);
                        groups.remove(g.id);
                        write(b, TorChatPackets.groupchatLeave(g.id, ""));
                        return;
                    }
                }
                for (String id : list) {
                    if (g.candidates.add(id)) {
                        send(
                                buddy(id, BuddyKind.TEMPORARY),
                                TorChatPackets.groupchatIsParticipating(g.id));
                    }
                }
                write(b, TorChatPackets.groupchatParticipants(g.id, List.copyOf(g.candidates)));
            } else if (g.joined && g.invitees.contains(b.id)) {
                List<String> missing = new ArrayList<>();
                for (String m : g.members) {
                    if (!m.equals(b.id) && !gp.participants().contains(m)) {
                        missing.add(m);
                    }
                }
                write(b, TorChatPackets.groupchatParticipants(g.id, missing));
            }
        } else if (p instanceof GroupchatIsParticipating q) {
            Group g = groups.get(q.id());
            write(
                    b,
                    g != null
                            ? TorChatPackets.groupchatParticipating(q.id())
                            : TorChatPackets.groupchatNotParticipating(q.id()));
        } else if (p instanceof GroupchatNotParticipating np) {
            Group g = groups.get(np.id());
            if (g != null) {
                g.candidates.remove(b.id);
                memberGone(g, b.id, "not participating");
            }
        } else if (p instanceof GroupchatJoin j) {
            Group g = groups.get(j.id());
            if (g != null && g.joined && g.invitees.remove(b.id)) {
                for (String m : g.members) {
                    send(
                            buddy(m, BuddyKind.TEMPORARY),
                            TorChatPackets.groupchatInvited(g.id, b.id));
                }
                g.members.add(b.id);
                LOG.info("{}: {} joined groupchat {}", account.name(), b.id, g.id);
                emit(RoomUpdate.joined(groupAddress(g), sender(b)));
                emitMembers(g);
            }
        } else if (p instanceof GroupchatLeave l) {
            Group g = groups.get(l.id());
            if (g == null) {
                return;
            }
            g.invitees.remove(b.id);
            g.candidates.remove(b.id);
            if (!g.joined && b.id.equals(g.inviter)) {
                groups.remove(g.id);
                return;
            }
            memberGone(g, b.id, l.reason());
        } else if (p instanceof GroupchatInvited inv) {
            Group g = groups.get(inv.id());
            String who = OnionId.normalise(inv.invited());
            if (g != null
                    && g.joined
                    && g.members.contains(b.id)
                    && who != null
                    && !who.equals(myId)
                    && g.members.add(who)) {
                Buddy nb = buddy(who, BuddyKind.TEMPORARY);
                if (nb.out == null) {
                    dial(nb);
                }
                emit(RoomUpdate.joined(groupAddress(g), sender(nb)));
                emitMembers(g);
            }
        } else if (p instanceof GroupchatMessage m) {
            Group g = groups.get(m.id());
            if (g != null && g.joined) {
                if (g.members.add(b.id)) {
                    emit(RoomUpdate.joined(groupAddress(g), sender(b)));
                }
                emit(
                        ChatMessage.of(
                                groupAddress(g),
                                sender(b),
                                UUID.randomUUID().toString(),
                                m.text()));
            }
        }
    }

    private void memberGone(Group g, String id, String reason) {
        if (g.members.remove(id)) {
            Buddy b = buddies.get(id);
            emit(RoomUpdate.left(groupAddress(g), b != null ? sender(b) : Sender.of(id), reason));
            if (g.members.isEmpty() && g.inviter != null) {
                LOG.info("{}: groupchat {} has no participants left", account.name(), g.id);
                groups.remove(g.id);
            }
        }
    }

    private void doInvite(String gid, String buddyId) {
        Group g = groups.get(gid);
        if (g == null || !g.joined) {
            throw new IllegalArgumentException("not in groupchat " + gid);
        }
        String id = OnionId.normalise(buddyId);
        if (id == null || id.equals(myId)) {
            throw new IllegalArgumentException("not a TorChat id: " + buddyId);
        }
        Buddy b = buddy(id, BuddyKind.TEMPORARY);
        if (b.kind == BuddyKind.BLOCKED) {
            throw new IllegalArgumentException(id + " is blocked");
        }
        g.invitees.add(id);
        List<String> others = new ArrayList<>(g.members);
        others.remove(id);
        send(b, TorChatPackets.groupchatInvite(gid, List.of()));
        send(b, TorChatPackets.groupchatParticipants(gid, others));
        LOG.info("{}: invited {} to groupchat {}", account.name(), id, gid);
    }

    private void emitMembers(Group g) {
        List<Sender> members = new ArrayList<>();
        members.add(Sender.self(myId == null ? account.name() : myId));
        for (String m : g.members) {
            Buddy b = buddies.get(m);
            members.add(b != null ? sender(b) : Sender.of(m));
        }
        emit(RoomUpdate.members(groupAddress(g), members));
    }

    // ---- broadcast
    // --------------------------------------------------------------------------------

    private void onBroadcast(Buddy from, String text) {
        if (!cfg.broadcastEnabled()) {
            return;
        }
        if (!remember(text)) {
            return;
        }
        emit(
                ChatMessage.of(
                        self.withId(cfg.broadcastConversation()),
                        Sender.of("broadcast", "broadcast"),
                        UUID.randomUUID().toString(),
                        text));
        relayBroadcast(text, from.id);
    }

    /** True when the text was not seen in the last 360 s (and remembers it). */
    private boolean remember(String text) {
        long now = System.nanoTime();
        Long seen = broadcastSeen.get(text);
        if (seen != null && now - seen < BROADCAST_MEMORY.toNanos()) {
            return false;
        }
        broadcastSeen.put(text, now);
        return true;
    }

    private int relayBroadcast(String text, String except) {
        int n = 0;
        for (Buddy b : buddies.values()) {
            if (b.online && b.supports.contains("broadcast") && !b.id.equals(except)) {
                write(b, TorChatPackets.broadcastMessage(text));
                n++;
            }
        }
        return n;
    }

    // ---- deliveries
    // -------------------------------------------------------------------------------

    private void doDeliver(Delivery d, CompletableFuture<String> f) {
        BridgeEvent e = d.event();
        String conv = d.destination().id();
        if (e instanceof ChatMessage m) {
            if (m.isRetraction()) {
                f.complete(null);
                return;
            }
            String text = d.text().isEmpty() ? m.text() : d.text();
            String msgId = UUID.randomUUID().toString();
            if (conv.startsWith("group:")) {
                deliverToGroup(conv.substring(6), text, msgId, f);
            } else if (conv.equals(cfg.broadcastConversation())) {
                if (!cfg.broadcastEnabled()) {
                    throw DeliveryException.permanent("broadcast is disabled for this account");
                }
                remember(text);
                relayBroadcast(text, null);
                f.complete(msgId);
            } else {
                Buddy b = target(conv);
                if (b.kind == BuddyKind.TEMPORARY) {
                    setKind(b, BuddyKind.PERMANENT);
                }
                List<TorChatPacket> packets = new ArrayList<>();
                for (String chunk : chunks(text)) {
                    packets.add(TorChatPackets.message(chunk));
                }
                host.metrics().increment("torchat_messages_sent", 1);
                sendOrQueue(b, packets, f, msgId);
            }
        } else if (e instanceof Typing t) {
            Buddy b = buddies.get(conv);
            if (b != null && b.online && b.supports.contains("typing")) {
                TypingState.Kind kind =
                        switch (t.state()) {
                            case TYPING -> TypingState.Kind.START;
                            case PAUSED -> TypingState.Kind.THINKING;
                            case STOPPED -> TypingState.Kind.STOP;
                        };
                write(b, TorChatPackets.typing(kind));
            }
            f.complete(null);
        } else if (e instanceof PresenceUpdate pu) {
            String status =
                    switch (pu.status()) {
                        case AVAILABLE -> "available";
                        case AWAY, DND -> "away";
                        case XA, OFFLINE -> "xa";
                    };
            if (conv.isEmpty()) {
                ownStatus = status;
                for (Buddy b : buddies.values()) {
                    if (b.online) {
                        write(b, TorChatPackets.status(status));
                    }
                }
            } else {
                Buddy b = buddies.get(conv);
                if (b != null && b.online) {
                    write(b, TorChatPackets.status(status));
                }
            }
            f.complete(null);
        } else if (e instanceof FileOffer offer) {
            if (conv.startsWith("group:")) {
                throw DeliveryException.permanent("files go to buddies, not groupchats");
            }
            sendFile(target(conv), offer, f);
        } else if (e instanceof ProfileUpdate pu) {
            if (!conv.startsWith("group:") && !conv.equals(cfg.broadcastConversation())) {
                deliverProfile(conv, pu);
            }
            f.complete(null);
        } else {
            f.complete(null);
        }
    }

    private Buddy target(String conv) {
        String id = OnionId.normalise(conv);
        if (id == null) {
            throw DeliveryException.permanent("not a TorChat id: '" + conv + "'");
        }
        Buddy b = buddy(id, BuddyKind.PERMANENT);
        if (b.kind == BuddyKind.BLOCKED) {
            throw DeliveryException.permanent(id + " is blocked");
        }
        return b;
    }

    private void deliverToGroup(
            String gid, String text, String msgId, CompletableFuture<String> f) {
        Group g = groups.get(gid);
        if (g == null || !g.joined) {
            throw DeliveryException.permanent("not in groupchat " + gid);
        }
        if (text.startsWith("/invite ")) {
            doInvite(gid, text.substring(8).trim());
            f.complete(null);
            return;
        }
        for (String m : g.members) {
            Buddy b = buddy(m, BuddyKind.TEMPORARY);
            for (String chunk : chunks(text)) {
                send(b, TorChatPackets.groupchatMessage(gid, chunk));
            }
        }
        f.complete(msgId);
    }

    private static List<String> chunks(String text) {
        if (TorChatEscaping.escapedLength(text) <= TorChatPacketLimit.TEXT_CHUNK) {
            return List.of(text);
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        int size = 0;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int n = Character.charCount(cp);
            int len = TorChatEscaping.escapedLength(text.substring(i, i + n));
            if (size + len > TorChatPacketLimit.TEXT_CHUNK) {
                out.add(text.substring(start, i));
                start = i;
                size = 0;
            }
            size += len;
            i += n;
        }
        out.add(text.substring(start));
        return out;
    }

    /** Sends at once when the buddy is online, else queues (failing after the send timeout). */
    private void sendOrQueue(
            Buddy b, List<TorChatPacket> packets, CompletableFuture<String> f, String resultId) {
        if (b.online) {
            writeAll(b, packets, f, resultId);
            b.out.flush();
            return;
        }
        PendingSend p = new PendingSend(packets, f, resultId);
        p.timeout =
                loop.schedule(
                        () -> {
                            if (b.queue.remove(p)) {
                                p.done.completeExceptionally(
                                        DeliveryException.offline(b.id + " is not reachable"));
                            }
                        },
                        cfg.sendTimeout().toMillis(),
                        TimeUnit.MILLISECONDS);
        b.queue.add(p);
        dialSoon(b);
    }

    private void dialSoon(Buddy b) {
        if (b.out == null) {
            cancelReconnect(b);
            dial(b);
        }
    }

    /** A protocol packet that waits for the buddy to come online when needed. */
    private void send(Buddy b, TorChatPacket p) {
        sendOrQueue(b, List.of(p), new CompletableFuture<>(), null);
    }

    private void writeAll(
            Buddy b, List<TorChatPacket> packets, CompletableFuture<String> f, String resultId) {
        ChannelFuture last = null;
        for (TorChatPacket p : packets) {
            last = b.out.write(p);
        }
        if (last == null) {
            f.complete(resultId);
            return;
        }
        last.addListener(
                w -> {
                    if (w.isSuccess()) {
                        f.complete(resultId);
                    } else {
                        f.completeExceptionally(
                                DeliveryException.offline("connection to " + b.id + " lost"));
                    }
                });
    }

    /** Writes and flushes on our own socket to an online buddy; dropped when it is not online. */
    private void write(Buddy b, TorChatPacket p) {
        if (b.online && b.out != null) {
            b.out.writeAndFlush(p);
        }
    }

    // ---- helpers
    // ----------------------------------------------------------------------------------

    private Address buddyAddress(Buddy b) {
        return self.withId(b.id);
    }

    private Address groupAddress(Group g) {
        return self.withId("group:" + g.id);
    }

    private Sender sender(Buddy b) {
        return Sender.of(b.id, b.nick());
    }

    /**
     * Reports a buddy's profile (name, text, avatar as PNG) in its 1:1 conversation and in every
     * groupchat it is a member of, unless it is the same as last time.
     */
    private void emitProfile(Buddy b) {
        ProfileUpdate p;
        try {
            byte[] png = Avatars.toPng(b.avatarRgb, b.avatarAlpha);
            p =
                    new ProfileUpdate(
                            buddyAddress(b),
                            sender(b),
                            clip(b.profileName),
                            clip(b.profileText),
                            png,
                            png == null ? null : "image/png");
        } catch (RuntimeException e) {
            LOG.warn("{}: profile of {} not reported: {}", account.name(), b.id, e.toString());
            return;
        }
        if (p.equals(b.lastProfile)) {
            return;
        }
        b.lastProfile = p;
        LOG.debug("{}: profile of {} changed", account.name(), b.id);
        emit(p);
        for (Group g : groups.values()) {
            if (g.members.contains(b.id)) {
                emit(p.withConversation(groupAddress(g)));
            }
        }
    }

    private static String clip(String s) {
        return s.length() <= ProfileUpdate.MAX_TEXT ? s : s.substring(0, ProfileUpdate.MAX_TEXT);
    }

    /** Shows a delivered profile to the buddy of a 1:1 conversation as our own. */
    private void deliverProfile(String conv, ProfileUpdate pu) {
        String id = OnionId.normalise(conv);
        Buddy b = id == null ? null : buddies.get(id);
        if (b == null || b.kind == BuddyKind.BLOCKED) {
            return;
        }
        byte[] rgb = new byte[0];
        byte[] alpha = new byte[0];
        if (pu.hasAvatar()) {
            try {
                Avatars.Planes planes = Avatars.fromImage(pu.avatar());
                rgb = planes.rgb();
                alpha = planes.alpha();
            } catch (IllegalArgumentException e) {
                LOG.info("{}: avatar for {} not usable: {}", account.name(), b.id, e.getMessage());
            }
        }
        b.ownProfile =
                new Buddy.OwnProfile(
                        shorten(pu.displayName().replace('\r', ' ').replace('\n', ' ')),
                        shorten(pu.text()),
                        rgb,
                        alpha);
        if (b.online && b.out != null) {
            writeOwnProfile(b.out, b.ownProfile);
            b.out.flush();
        }
    }

    /** Profile name and text sent to a buddy stay well inside a TorChat line. */
    private static String shorten(String s) {
        return s.length() <= 1000 ? s : s.substring(0, 1000);
    }

    private static void writeOwnProfile(Channel out, Buddy.OwnProfile own) {
        out.write(TorChatPackets.profileName(own.name()));
        out.write(TorChatPackets.profileText(own.text()));
        out.write(TorChatPackets.profileAvatarAlpha(own.alpha()));
        out.write(TorChatPackets.profileAvatar(own.rgb()));
    }

    private void emit(BridgeEvent e) {
        if (!closed) {
            sink.accept(e);
        }
    }

    private String newCookie() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    private static boolean isToken(String s) {
        return !s.isEmpty()
                && s.length() <= 256
                && s.indexOf(' ') < 0
                && s.indexOf('\n') < 0
                && s.indexOf('\r') < 0;
    }

    private static <T> void complete(CompletableFuture<T> f, T v, Throwable e) {
        if (e != null) {
            f.completeExceptionally(e);
        } else {
            f.complete(v);
        }
    }

    private void exec(Runnable r) {
        if (loop.inEventLoop()) {
            r.run();
            return;
        }
        try {
            loop.execute(r);
        } catch (RejectedExecutionException e) {
            LOG.debug("{}: event loop gone", account.name());
        }
    }
}
