package dev.sabir.soulseek.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.HostContext;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.soulseek.Texts;
import dev.sabir.soulseek.codec.ServerMessage;
import dev.sabir.soulseek.codec.ServerMessage.*;
import dev.sabir.soulseek.codec.ServerMessageDecoder;
import dev.sabir.soulseek.codec.ServerMessageEncoder;
import dev.sabir.soulseek.codec.ServerMessages;
import dev.sabir.soulseek.codec.SlskIp;
import dev.sabir.soulseek.codec.SlskLimits;
import dev.sabir.soulseek.peer.PeerUploader;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Server mode: Sabir is a Soulseek server that unmodified clients log into. It hosts public and
 * private rooms, private messages (stored until acknowledged), status, and relays peer connection
 * requests. Rooms joined through {@link #join} are bridged: messages of real users become {@link
 * ChatMessage} events, and remote participants appear as virtual room members named by {@code
 * puppet-format}.
 *
 * <p>All state is guarded by one lock; the work under it is small (no I/O waits, password hashing
 * runs on the host scheduler before the lock is taken).
 */
public final class ServerSession implements Session {
    private static final Logger log = LoggerFactory.getLogger(ServerSession.class);
    private static final String ACCOUNT = "account/";
    private static final String PM = "pm/";
    private static final String ROOM = "room/";
    private static final String NO_PRIVATE = "noprivate/";
    private static final int MAX_TICKER_BYTES = 1024;

    private final AccountConfig account;
    private final HostContext host;
    private final EventSink sink;
    private final ServerSettings settings;
    private final Passwords passwords;
    private final SlskLimits limits;
    private final ObjectMapper json = new ObjectMapper();
    private final Object lock = new Object();
    private final Map<String, Conn> online = new LinkedHashMap<>();
    private final Map<String, Room> rooms = new LinkedHashMap<>();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private final PeerUploader uploader;
    private volatile Channel serverChannel;
    private volatile boolean closed;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private int nextPmId;

    /**
     * @param account the account
     * @param host the host services
     * @param sink where events go
     */
    public ServerSession(AccountConfig account, HostContext host, EventSink sink)
            throws dev.sabir.api.InvalidConfigException {
        this.account = account;
        this.host = host;
        this.sink = sink;
        this.settings = ServerSettings.from(account);
        this.passwords = new Passwords(settings.iterations());
        this.limits =
                new SlskLimits(
                        settings.maxFrame(), Math.min(settings.maxFrame(), 16 << 10), 1 << 20);
        this.uploader = new PeerUploader(host, sink);
    }

    /** The address the listener is bound to (after {@link #connect()}). */
    public InetSocketAddress boundAddress() {
        Channel ch = serverChannel;
        return ch == null ? null : (InetSocketAddress) ch.localAddress();
    }

    // ------------------------------------------------------------------ Session

