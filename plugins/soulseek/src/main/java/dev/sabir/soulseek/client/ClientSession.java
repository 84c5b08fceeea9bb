package dev.sabir.soulseek.client;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.soulseek.Texts;
import dev.sabir.soulseek.codec.PeerEncoder;
import dev.sabir.soulseek.codec.PeerInitDecoder;
import dev.sabir.soulseek.codec.PeerInitMessage;
import dev.sabir.soulseek.codec.PeerMessage;
import dev.sabir.soulseek.codec.PeerMessageDecoder;
import dev.sabir.soulseek.codec.ServerMessage;
import dev.sabir.soulseek.codec.ServerMessage.*;
import dev.sabir.soulseek.codec.ServerMessageDecoder;
import dev.sabir.soulseek.codec.ServerMessageEncoder;
import dev.sabir.soulseek.codec.ServerMessages;
import dev.sabir.soulseek.codec.SlskIp;
import dev.sabir.soulseek.codec.SlskLimits;
import dev.sabir.soulseek.peer.PeerUploader;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Client mode: one Soulseek user (the relay identity) on a Soulseek server. Joins rooms, relays
 * room and private messages both ways, reports presence and tickers (as the room topic), pings
 * every {@code ping-interval} seconds and reconnects with exponential backoff, rejoining its rooms.
 *
 * <p>The server echoes our own room messages back; those are reported with {@link Sender#self}. A
 * Kicked message (the same user logged in elsewhere) stops the session without reconnecting, so two
 * instances do not take turns kicking each other.
 */
public final class ClientSession implements Session {
    private static final Logger log = LoggerFactory.getLogger(ClientSession.class);

    private final AccountConfig account;
    private final HostContext host;
    private final EventSink sink;
    private final ClientSettings settings;
    private final SlskLimits limits;
    private final PeerUploader uploader;
    private final Object lock = new Object();
    private final Set<String> rooms = new LinkedHashSet<>();
    private final Set<String> watched = new LinkedHashSet<>();
    private final Set<String> inRooms = new LinkedHashSet<>();
    private final Map<String, List<CompletableFuture<Void>>> joinWaiters = new LinkedHashMap<>();
    private final Map<String, Map<String, String>> tickers = new ConcurrentHashMap<>();
    private final Map<String, List<CompletableFuture<PeerAddress>>> addressWaiters =
            new LinkedHashMap<>();
    private final Set<Channel> peerChannels = ConcurrentHashMap.newKeySet();
    private final CompletableFuture<Void> firstOnline = new CompletableFuture<>();
    private volatile Channel channel;
    private volatile Channel peerListener;
    private volatile boolean loggedIn;
    private volatile boolean closed;
    private volatile boolean stopped;
    private boolean started;
    private int attempts;
    private ScheduledFuture<?> pingTask;
    private ScheduledFuture<?> reconnectTask;

    /**
     * @param account the account
     * @param host the host services
     * @param sink where events go
     */
    public ClientSession(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        this.account = account;
        this.host = host;
        this.sink = sink;
        this.settings = ClientSettings.from(account);
        this.limits =
                new SlskLimits(
                        settings.maxFrame(), Math.min(settings.maxFrame(), 1 << 20), 16 << 20);
        this.uploader = new PeerUploader(host, sink);
        rooms.addAll(settings.rooms());
    }

    /** The port peers reach us on (after connect), or 0. */
    public int peerPort() {
        Channel l = peerListener;
        return l == null ? 0 : ((InetSocketAddress) l.localAddress()).getPort();
    }

    // ------------------------------------------------------------------ Session

    @Override
    public CompletionStage<Void> connect() {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IllegalStateException("closed"));
            }
            if (started) {
                return firstOnline;
            }
            started = true;
        }
        InetSocketAddress listen = settings.peerListen();
        new ServerBootstrap()
                .group(host.eventLoops())
                .channel(NioServerSocketChannel.class)
                .childHandler(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                peerChannels.add(ch);
                                ch.closeFuture().addListener(f -> peerChannels.remove(ch));
                                if (closed) {
                                    ch.close();
                                    return;
                                }
                                ch.pipeline()
                                        .addLast(new ReadTimeoutHandler(120))
                                        .addLast("init", new PeerInitDecoder(SlskLimits.SERVER))
                                        .addLast(new PeerEncoder(SlskLimits.SERVER))
                                        .addLast("peer", new IncomingPeerHandler());
                            }
                        })
                .bind(listen.getHostString(), listen.getPort())
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (f.isSuccess()) {
                                        peerListener = f.channel();
                                        if (closed) {
                                            f.channel().close();
                                            return;
                                        }
                                    } else {
                                        log.warn(
                                                "soulseek {}: cannot listen for peers on {}: {}",
                                                account.name(),
                                                listen,
                                                f.cause().toString());
                                    }
                                    dial();
                                });
        return firstOnline;
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        String id = conversation.id();
        if (id.startsWith("room:")) {
            String room = id.substring(5);
            String problem = Texts.roomNameProblem(room);
            if (problem != null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
            }
            CompletableFuture<Void> joined = new CompletableFuture<>();
            boolean fresh;
            synchronized (lock) {
                if (closed) {
                    return CompletableFuture.failedFuture(new IllegalStateException("closed"));
                }
                fresh = rooms.add(room);
                if (inRooms.contains(room)) {
                    return CompletableFuture.completedFuture(null);
                }
                joinWaiters.computeIfAbsent(room, r -> new ArrayList<>()).add(joined);
            }
            if (fresh) {
                send(ServerMessages.joinRoom(room));
            }
            return joined;
        }
        if (id.startsWith("user:")) {
            String user = id.substring(5);
            boolean fresh;
            synchronized (lock) {
                fresh = watched.add(user);
            }
            if (fresh) {
                send(new AddUser(user));
                send(new GetUserStatus(user));
            }
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.failedFuture(
                new IllegalArgumentException("expected room:<name> or user:<name>, got " + id));
    }

    @Override
    public CompletionStage<String> deliver(Delivery d) {
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("session closed"));
        }
        if (!loggedIn) {
            return CompletableFuture.failedFuture(DeliveryException.offline("not logged in"));
        }
        String id = d.destination().id();
        BridgeEvent e = d.event();
        if (id.startsWith("room:")) {
            String room = id.substring(5);
            if (e instanceof ChatMessage m) {
                if (m.isRetraction()) {
                    return CompletableFuture.completedFuture(null);
                }
                boolean fresh;
                synchronized (lock) {
                    fresh = rooms.add(room);
                }
                if (fresh) {
                    send(ServerMessages.joinRoom(room));
                }
                for (String line : Texts.split(d.text().isEmpty() ? m.text() : d.text())) {
                    send(ServerMessages.say(room, line));
                }
                return CompletableFuture.completedFuture(UUID.randomUUID().toString());
            }
            if (e instanceof RoomUpdate u && u.change() == RoomUpdate.Change.TOPIC) {
                send(new RoomTickerSet(room, u.detail().replaceAll("[\\r\\n]+", " ")));
            }
            return CompletableFuture.completedFuture(null);
        }
        if (id.startsWith("user:")) {
            String user = id.substring(5);
            if (e instanceof ChatMessage m) {
                if (m.isRetraction()) {
                    return CompletableFuture.completedFuture(null);
                }
                for (String line : Texts.split(d.text().isEmpty() ? m.text() : d.text())) {
                    send(ServerMessages.messageUser(user, line));
                }
                return CompletableFuture.completedFuture(null);
            }
            if (e instanceof FileOffer offer) {
                return peerAddress(user)
                        .thenCompose(
                                a -> {
                                    if (a.port() == 0) {
                                        throw DeliveryException.offline(
                                                user + " is offline or not reachable");
                                    }
                                    return uploader.upload(
                                            new InetSocketAddress(SlskIp.toInet(a.ip()), a.port()),
                                            settings.user(),
                                            d.destination(),
                                            offer);
                                });
            }
            return CompletableFuture.completedFuture(null);
        }
        if (id.isEmpty() && e instanceof PresenceUpdate p) {
            send(
                    new SetStatus(
                            p.status() == PresenceUpdate.Status.AVAILABLE
                                    ? ServerMessages.STATUS_ONLINE
                                    : ServerMessages.STATUS_AWAY));
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.failedFuture(
                DeliveryException.permanent("unknown conversation " + d.destination()));
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            cancelTimers();
            joinWaiters
                    .values()
                    .forEach(
                            l ->
                                    l.forEach(
                                            f ->
                                                    f.completeExceptionally(
                                                            new IllegalStateException("closed"))));
            joinWaiters.clear();
            for (List<CompletableFuture<PeerAddress>> l : addressWaiters.values()) {
                l.forEach(f -> f.completeExceptionally(DeliveryException.permanent("closed")));
            }
            addressWaiters.clear();
        }
        uploader.close();
        Channel ch = channel;
        if (ch != null) {
            await(ch.close());
        }
        Channel l = peerListener;
        if (l != null) {
            await(l.close());
        }
        for (Channel p : List.copyOf(peerChannels)) {
            await(p.close());
        }
        firstOnline.completeExceptionally(new IllegalStateException("closed"));
        sink.accept(new SessionState(account.address(), SessionState.State.OFFLINE, "closed"));
        log.info("soulseek {}: closed", account.name());
    }

    private static void await(ChannelFuture f) {
        if (!f.channel().eventLoop().inEventLoop()) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ connection

    private void dial() {
        if (closed || stopped) {
            return;
        }
        sink.accept(
                new SessionState(
                        account.address(),
                        SessionState.State.CONNECTING,
                        "connecting to " + settings.server()));
        InetSocketAddress server = settings.server();
        new Bootstrap()
                .group(host.eventLoops())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 15_000)
                .handler(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline()
                                        .addLast(ServerMessageDecoder.frameDecoder(limits))
                                        .addLast(
                                                new ServerMessageDecoder(
                                                        ServerMessageDecoder.Side.FROM_SERVER,
                                                        limits))
                                        .addLast(new ServerMessageEncoder())
                                        .addLast(new ServerHandler());
                            }
                        })
                .connect(server.getHostString(), server.getPort())
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (!f.isSuccess()) {
                                        log.info(
                                                "soulseek {}: cannot connect to {}: {}",
                                                account.name(),
                                                server,
                                                f.cause().getMessage());
                                        scheduleReconnect(
                                                "cannot connect: " + f.cause().getMessage());
                                        return;
                                    }
                                    Channel ch = f.channel();
                                    if (closed) {
                                        ch.close();
                                        return;
                                    }
                                    channel = ch;
                                    ch.writeAndFlush(
                                            ServerMessages.login(
                                                    settings.user(), settings.password()));
                                });
    }

    private void scheduleReconnect(String reason) {
        synchronized (lock) {
            if (closed || stopped) {
                return;
            }
            long delay =
                    Math.min(
                            (long) settings.reconnectMaxMillis(),
                            (long) settings.reconnectMinMillis() << Math.min(attempts, 20));
            attempts++;
            sink.accept(
                    new SessionState(
                            account.address(),
                            SessionState.State.CONNECTING,
                            reason + "; retrying in " + delay + " ms"));
            reconnectTask = host.scheduler().schedule(this::dial, delay, TimeUnit.MILLISECONDS);
        }
    }

    private void cancelTimers() {
        if (pingTask != null) {
            pingTask.cancel(false);
            pingTask = null;
        }
        if (reconnectTask != null) {
            reconnectTask.cancel(false);
            reconnectTask = null;
        }
    }

    private void send(ServerMessage m) {
        Channel ch = channel;
        if (ch != null && loggedIn) {
            ch.writeAndFlush(m, ch.voidPromise());
        }
    }

    private CompletableFuture<PeerAddress> peerAddress(String user) {
        CompletableFuture<PeerAddress> f = new CompletableFuture<>();
        synchronized (lock) {
            addressWaiters.computeIfAbsent(user, u -> new ArrayList<>()).add(f);
        }
        send(new GetPeerAddress(user));
        host.scheduler()
                .schedule(
                        () ->
                                f.completeExceptionally(
                                        DeliveryException.offline("no address for " + user)),
                        30,
                        TimeUnit.SECONDS);
        return f;
    }

    private Address roomAddress(String room) {
        return account.address().withId("room:" + room);
    }

    private Address userAddress(String user) {
        return account.address().withId("user:" + user);
    }

    private Sender sender(String user) {
        return user.equals(settings.user()) ? Sender.self(user) : Sender.of(user);
    }

    private static PresenceUpdate.Status status(int s) {
        return switch (s) {
            case 1 -> PresenceUpdate.Status.AWAY;
            case 2 -> PresenceUpdate.Status.AVAILABLE;
            default -> PresenceUpdate.Status.OFFLINE;
        };
    }

    private void publishTopic(String room) {
        Map<String, String> t = tickers.getOrDefault(room, Map.of());
        List<String> parts = new ArrayList<>();
        t.forEach((u, text) -> parts.add(u + ": " + text));
        sink.accept(RoomUpdate.topic(roomAddress(room), null, String.join(" | ", parts)));
    }

    // ------------------------------------------------------------------ server messages

    private final class ServerHandler extends SimpleChannelInboundHandler<FromServer> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FromServer msg) {
            if (closed) {
                return;
            }
            if (msg instanceof LoginReply m) {
                onLogin(ctx, m);
            } else if (msg instanceof ChatRoomMessage m) {
                sink.accept(
                        ChatMessage.of(
                                roomAddress(m.room()),
                                sender(m.user()),
                                UUID.randomUUID().toString(),
                                m.message()));
            } else if (msg instanceof JoinRoomReply m) {
                List<CompletableFuture<Void>> waiting;
                synchronized (lock) {
                    inRooms.add(m.room());
                    waiting = joinWaiters.remove(m.room());
                }
                if (waiting != null) {
                    waiting.forEach(f -> f.complete(null));
                }
                List<Sender> members = new ArrayList<>();
                m.members().forEach(x -> members.add(sender(x.user())));
                sink.accept(RoomUpdate.members(roomAddress(m.room()), members));
            } else if (msg instanceof UserJoinedRoom m) {
                if (!m.user().equals(settings.user())) {
                    sink.accept(RoomUpdate.joined(roomAddress(m.room()), Sender.of(m.user())));
                }
            } else if (msg instanceof UserLeftRoom m) {
                sink.accept(RoomUpdate.left(roomAddress(m.room()), sender(m.user()), ""));
            } else if (msg instanceof LeaveRoomReply m) {
                boolean wanted;
                synchronized (lock) {
                    wanted = rooms.remove(m.room());
                    inRooms.remove(m.room());
                }
                sink.accept(
                        new RoomUpdate(
                                roomAddress(m.room()),
                                wanted ? RoomUpdate.Change.KICKED : RoomUpdate.Change.LEFT,
                                Sender.self(settings.user()),
                                wanted ? "removed from the room" : "",
                                List.of()));
            } else if (msg instanceof PrivateMessage m) {
                ctx.writeAndFlush(new MessageAcked(m.id()), ctx.voidPromise());
                Instant ts = Instant.ofEpochSecond(Integer.toUnsignedLong(m.timestamp()));
                sink.accept(
                        new ChatMessage(
                                userAddress(m.user()),
                                sender(m.user()),
                                Integer.toUnsignedString(m.id()),
                                m.message(),
                                ChatMessage.MessageKind.NORMAL,
                                null,
                                null,
                                null,
                                ts));
            } else if (msg instanceof UserStatus m) {
                sink.accept(
                        new PresenceUpdate(
                                userAddress(m.user()), sender(m.user()), status(m.status()), ""));
            } else if (msg instanceof AddUserReply m) {
                sink.accept(
                        new PresenceUpdate(
                                userAddress(m.user()),
                                sender(m.user()),
                                m.exists() ? status(m.status()) : PresenceUpdate.Status.OFFLINE,
                                m.exists() ? "" : "no such user"));
            } else if (msg instanceof RoomTickers m) {
                Map<String, String> t = new LinkedHashMap<>();
                m.tickers().forEach(x -> t.put(x.user(), x.text()));
                tickers.put(m.room(), t);
                publishTopic(m.room());
            } else if (msg instanceof RoomTickerAdded m) {
                tickers.computeIfAbsent(m.room(), r -> new LinkedHashMap<>())
                        .put(m.user(), m.ticker());
                publishTopic(m.room());
            } else if (msg instanceof RoomTickerRemoved m) {
                tickers.computeIfAbsent(m.room(), r -> new LinkedHashMap<>()).remove(m.user());
                publishTopic(m.room());
            } else if (msg instanceof PrivateRoomAdded m) {
                sink.accept(
                        new RoomUpdate(
                                roomAddress(m.room()),
                                RoomUpdate.Change.JOINED,
                                Sender.self(settings.user()),
                                "added to the private room",
                                List.of()));
            } else if (msg instanceof PrivateRoomRemoved m) {
                synchronized (lock) {
                    rooms.remove(m.room());
                    inRooms.remove(m.room());
                }
                sink.accept(
                        new RoomUpdate(
                                roomAddress(m.room()),
                                RoomUpdate.Change.KICKED,
                                Sender.self(settings.user()),
                                "removed from the private room",
                                List.of()));
            } else if (msg instanceof PeerAddress m) {
                List<CompletableFuture<PeerAddress>> waiting;
                synchronized (lock) {
                    waiting = addressWaiters.remove(m.user());
                }
                if (waiting != null) {
                    waiting.forEach(f -> f.complete(m));
                }
            } else if (msg instanceof Kicked) {
                log.warn(
                        "soulseek {}: kicked by the server (logged in elsewhere); not reconnecting",
                        account.name());
                stopped = true;
                sink.accept(
                        new SessionState(
                                account.address(),
                                SessionState.State.OFFLINE,
                                "kicked: the account logged in elsewhere"));
                ctx.close();
            } else if (msg instanceof AdminMessage m) {
                log.info("soulseek {}: server says: {}", account.name(), m.message());
            } else if (msg instanceof CannotConnect m) {
                log.debug("soulseek {}: peer connection {} failed", account.name(), m.ticket());
            }
        }

        private void onLogin(ChannelHandlerContext ctx, LoginReply m) {
            if (!m.ok()) {
                log.warn("soulseek {}: login refused: {}", account.name(), m.reason());
                stopped = true;
                sink.accept(
                        new SessionState(
                                account.address(),
                                SessionState.State.OFFLINE,
                                "login refused: " + m.reason()));
                firstOnline.completeExceptionally(
                        new IllegalStateException("login refused: " + m.reason()));
                ctx.close();
                return;
            }
            List<String> toJoin;
            List<String> toWatch;
            synchronized (lock) {
                attempts = 0;
                loggedIn = true;
                toJoin = List.copyOf(rooms);
                toWatch = List.copyOf(watched);
                if (pingTask != null) {
                    pingTask.cancel(false);
                }
                Channel ch = ctx.channel();
                pingTask =
                        host.scheduler()
                                .scheduleAtFixedRate(
                                        () -> ch.writeAndFlush(new Ping(), ch.voidPromise()),
                                        settings.pingSeconds(),
                                        settings.pingSeconds(),
                                        TimeUnit.SECONDS);
            }
            log.info(
                    "soulseek {}: logged in to {} as {}",
                    account.name(),
                    settings.server(),
                    settings.user());
            send(ServerMessages.setListenPort(peerPort()));
            send(new SetStatus(ServerMessages.STATUS_ONLINE));
            send(new SharedFoldersFiles(0, 0));
            send(new HaveNoParent(true));
            toJoin.forEach(r -> send(ServerMessages.joinRoom(r)));
            toWatch.forEach(
                    u -> {
                        send(new AddUser(u));
                        send(new GetUserStatus(u));
                    });
            sink.accept(
                    new SessionState(account.address(), SessionState.State.ONLINE, "logged in"));
            firstOnline.complete(null);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn(
                    "soulseek {}: bad data from the server, reconnecting: {}",
                    account.name(),
                    cause.toString());
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            synchronized (lock) {
                if (channel == ctx.channel()) {
                    channel = null;
                }
                loggedIn = false;
                inRooms.clear();
                if (pingTask != null) {
                    pingTask.cancel(false);
                    pingTask = null;
                }
            }
            if (!closed && !stopped) {
                log.info("soulseek {}: connection to the server lost", account.name());
                scheduleReconnect("connection lost");
            }
        }
    }

    // ------------------------------------------------------------------ incoming peers

    /** Answers peers that connect to us: user info, an empty share list, no downloads. */
    private final class IncomingPeerHandler extends SimpleChannelInboundHandler<Object> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof PeerInitMessage.PeerInit init) {
                if (!"P".equals(init.type())) {
                    ctx.close();
                    return;
                }
                ctx.pipeline()
                        .addAfter(
                                "init",
                                "frames",
                                ServerMessageDecoder.frameDecoder(SlskLimits.SERVER));
                ctx.pipeline()
                        .addAfter(
                                "frames",
                                "peer-messages",
                                new PeerMessageDecoder(SlskLimits.SERVER));
            } else if (msg instanceof PeerInitMessage.PierceFirewall) {
                ctx.close();
            } else if (msg instanceof PeerMessage.UserInfoRequest) {
                ctx.writeAndFlush(
                        new PeerMessage.UserInfoReply(settings.description(), null, 0, 0, false));
            } else if (msg instanceof PeerMessage.SharesRequest) {
                ctx.writeAndFlush(new PeerMessage.SharesReply(new byte[4]));
            } else if (msg instanceof PeerMessage.TransferRequest r
                    && r.direction() == PeerMessage.TransferRequest.DOWNLOAD) {
                ctx.writeAndFlush(PeerMessage.TransferReply.deny(r.ticket(), "File not shared."));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