    @Override
    public CompletionStage<Void> connect() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        if (serverChannel != null || started.isDone()) {
            return started;
        }
        loadState();
        sink.accept(new SessionState(account.address(), SessionState.State.CONNECTING, "binding"));
        InetSocketAddress listen = settings.listen();
        new ServerBootstrap()
                .group(host.eventLoops())
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                if (closed) {
                                    ch.close();
                                    return;
                                }
                                channels.add(ch);
                                ch.closeFuture().addListener(f -> channels.remove(ch));
                                ch.pipeline()
                                        .addLast(new IdleStateHandler(settings.idleSeconds(), 0, 0))
                                        .addLast(ServerMessageDecoder.frameDecoder(limits))
                                        .addLast(
                                                new ServerMessageDecoder(
                                                        ServerMessageDecoder.Side.TO_SERVER,
                                                        limits))
                                        .addLast(new ServerMessageEncoder())
                                        .addLast(new ClientHandler(new Conn(ch)));
                            }
                        })
                .bind(listen.getHostString(), listen.getPort())
                .addListener(
                        f -> {
                            if (f.isSuccess()) {
                                serverChannel = ((io.netty.channel.ChannelFuture) f).channel();
                                if (closed) {
                                    serverChannel.close();
                                    started.completeExceptionally(
                                            new IllegalStateException("closed"));
                                    return;
                                }
                                log.info(
                                        "soulseek server {} listening on {}",
                                        account.name(),
                                        boundAddress());
                                sink.accept(
                                        new SessionState(
                                                account.address(),
                                                SessionState.State.ONLINE,
                                                "listening on " + boundAddress()));
                                started.complete(null);
                            } else {
                                log.warn(
                                        "soulseek server {} cannot listen on {}: {}",
                                        account.name(),
                                        listen,
                                        f.cause().toString());
                                sink.accept(
                                        new SessionState(
                                                account.address(),
                                                SessionState.State.OFFLINE,
                                                "cannot listen: " + f.cause().getMessage()));
                                started.completeExceptionally(f.cause());
                            }
                        });
        return started;
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        String id = conversation.id();
        if (id.startsWith("room:")) {
            String name = id.substring(5);
            String problem = Texts.roomNameProblem(name);
            if (problem != null) {
                return CompletableFuture.failedFuture(new IllegalArgumentException(problem));
            }
            synchronized (lock) {
                Room r = rooms.computeIfAbsent(name, n -> new Room(n, false, null));
                r.bridged = true;
            }
            return CompletableFuture.completedFuture(null);
        }
        if (id.startsWith("user:")) {
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
        String id = d.destination().id();
        BridgeEvent e = d.event();
        try {
            if (id.startsWith("room:")) {
                return CompletableFuture.completedFuture(deliverToRoom(id.substring(5), d, e));
            }
            if (id.startsWith("user:")) {
                return deliverToUser(id.substring(5), d, e);
            }
        } catch (DeliveryException ex) {
            return CompletableFuture.failedFuture(ex);
        }
        return CompletableFuture.failedFuture(
                DeliveryException.permanent("unknown conversation " + d.destination()));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        uploader.close();
        Channel sc = serverChannel;
        if (sc != null) {
            await(sc.close());
        }
        for (Channel ch : List.copyOf(channels)) {
            await(ch.close());
        }
        synchronized (lock) {
            online.clear();
        }
        started.completeExceptionally(new IllegalStateException("closed"));
        sink.accept(new SessionState(account.address(), SessionState.State.OFFLINE, "closed"));
        log.info("soulseek server {} closed", account.name());
    }

    private static void await(io.netty.channel.ChannelFuture f) {
        if (!f.channel().eventLoop().inEventLoop()) {
            f.awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    // ------------------------------------------------------------------ deliveries

    private String deliverToRoom(String name, Delivery d, BridgeEvent e) {
        synchronized (lock) {
            Room r = rooms.get(name);
            if (r == null) {
                if (Texts.roomNameProblem(name) != null) {
                    throw DeliveryException.permanent("bad room name " + name);
                }
                r = new Room(name, false, null);
                r.bridged = true;
                rooms.put(name, r);
            }
            if (e instanceof ChatMessage m) {
                if (m.isRetraction()) {
                    return null;
                }
                String puppet = puppetName(m.sender(), d.source());
                enterPuppet(r, puppet);
                String text =
                        m.kind() == ChatMessage.MessageKind.ACTION ? "/me " + m.text() : m.text();
                for (String line : Texts.split(text)) {
                    sendToRoom(r, new ChatRoomMessage(r.name, puppet, line));
                }
                return UUID.randomUUID().toString();
            }
            if (e instanceof RoomUpdate u) {
                switch (u.change()) {
                    case JOINED -> {
                        if (u.member() != null) {
                            enterPuppet(r, puppetName(u.member(), d.source()));
                        }
                    }
                    case LEFT, KICKED -> {
                        if (u.member() != null) {
                            leavePuppet(r, puppetName(u.member(), d.source()));
                        }
                    }
                    case MEMBERS -> {
                        for (Sender s : u.members()) {
                            enterPuppet(r, puppetName(s, d.source()));
                        }
                    }
                    case TOPIC -> {}
                }
                return null;
            }
            return null;
        }
    }

    private CompletionStage<String> deliverToUser(String user, Delivery d, BridgeEvent e) {
        if (e instanceof ChatMessage m) {
            if (m.isRetraction()) {
                return CompletableFuture.completedFuture(null);
            }
            synchronized (lock) {
                if (!isAccount(user)) {
                    throw DeliveryException.permanent("no Soulseek user " + user);
                }
                String from = puppetName(m.sender(), d.source());
                String id = null;
                for (String line : Texts.split(m.text())) {
                    id = Integer.toUnsignedString(queuePrivate(user, from, line));
                }
                return CompletableFuture.completedFuture(id);
            }
        }
        if (e instanceof FileOffer offer) {
            Conn target;
            synchronized (lock) {
                target = online.get(user);
            }
            if (target == null || target.port == 0) {
                return CompletableFuture.failedFuture(
                        DeliveryException.offline(user + " is offline or has no listening port"));
            }
            String from = puppetName(offer.sender(), d.source());
            InetSocketAddress addr = new InetSocketAddress(SlskIp.toInet(target.ip), target.port);
            return uploader.upload(addr, from, d.destination(), offer);
        }
        return CompletableFuture.completedFuture(null);
    }

    private String puppetName(Sender s, Address source) {
        String nick = s.nick().replaceAll("[\\p{Cntrl}]", "").trim();
        if (nick.isEmpty()) {
            nick = s.id();
        }
        String name =
                settings.puppetFormat()
                        .replace("{nick}", nick)
                        .replace("{protocol}", source.protocol());
        if (name.length() > Texts.MAX_USER_NAME) {
            name = name.substring(0, Texts.MAX_USER_NAME).trim();
        }
        while (online.containsKey(name) || isAccount(name)) {
            name = name + "~";
        }
        return name;
    }

    private void enterPuppet(Room r, String puppet) {
        if (r.puppets.add(puppet)) {
            sendToRoom(
                    r,
                    new UserJoinedRoom(
                            r.name, puppet, ServerMessages.STATUS_ONLINE, Stats.NONE, 0, ""));
        }
    }

    private void leavePuppet(Room r, String puppet) {
        if (r.puppets.remove(puppet)) {
            sendToRoom(r, new UserLeftRoom(r.name, puppet));
        }
    }

    private boolean isPuppet(String name) {
        for (Room r : rooms.values()) {
            if (r.puppets.contains(name)) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ state

    private void loadState() {
        synchronized (lock) {
            nextPmId = host.store().get("pm-next-id").map(Integer::parseInt).orElse(1);
            for (var entry : host.store().list(ROOM).entrySet()) {
                try {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = json.readValue(entry.getValue(), Map.class);
                    String name = entry.getKey().substring(ROOM.length());
                    Room r = new Room(name, true, (String) m.get("owner"));
                    r.operators.addAll(strings(m.get("operators")));
                    r.members.addAll(strings(m.get("members")));
                    rooms.put(name, r);
                } catch (Exception ex) {
                    log.warn(
                            "soulseek server {}: unreadable room record {}",
                            account.name(),
                            entry.getKey());
                }
            }
            for (String name : settings.rooms()) {
                rooms.computeIfAbsent(name, n -> new Room(n, false, null)).configured = true;
            }
        }
    }

    private static List<String> strings(Object o) {
        List<String> out = new ArrayList<>();
        if (o instanceof List<?> l) {
            for (Object x : l) {
                out.add(String.valueOf(x));
            }
        }
        return out;
    }

    private void saveRoom(Room r) {
        if (!r.isPrivate) {
            return;
        }
        try {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("owner", r.owner);
            m.put("operators", List.copyOf(r.operators));
            m.put("members", List.copyOf(r.members));
            host.store().put(ROOM + r.name, json.writeValueAsString(m));
        } catch (Exception ex) {
            log.warn(
                    "soulseek server {}: cannot store room {}: {}",
                    account.name(),
                    r.name,
                    ex.toString());
        }
    }

    private boolean isAccount(String name) {
        return host.store().get(ACCOUNT + name).isPresent();
    }

    private int statusOf(String user) {
        Conn c = online.get(user);
        if (c != null) {
            return c.status;
        }
        return isPuppet(user) ? ServerMessages.STATUS_ONLINE : ServerMessages.STATUS_OFFLINE;
    }

    private void sendToRoom(Room r, ServerMessage m) {
        for (String u : r.present) {
            Conn c = online.get(u);
            if (c != null) {
                c.send(m);
            }
        }
    }

    private Address roomAddress(String room) {
        return account.address().withId("room:" + room);
    }

    private Address userAddress(String user) {
        return account.address().withId("user:" + user);
    }

    private int queuePrivate(String to, String from, String text) {
        int id = nextPmId++;
        host.store().put("pm-next-id", Integer.toString(nextPmId));
        int ts = (int) host.clock().instant().getEpochSecond();
        Map<String, Object> rec = new LinkedHashMap<>();
        rec.put("id", id);
        rec.put("ts", ts);
        rec.put("from", from);
        rec.put("text", text);
        try {
            host.store().put(pmKey(to, id), json.writeValueAsString(rec));
        } catch (Exception ex) {
            throw new IllegalStateException(ex);
        }
        Conn c = online.get(to);
        if (c != null) {
            c.send(new PrivateMessage(id, ts, from, text, 1));
        }
        return id;
    }

    private static String pmKey(String to, int id) {
        return PM + to + "/" + String.format("%010d", Integer.toUnsignedLong(id));
    }

    // ------------------------------------------------------------------ connections

    /** One client connection. Fields other than the channel are guarded by the lock. */
    private final class Conn {
        final Channel ch;
        final int ip;
        String user;
        boolean loggingIn;
        boolean replaced;
        int port;
        int status = ServerMessages.STATUS_ONLINE;
        Stats stats = Stats.NONE;
        final Set<String> watching = new java.util.HashSet<>();

        Conn(Channel ch) {
            this.ch = ch;
            this.ip =
                    ch.remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null
                            ? SlskIp.of(a.getAddress())
                            : 0;
        }

        void send(ServerMessage m) {
            ch.writeAndFlush(m, ch.voidPromise());
        }

        void admin(String text) {
            send(new AdminMessage(text));
        }
    }

    private final class ClientHandler extends SimpleChannelInboundHandler<ToServer> {
        private final Conn conn;

        ClientHandler(Conn conn) {
            this.conn = conn;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ToServer msg) {
            if (closed) {
                return;
            }
            if (msg instanceof Login login) {
                startLogin(conn, login);
                return;
            }
            synchronized (lock) {
                if (conn.user == null || conn.replaced) {
                    return;
                }
                handle(conn, msg);
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                log.info("soulseek server {}: dropping idle client {}", account.name(), conn.user);
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.info(
                    "soulseek server {}: closing client {} ({}): {}",
                    account.name(),
                    conn.user == null ? ctx.channel().remoteAddress() : conn.user,
                    cause.getClass().getSimpleName(),
                    cause.getMessage());
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            synchronized (lock) {
                disconnected(conn);
            }
        }
    }

    // ------------------------------------------------------------------ login

    private void startLogin(Conn c, Login m) {
        synchronized (lock) {
            if (c.user != null || c.loggingIn) {
                return;
            }
            c.loggingIn = true;
        }
        String problem = Texts.userNameProblem(m.user());
        if (problem == null && m.password().isEmpty()) {
            problem = "EMPTYPASSWORD";
        }
        if (problem != null) {
            refuse(c, m.user(), problem);
            return;
        }
        host.scheduler()
                .execute(
                        () -> {
                            try {
                                checkPassword(c, m);
                            } catch (RuntimeException ex) {
                                log.warn(
                                        "soulseek server {}: login of {} failed: {}",
                                        account.name(),
                                        m.user(),
                                        ex.toString());
                                c.ch.close();
                            }
                        });
    }

    private void checkPassword(Conn c, Login m) {
        String key = ACCOUNT + m.user();
        Optional<String> stored = host.store().get(key);
        if (stored.isPresent()) {
            if (!Passwords.verify(m.password(), stored.get())) {
                refuse(c, m.user(), "INVALIDPASS");
                return;
            }
        } else {
            if (!settings.registration()) {
                refuse(c, m.user(), "INVALIDUSERNAME");
                return;
            }
            String hash = passwords.hash(m.password());
            synchronized (lock) {
                if (isPuppet(m.user())) {
                    refuse(c, m.user(), "INVALIDUSERNAME");
                    return;
                }
                if (host.store().get(key).isPresent()) {
                    // registered concurrently: check against that one
                    if (!Passwords.verify(m.password(), host.store().get(key).get())) {
                        refuse(c, m.user(), "INVALIDPASS");
                        return;
                    }
                } else {
                    host.store().put(key, hash);
                    log.info("soulseek server {}: registered user {}", account.name(), m.user());
                }
            }
        }
        synchronized (lock) {
            completeLogin(c, m);
        }
    }

    private void refuse(Conn c, String user, String reason) {
        log.info("soulseek server {}: login refused for {}: {}", account.name(), user, reason);
        c.ch.writeAndFlush(LoginReply.failure(reason)).addListener(f -> c.ch.close());
    }

    private void completeLogin(Conn c, Login m) {
        if (closed || !c.ch.isActive()) {
            return;
        }
        String user = m.user();
        Conn old = online.get(user);
        if (old != null && old != c) {
            log.info(
                    "soulseek server {}: {} logged in again; kicking the old connection",
                    account.name(),
                    user);
            leaveAllRooms(old);
            old.replaced = true;
            old.ch.writeAndFlush(new Kicked()).addListener(f -> old.ch.close());
        }
        c.user = user;
        c.loggingIn = false;
        online.put(user, c);
        c.send(ServerMessages.loginOk(settings.greeting(), c.ip, m.password()));
        c.send(roomList(user));
        c.send(new ParentMinSpeed(1));
        c.send(new ParentSpeedRatio(50));
        c.send(new WishlistInterval(720));
        for (String room : privateRoomsOf(user)) {
            c.send(new PrivateRoomAdded(room));
        }
        for (String value : host.store().list(PM + user + "/").values()) {
            try {
                Map<?, ?> rec = json.readValue(value, Map.class);
                c.send(
                        new PrivateMessage(
                                ((Number) rec.get("id")).intValue(),
                                ((Number) rec.get("ts")).intValue(),
                                (String) rec.get("from"),
                                (String) rec.get("text"),
                                0));
            } catch (Exception ex) {
                log.warn(
                        "soulseek server {}: unreadable queued message for {}",
                        account.name(),
                        user);
            }
        }
        log.info(
                "soulseek server {}: {} logged in from {}",
                account.name(),
                user,
                c.ch.remoteAddress());
        broadcastStatus(user, c.status);
        publish(
                new PresenceUpdate(
                        userAddress(user), Sender.of(user), PresenceUpdate.Status.AVAILABLE, ""));
    }

    private List<String> privateRoomsOf(String user) {
        List<String> out = new ArrayList<>();
        for (Room r : rooms.values()) {
            if (r.isPrivate && r.allMembers().contains(user)) {
                out.add(r.name);
            }
        }
        return out;
    }

    private RoomList roomList(String user) {
        List<String> pub = new ArrayList<>(),
                owned = new ArrayList<>(),
                priv = new ArrayList<>(),
                operated = new ArrayList<>();
        List<Integer> pubN = new ArrayList<>(),
                ownedN = new ArrayList<>(),
                privN = new ArrayList<>();
        for (Room r : rooms.values()) {
            if (!r.isPrivate) {
                pub.add(r.name);
                pubN.add(r.population());
            } else if (user.equals(r.owner)) {
                owned.add(r.name);
                ownedN.add(r.population());
            } else if (r.allMembers().contains(user)) {
                priv.add(r.name);
                privN.add(r.population());
                if (r.operators.contains(user)) {
                    operated.add(r.name);
                }
            }
        }
        return new RoomList(pub, pubN, owned, ownedN, priv, privN, operated);
    }

    private void disconnected(Conn c) {
        if (c.user == null || c.replaced) {
            return;
        }
        if (online.get(c.user) != c) {
            return;
        }
        leaveAllRooms(c);
        online.remove(c.user);
        log.info("soulseek server {}: {} disconnected", account.name(), c.user);
        broadcastStatus(c.user, ServerMessages.STATUS_OFFLINE);
        publish(
                new PresenceUpdate(
                        userAddress(c.user), Sender.of(c.user), PresenceUpdate.Status.OFFLINE, ""));
    }

    private void leaveAllRooms(Conn c) {
        for (Room r : List.copyOf(rooms.values())) {
            if (r.present.contains(c.user)) {
                leave(c, r.name, false);
            }
        }
    }

    private void broadcastStatus(String user, int status) {
        UserStatus m = new UserStatus(user, status, false);
        Set<String> to = new java.util.HashSet<>();
        for (Conn o : online.values()) {
            if (o.watching.contains(user)) {
                to.add(o.user);
            }
        }
        for (Room r : rooms.values()) {
            if (r.present.contains(user)) {
                to.addAll(r.present);
            }
        }
        to.remove(user);
        for (String u : to) {
            Conn o = online.get(u);
            if (o != null) {
                o.send(m);
            }
        }
    }

    private void publish(BridgeEvent e) {
        try {
            sink.accept(e);
        } catch (RuntimeException ex) {
            log.warn("soulseek server {}: sink refused event: {}", account.name(), ex.toString());
        }
    }

    // ------------------------------------------------------------------ messages after login

    private void handle(Conn c, ToServer msg) {
        if (msg instanceof SetListenPort m) {
            c.port = m.port();
        } else if (msg instanceof GetPeerAddress m) {
            Conn t = online.get(m.user());
            c.send(
                    t == null
                            ? ServerMessages.peerAddress(m.user(), 0, 0)
                            : ServerMessages.peerAddress(m.user(), t.ip, t.port));
        } else if (msg instanceof AddUser m) {
            c.watching.add(m.user());
            boolean exists = isAccount(m.user()) || isPuppet(m.user());
            Conn t = online.get(m.user());
            c.send(
                    new AddUserReply(
                            m.user(),
                            exists,
                            statusOf(m.user()),
                            t == null ? Stats.NONE : t.stats,
                            exists ? "" : null));
        } else if (msg instanceof GetUserStatus m) {
            c.send(new UserStatus(m.user(), statusOf(m.user()), false));
        } else if (msg instanceof GetUserStats m) {
            Conn t = online.get(m.user());
            c.send(new UserStats(m.user(), t == null ? Stats.NONE : t.stats));
        } else if (msg instanceof SayChatroom m) {
            say(c, m.room(), m.message());
        } else if (msg instanceof JoinRoom m) {
            join(c, m.room(), m.privateFlag());
        } else if (msg instanceof LeaveRoom m) {
            leave(c, m.room(), true);
        } else if (msg instanceof ConnectToPeer m) {
            Conn t = online.get(m.user());
            if (t == null) {
                c.send(new CannotConnect(m.ticket(), m.user()));
            } else {
                t.send(ServerMessages.connectToPeer(c.user, m.type(), c.ip, c.port, m.ticket()));
            }
        } else if (msg instanceof CannotConnect m) {
            Conn t = m.user() == null ? null : online.get(m.user());
            if (t != null) {
                t.send(new CannotConnect(m.ticket(), c.user));
            }
        } else if (msg instanceof MessageUser m) {
            privateMessage(c, m.user(), m.message());
        } else if (msg instanceof MessageUsers m) {
            m.users().forEach(u -> privateMessage(c, u, m.message()));
        } else if (msg instanceof MessageAcked m) {
            host.store().remove(pmKey(c.user, m.id()));
        } else if (msg instanceof SetStatus m) {
            int s =
                    m.status() == ServerMessages.STATUS_AWAY
                            ? ServerMessages.STATUS_AWAY
                            : ServerMessages.STATUS_ONLINE;
            if (s != c.status) {
                c.status = s;
                broadcastStatus(c.user, s);
                publish(
                        new PresenceUpdate(
                                userAddress(c.user),
                                Sender.of(c.user),
                                s == ServerMessages.STATUS_AWAY
                                        ? PresenceUpdate.Status.AWAY
                                        : PresenceUpdate.Status.AVAILABLE,
                                ""));
            }
        } else if (msg instanceof SharedFoldersFiles m) {
            c.stats = new Stats(c.stats.avgSpeed(), c.stats.downloads(), m.files(), m.dirs());
        } else if (msg instanceof SendUploadSpeed m) {
            c.stats = new Stats(m.speed(), c.stats.downloads(), c.stats.files(), c.stats.dirs());
        } else if (msg instanceof RoomTickerSet m) {
            ticker(c, m.room(), m.ticker());
        } else if (msg instanceof PrivateRoomAddUser m) {
            addMember(c, m.room(), m.user());
        } else if (msg instanceof PrivateRoomRemoveUser m) {
            removeMember(c, m.room(), m.user(), false);
        } else if (msg instanceof PrivateRoomDropMembership m) {
            removeMember(c, m.room(), c.user, true);
        } else if (msg instanceof PrivateRoomDropOwnership m) {
            dropOwnership(c, m.room());
        } else if (msg instanceof PrivateRoomAddOperator m) {
            setOperator(c, m.room(), m.user(), true);
        } else if (msg instanceof PrivateRoomRemoveOperator m) {
            setOperator(c, m.room(), m.user(), false);
        } else if (msg instanceof TogglePrivateRooms m) {
            if (m.enable()) {
                host.store().remove(NO_PRIVATE + c.user);
            } else {
                host.store().put(NO_PRIVATE + c.user, "1");
            }
            c.send(new TogglePrivateRooms(m.enable()));
        } else if (msg instanceof NewPassword m) {
            if (!m.password().isEmpty()) {
                host.store().put(ACCOUNT + c.user, passwords.hash(m.password()));
                log.info("soulseek server {}: {} changed password", account.name(), c.user);
            }
        } else if (msg instanceof CheckPrivileges m) {
            c.send(new PrivilegesLeft(0));
        } else if (msg instanceof GetUserPrivileges m) {
            c.send(new UserPrivileges(m.user() == null ? c.user : m.user(), false));
        }
    }

    private void say(Conn c, String room, String text) {
        Room r = rooms.get(room);
        if (r == null || !r.present.contains(c.user)) {
            c.admin("You are not in room " + room);
            return;
        }
        String problem = Texts.messageProblem(text);
        if (problem != null) {
            c.admin("Message not sent to " + room + ": " + problem);
            return;
        }
        sendToRoom(r, new ChatRoomMessage(room, c.user, text));
        publish(
                ChatMessage.of(
                        roomAddress(room), Sender.of(c.user), UUID.randomUUID().toString(), text));
    }

    private void join(Conn c, String name, int privateFlag) {
        String problem = Texts.roomNameProblem(name);
        if (problem != null) {
            c.admin("Cannot join room '" + name + "': " + problem);
            return;
        }
        Room r = rooms.get(name);
        if (r == null) {
            boolean priv = privateFlag == 1;
            r = new Room(name, priv, priv ? c.user : null);
            rooms.put(name, r);
            saveRoom(r);
            log.info(
                    "soulseek server {}: {} created {} room {}",
                    account.name(),
                    c.user,
                    priv ? "private" : "public",
                    name);
        } else if (!r.mayEnter(c.user)) {
            c.admin("The room " + name + " is private");
            return;
        }
        boolean fresh = r.present.add(c.user);
        if (fresh) {
            sendToRoom(r, new UserJoinedRoom(name, c.user, c.status, c.stats, 0, ""));
        }
        List<RoomMember> members = new ArrayList<>();
        for (String u : r.present) {
            Conn o = online.get(u);
            members.add(
                    new RoomMember(
                            u, o == null ? 0 : o.status, o == null ? Stats.NONE : o.stats, 0, ""));
        }
        for (String p : r.puppets) {
            members.add(new RoomMember(p, ServerMessages.STATUS_ONLINE, Stats.NONE, 0, ""));
        }
        c.send(
                new JoinRoomReply(
                        name,
                        members,
                        r.isPrivate ? r.owner : null,
                        r.isPrivate ? List.copyOf(r.operators) : List.of()));
        List<Ticker> tickers = new ArrayList<>();
        r.tickers.forEach((u, t) -> tickers.add(new Ticker(u, t)));
        c.send(new RoomTickers(name, tickers));
        if (r.isPrivate) {
            List<String> users = new ArrayList<>(r.members);
            users.addAll(r.operators);
            c.send(new PrivateRoomUsers(name, users));
            c.send(new PrivateRoomOperators(name, List.copyOf(r.operators)));
        }
        if (fresh) {
            publish(RoomUpdate.joined(roomAddress(name), Sender.of(c.user)));
        }
    }

    private void leave(Conn c, String name, boolean reply) {
        Room r = rooms.get(name);
        if (r != null && r.present.remove(c.user)) {
            sendToRoom(r, new UserLeftRoom(name, c.user));
            publish(RoomUpdate.left(roomAddress(name), Sender.of(c.user), ""));
            if (r.disposable()) {
                rooms.remove(name);
            }
        }
        if (reply) {
            c.send(new LeaveRoomReply(name));
        }
    }

    private void ticker(Conn c, String room, String text) {
        Room r = rooms.get(room);
        if (r == null || !r.present.contains(c.user)) {
            c.admin("You are not in room " + room);
            return;
        }
        if (text.isEmpty()) {
            if (r.tickers.remove(c.user) != null) {
                sendToRoom(r, new RoomTickerRemoved(room, c.user));
            }
            return;
        }
        if (text.indexOf('\n') >= 0
                || text.indexOf('\r') >= 0
                || text.getBytes(java.nio.charset.StandardCharsets.UTF_8).length
                        > MAX_TICKER_BYTES) {
            c.admin("Ticker not set: no line breaks, at most " + MAX_TICKER_BYTES + " bytes");
            return;
        }
        r.tickers.put(c.user, text);
        sendToRoom(r, new RoomTickerAdded(room, c.user, text));
    }

    private void privateMessage(Conn c, String to, String text) {
        String problem = Texts.messageProblem(text);
        if (problem != null) {
            c.admin("Message to " + to + " not sent: " + problem);
            return;
        }
        if (isAccount(to)) {
            queuePrivate(to, c.user, text);
        } else if (isPuppet(to)) {
            publish(
                    ChatMessage.of(
                            userAddress(c.user),
                            Sender.of(c.user),
                            UUID.randomUUID().toString(),
                            text));
        } else {
            c.admin("User " + to + " does not exist");
        }
    }

    // ------------------------------------------------------------------ private rooms

    private Room privateRoom(Conn c, String name) {
        Room r = rooms.get(name);
        if (r == null || !r.isPrivate) {
            c.admin("There is no private room " + name);
            return null;
        }
        return r;
    }

    private void toMembers(Room r, ServerMessage m) {
        for (String u : r.allMembers()) {
            Conn o = online.get(u);
            if (o != null) {
                o.send(m);
            }
        }
    }

    private void addMember(Conn c, String name, String user) {
        Room r = privateRoom(c, name);
        if (r == null) {
            return;
        }
        if (!r.isOperatorOrOwner(c.user)) {
            c.admin("Only the owner and operators may add members to " + name);
        } else if (!isAccount(user)) {
            c.admin("User " + user + " does not exist");
        } else if (r.allMembers().contains(user)) {
            c.admin(user + " is already a member of " + name);
        } else if (host.store().get(NO_PRIVATE + user).isPresent()) {
            c.admin(user + " does not accept private room invitations");
        } else {
            r.members.add(user);
            saveRoom(r);
            Conn t = online.get(user);
            if (t != null) {
                t.send(new PrivateRoomAdded(name));
            }
            toMembers(r, new PrivateRoomAddUser(name, user));
        }
    }

    private void removeMember(Conn c, String name, String user, boolean self) {
        Room r = privateRoom(c, name);
        if (r == null) {
            return;
        }
        boolean allowed =
                self
                        ? !user.equals(r.owner)
                        : user.equals(r.owner)
                                ? false
                                : c.user.equals(r.owner)
                                        || (r.operators.contains(c.user)
                                                && !r.operators.contains(user));
        if (!allowed || !r.allMembers().contains(user)) {
            c.admin("Cannot remove " + user + " from " + name);
            return;
        }
        toMembers(r, new PrivateRoomRemoveUser(name, user));
        r.members.remove(user);
        r.operators.remove(user);
        saveRoom(r);
        Conn t = online.get(user);
        if (t != null) {
            if (r.present.contains(user)) {
                leave(t, name, true);
            }
            t.send(new PrivateRoomRemoved(name));
        }
    }

    private void dropOwnership(Conn c, String name) {
        Room r = privateRoom(c, name);
        if (r == null) {
            return;
        }
        if (!c.user.equals(r.owner)) {
            c.admin("You do not own " + name);
            return;
        }
        // forget the room durably before telling anyone, so a member told it is gone never finds
        // it again in the store
        host.store().remove(ROOM + name);
        for (String u : r.allMembers()) {
            Conn t = online.get(u);
            if (t != null) {
                if (r.present.contains(u)) {
                    leave(t, name, true);
                }
                t.send(new PrivateRoomRemoved(name));
            }
        }
        rooms.remove(name);
        log.info("soulseek server {}: {} deleted private room {}", account.name(), c.user, name);
    }

    private void setOperator(Conn c, String name, String user, boolean add) {
        Room r = privateRoom(c, name);
        if (r == null) {
            return;
        }
        if (!c.user.equals(r.owner)) {
            c.admin("Only the owner of " + name + " may change operators");
            return;
        }
        if (add ? !r.members.contains(user) : !r.operators.contains(user)) {
            c.admin("Cannot change operator status of " + user + " in " + name);
            return;
        }
        if (add) {
            r.members.remove(user);
            r.operators.add(user);
        } else {
            r.operators.remove(user);
            r.members.add(user);
        }
        saveRoom(r);
        Conn t = online.get(user);
        if (t != null) {
            t.send(add ? new PrivateRoomOperatorAdded(name) : new PrivateRoomOperatorRemoved(name));
        }
        toMembers(
                r,
                add
                        ? new PrivateRoomAddOperator(name, user)
                        : new PrivateRoomRemoveOperator(name, user));
    }
}
