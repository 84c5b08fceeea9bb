package dev.sabir.loopback;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.ChatMessage.MessageKind;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.api.HostContext;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.api.Typing;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One loopback account: a line-based chat server whose traffic is bridged. */
final class LoopbackSession implements Session, dev.sabir.api.AccountCommands {
    private static final Logger LOG = LoggerFactory.getLogger(LoopbackSession.class);
    private static final AttributeKey<String> NICK = AttributeKey.valueOf("loopback.nick");

    private final LoopbackSettings settings;
    private final HostContext host;
    private final EventSink sink;
    private final Address account;
    private final ChannelGroup clients =
            new DefaultChannelGroup("loopback-clients", ImmediateEventExecutor.INSTANCE);
    private final Map<String, Set<Channel>> rooms = new ConcurrentHashMap<>();
    private final Map<String, Deque<String>> history = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final String idPrefix = UUID.randomUUID().toString().substring(0, 8);
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean offline;
    private volatile Channel server;

    LoopbackSession(LoopbackSettings settings, HostContext host, EventSink sink) {
        this.settings = settings;
        this.host = host;
        this.sink = sink;
        this.account = settings.account().address();
    }

    @Override
    public CompletionStage<Void> connect() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (closed.get()) {
            done.completeExceptionally(new IllegalStateException("session closed"));
            return done;
        }
        sink.accept(new SessionState(account, SessionState.State.CONNECTING, ""));
        InetSocketAddress listen =
                new InetSocketAddress(
                        settings.listen().getHostString(), settings.listen().getPort());
        new ServerBootstrap()
                .group(host.eventLoops())
                .channel(NioServerSocketChannel.class)
                .childHandler(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline()
                                        .addLast(
                                                new LineBasedFrameDecoder(
                                                        LoopbackProtocol.MAX_LINE))
                                        .addLast(new ClientHandler());
                            }
                        })
                .bind(listen)
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (!f.isSuccess()) {
                                        sink.accept(
                                                new SessionState(
                                                        account,
                                                        SessionState.State.OFFLINE,
                                                        "cannot listen on "
                                                                + listen
                                                                + ": "
                                                                + f.cause().getMessage()));
                                        done.completeExceptionally(f.cause());
                                        return;
                                    }
                                    server = f.channel();
                                    if (closed.get()) {
                                        server.close();
                                        done.completeExceptionally(
                                                new IllegalStateException("session closed"));
                                        return;
                                    }
                                    LOG.info(
                                            "loopback account {} listening on {}",
                                            account,
                                            server.localAddress());
                                    sink.accept(
                                            new SessionState(
                                                    account, SessionState.State.ONLINE, ""));
                                    done.complete(null);
                                });
        return done;
    }

    /** The bound address (for tests that listen on port 0). */
    InetSocketAddress boundAddress() {
        Channel s = server;
        return s == null ? null : (InetSocketAddress) s.localAddress();
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        if (!conversation.sameAccount(account)) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException(conversation + " is not on " + account));
        }
        rooms.computeIfAbsent(conversation.id(), k -> ConcurrentHashMap.newKeySet());
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<String> deliver(Delivery d) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("session closed"));
        }
        if (offline) {
            return CompletableFuture.failedFuture(
                    DeliveryException.offline("loopback network offline"));
        }
        String room = d.destination().id();
        BridgeEvent ev = d.event();
        String id = nextId();
        String nick = displayNick(ev, d);
        String line;
        if (ev instanceof ChatMessage m) {
            String text = settings.puppet() ? m.text() : d.text();
            if (room.startsWith("@")) {
                line = "DM " + id + " " + nick + " " + LoopbackProtocol.escape(text);
                if (!sendToNick(room.substring(1), line)) {
                    // kept queued by the router until the user is back
                    return CompletableFuture.failedFuture(
                            DeliveryException.offline(room.substring(1) + " is not connected"));
                }
                return CompletableFuture.completedFuture(id);
            }
            if (m.isRetraction()) {
                line = "DEL " + room + " " + m.retractOf() + " " + nick;
            } else if (m.isEdit()) {
                line =
                        "EDIT "
                                + room
                                + " "
                                + m.editOf()
                                + " "
                                + nick
                                + " "
                                + LoopbackProtocol.escape(text);
            } else if (m.replyTo() != null) {
                line =
                        "REPLY "
                                + room
                                + " "
                                + id
                                + " "
                                + m.replyTo()
                                + " "
                                + nick
                                + " "
                                + LoopbackProtocol.escape(text);
            } else if (m.kind() == MessageKind.ACTION) {
                line =
                        "ACTION "
                                + room
                                + " "
                                + id
                                + " "
                                + nick
                                + " "
                                + LoopbackProtocol.escape(text);
            } else {
                line = "MSG " + room + " " + id + " " + nick + " " + LoopbackProtocol.escape(text);
            }
            broadcast(room, line, null);
            if (settings.echo()) {
                // the network echoes what Sabir sent, with the id it gave it
                sink.accept(
                        new ChatMessage(
                                d.destination(),
                                Sender.of(settings.nick()),
                                id,
                                m.text(),
                                m.kind(),
                                null,
                                null,
                                null,
                                m.timestamp()));
            }
            return CompletableFuture.completedFuture(id);
        } else if (ev instanceof Typing t) {
            line = "TYPING " + room + " " + nick + " " + t.state().name().toLowerCase();
        } else if (ev instanceof PresenceUpdate p) {
            line =
                    "PRESENCE "
                            + nick
                            + " "
                            + p.status().name().toLowerCase()
                            + " "
                            + LoopbackProtocol.escape(p.statusText());
        } else if (ev instanceof RoomUpdate r) {
            String member =
                    r.member() == null ? nick : r.member().nick() + "@" + d.source().protocol();
            line =
                    switch (r.change()) {
                        case JOINED -> "JOIN " + room + " " + member;
                        case LEFT, KICKED ->
                                "PART "
                                        + room
                                        + " "
                                        + member
                                        + " "
                                        + LoopbackProtocol.escape(r.detail());
                        case TOPIC ->
                                "TOPIC "
                                        + room
                                        + " "
                                        + member
                                        + " "
                                        + LoopbackProtocol.escape(r.detail());
                        case MEMBERS -> "MEMBERS " + room + " " + r.members().size();
                    };
        } else if (ev instanceof FileOffer f) {
            String ref = f.spoolId() == null ? "-" : "spool:" + f.spoolId();
            line =
                    "FILE "
                            + room
                            + " "
                            + nick
                            + " "
                            + f.name().replace(' ', '_')
                            + " "
                            + f.size()
                            + " "
                            + (f.sha256() == null ? "-" : f.sha256())
                            + " "
                            + ref;
            if (room.startsWith("@")) {
                if (!sendToNick(room.substring(1), line)) {
                    return CompletableFuture.failedFuture(
                            DeliveryException.offline(room.substring(1) + " is not connected"));
                }
                return CompletableFuture.completedFuture(id);
            }
        } else {
            return CompletableFuture.completedFuture(null);
        }
        broadcast(room, line, null);
        return CompletableFuture.completedFuture(id);
    }

    private String displayNick(BridgeEvent ev, Delivery d) {
        if (!settings.puppet()) {
            return settings.nick();
        }
        Sender s = null;
        if (ev instanceof ChatMessage m) {
            s = m.sender();
        } else if (ev instanceof Typing t) {
            s = t.who();
        } else if (ev instanceof PresenceUpdate p) {
            s = p.who();
        } else if (ev instanceof FileOffer f) {
            s = f.sender();
        }
        String n = s == null ? settings.nick() : s.nick() + "@" + d.source().protocol();
        return n.replaceAll("[^A-Za-z0-9_\\-\\[\\]{}|@.]", "_");
    }

    private String nextId() {
        return idPrefix + "-" + ids.incrementAndGet();
    }

    private void broadcast(String room, String line, Channel except) {
        Deque<String> h = history.computeIfAbsent(room, k -> new ArrayDeque<>());
        if (line.startsWith("MSG ") || line.startsWith("ACTION ") || line.startsWith("FILE ")) {
            synchronized (h) {
                h.addLast(line);
                while (h.size() > settings.history()) {
                    h.removeFirst();
                }
            }
        }
        Set<Channel> members = rooms.get(room);
        if (members == null) {
            return;
        }
        for (Channel c : members) {
            if (c != except) {
                write(c, line);
            }
        }
    }

    private boolean sendToNick(String nick, String line) {
        boolean sent = false;
        for (Channel c : clients) {
            if (nick.equals(c.attr(NICK).get())) {
                write(c, line);
                sent = true;
            }
        }
        return sent;
    }

    /** A user of this network: the id is {@code @nick}, like the 1:1 conversation with them. */
    private static Sender user(String nick) {
        return Sender.of("@" + nick, nick);
    }

    private static void write(Channel c, String line) {
        c.writeAndFlush(
                c.alloc().buffer().writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    @Override
    public java.util.List<String> commandNames() {
        return java.util.List.of("rooms", "announce");
    }

    /** {@code rooms} lists rooms and their members; {@code announce ROOM TEXT} tells a room. */
    @Override
    public String runCommand(String command, java.util.List<String> args) {
        if (command.equals("rooms")) {
            StringBuilder out = new StringBuilder();
            new java.util.TreeMap<>(rooms)
                    .forEach(
                            (room, members) -> {
                                java.util.List<String> nicks = new java.util.ArrayList<>();
                                members.forEach(c -> nicks.add(c.attr(NICK).get()));
                                java.util.Collections.sort(nicks);
                                out.append(room).append(' ').append(nicks).append('\n');
                            });
            return out.toString().strip();
        }
        if (command.equals("announce")) {
            if (args.size() < 2) {
                throw new IllegalArgumentException("announce ROOM TEXT");
            }
            String room = args.get(0);
            if (!rooms.containsKey(room)) {
                throw new IllegalArgumentException("no room " + room);
            }
            String text = String.join(" ", args.subList(1, args.size()));
            broadcast(room, "NOTICE " + room + " " + LoopbackProtocol.escape(text), null);
            return "announced in " + room;
        }
        throw new IllegalArgumentException("unknown command " + command);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Channel s = server;
        if (s != null) {
            s.close().syncUninterruptibly();
        }
        clients.close().awaitUninterruptibly();
        rooms.clear();
        sink.accept(new SessionState(account, SessionState.State.OFFLINE, "closed"));
        LOG.info("loopback account {} closed", account);
    }

    /** Handles one client connection. */
    private final class ClientHandler extends SimpleChannelInboundHandler<ByteBuf> {

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            clients.add(ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            String nick = ctx.channel().attr(NICK).get();
            for (Map.Entry<String, Set<Channel>> e : rooms.entrySet()) {
                if (e.getValue().remove(ctx.channel()) && nick != null) {
                    sink.accept(
                            RoomUpdate.left(
                                    account.withId(e.getKey()), user(nick), "disconnected"));
                }
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf buf) {
            String line;
            try {
                line =
                        StandardCharsets.UTF_8
                                .newDecoder()
                                .onMalformedInput(CodingErrorAction.REPORT)
                                .onUnmappableCharacter(CodingErrorAction.REPORT)
                                .decode(buf.nioBuffer())
                                .toString();
            } catch (CharacterCodingException e) {
                fail(ctx, "line is not valid UTF-8");
                return;
            }
            if (line.endsWith("\r")) {
                line = line.substring(0, line.length() - 1);
            }
            if (line.isEmpty()) {
                return;
            }
            try {
                handle(ctx.channel(), line);
            } catch (LoopbackProtocol.ProtocolError e) {
                fail(ctx, e.getMessage());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause instanceof TooLongFrameException ? "line too long" : "internal error");
        }

        private void fail(ChannelHandlerContext ctx, String reason) {
            LOG.info(
                    "loopback account {}: dropping client {}: {}",
                    account,
                    ctx.channel().remoteAddress(),
                    reason);
            ctx.writeAndFlush(
                            ctx.alloc()
                                    .buffer()
                                    .writeBytes(
                                            ("ERROR " + reason + "\n")
                                                    .getBytes(StandardCharsets.UTF_8)))
                    .addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void handle(Channel ch, String line) throws LoopbackProtocol.ProtocolError {
        String cmd = line.split(" ", 2)[0];
        String nick = ch.attr(NICK).get();
        if (!cmd.equals("NICK") && !cmd.equals("QUIT") && nick == null) {
            throw new LoopbackProtocol.ProtocolError("say NICK first");
        }
        switch (cmd) {
            case "NICK" -> {
                String[] p = LoopbackProtocol.split(line, 2);
                if (!LoopbackProtocol.NICK.matcher(p[1]).matches()) {
                    throw new LoopbackProtocol.ProtocolError("bad nick");
                }
                ch.attr(NICK).set(p[1]);
                write(ch, "OK " + p[1]);
            }
            case "JOIN" -> {
                String room = room(LoopbackProtocol.split(line, 2)[1]);
                rooms.computeIfAbsent(room, k -> ConcurrentHashMap.newKeySet()).add(ch);
                Deque<String> h = history.get(room);
                if (h != null) {
                    synchronized (h) {
                        h.forEach(l -> write(ch, l));
                    }
                }
                broadcast(room, "JOIN " + room + " " + nick, null);
                sink.accept(RoomUpdate.joined(account.withId(room), user(nick)));
            }
            case "PART" -> {
                String room = room(LoopbackProtocol.split(line, 2)[1]);
                Set<Channel> members = rooms.get(room);
                if (members != null && members.remove(ch)) {
                    broadcast(room, "PART " + room + " " + nick + " ", null);
                    sink.accept(RoomUpdate.left(account.withId(room), user(nick), ""));
                }
            }
            case "MSG", "ACTION" -> {
                String[] p = LoopbackProtocol.split(line, 3);
                String room = joined(ch, p[1]);
                String id = nextId();
                String text = LoopbackProtocol.unescape(p[2]);
                MessageKind kind = cmd.equals("ACTION") ? MessageKind.ACTION : MessageKind.NORMAL;
                broadcast(room, cmd + " " + room + " " + id + " " + nick + " " + p[2], ch);
                write(ch, "OK " + id);
                emit(
                        new ChatMessage(
                                account.withId(room),
                                user(nick),
                                id,
                                text,
                                kind,
                                null,
                                null,
                                null,
                                host.clock().instant()));
            }
            case "EDIT", "REPLY" -> {
                String[] p = LoopbackProtocol.split(line, 4);
                String room = joined(ch, p[1]);
                String id = nextId();
                String text = LoopbackProtocol.unescape(p[3]);
                boolean edit = cmd.equals("EDIT");
                broadcast(
                        room,
                        edit
                                ? "EDIT " + room + " " + p[2] + " " + nick + " " + p[3]
                                : "REPLY " + room + " " + id + " " + p[2] + " " + nick + " " + p[3],
                        ch);
                write(ch, "OK " + id);
                emit(
                        new ChatMessage(
                                account.withId(room),
                                user(nick),
                                id,
                                text,
                                MessageKind.NORMAL,
                                edit ? null : p[2],
                                edit ? p[2] : null,
                                null,
                                host.clock().instant()));
            }
            case "DEL" -> {
                String[] p = LoopbackProtocol.split(line, 3);
                String room = joined(ch, p[1]);
                String id = nextId();
                broadcast(room, "DEL " + room + " " + p[2] + " " + nick, ch);
                write(ch, "OK " + id);
                emit(
                        new ChatMessage(
                                account.withId(room),
                                user(nick),
                                id,
                                "",
                                MessageKind.NORMAL,
                                null,
                                null,
                                p[2],
                                host.clock().instant()));
            }
            case "TYPING" -> {
                String room = joined(ch, LoopbackProtocol.split(line, 2)[1].split(" ")[0]);
                emit(new Typing(account.withId(room), user(nick), Typing.State.TYPING));
            }
            case "TOPIC" -> {
                String[] p = LoopbackProtocol.split(line, 3);
                String room = joined(ch, p[1]);
                broadcast(room, "TOPIC " + room + " " + nick + " " + p[2], ch);
                emit(
                        RoomUpdate.topic(
                                account.withId(room), user(nick), LoopbackProtocol.unescape(p[2])));
            }
            case "DM" -> {
                String[] p = LoopbackProtocol.split(line, 3);
                String id = nextId();
                if (!p[1].equals(settings.nick())
                        && sendToNick(p[1], "DM " + id + " " + nick + " " + p[2])) {
                    // between two users of this network: not bridged
                    write(ch, "OK " + id);
                    return;
                }
                if (!p[1].equals(settings.nick())) {
                    write(ch, "NOSUCHNICK " + p[1]);
                    return;
                }
                // to the account itself: a 1:1 conversation with the sender, bridged
                write(ch, "OK " + id);
                emit(
                        ChatMessage.of(
                                account.withId("@" + nick),
                                user(nick),
                                id,
                                LoopbackProtocol.unescape(p[2])));
            }
            case "AWAY", "BACK" -> {
                String text =
                        cmd.equals("AWAY") && line.length() > 5
                                ? LoopbackProtocol.unescape(line.substring(5))
                                : "";
                PresenceUpdate.Status st =
                        cmd.equals("AWAY")
                                ? PresenceUpdate.Status.AWAY
                                : PresenceUpdate.Status.AVAILABLE;
                for (Map.Entry<String, Set<Channel>> e : rooms.entrySet()) {
                    if (e.getValue().contains(ch)) {
                        emit(new PresenceUpdate(account.withId(e.getKey()), user(nick), st, text));
                    }
                }
            }
            case "FILE" -> {
                String[] p = LoopbackProtocol.split(line, 4);
                String room;
                if (p[1].startsWith("@")) {
                    // a file for the account itself: the 1:1 conversation with the sender
                    if (!p[1].substring(1).equals(settings.nick())) {
                        write(ch, "NOSUCHNICK " + p[1].substring(1));
                        return;
                    }
                    room = "@" + nick;
                } else {
                    room = joined(ch, p[1]);
                }
                byte[] content;
                try {
                    content = Base64.getDecoder().decode(p[3]);
                } catch (IllegalArgumentException e) {
                    throw new LoopbackProtocol.ProtocolError("bad base64");
                }
                receiveFile(ch, room, nick, p[2], content);
            }
            case "OFFLINE" -> {
                offline = true;
                write(ch, "OK offline");
                sink.accept(
                        new SessionState(account, SessionState.State.OFFLINE, "simulated outage"));
            }
            case "ONLINE" -> {
                offline = false;
                write(ch, "OK online");
                sink.accept(new SessionState(account, SessionState.State.ONLINE, ""));
            }
            case "QUIT" -> ch.close();
            default ->
                    throw new LoopbackProtocol.ProtocolError(
                            "unknown command " + cmd.substring(0, Math.min(cmd.length(), 32)));
        }
    }

    private void receiveFile(Channel ch, String room, String nick, String name, byte[] content) {
        String offerId = nextId();
        Address conv = account.withId(room);
        try {
            String sha =
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            FileSpool.Upload up = host.spool().receive(conv, offerId, name, content.length, sha);
            up.write(0, content, 0, content.length);
            FileSpool.SpooledFile f = up.complete();
            write(ch, "OK " + offerId);
            emit(
                    new FileOffer(
                            conv,
                            user(nick),
                            offerId,
                            f.name(),
                            f.size(),
                            f.sha256(),
                            f.mediaType(),
                            f.spoolId()));
        } catch (FileSpool.SpoolException e) {
            write(ch, "ERROR file refused: " + e.getMessage());
            sink.accept(
                    new FileProgress(
                            conv,
                            offerId,
                            0,
                            content.length,
                            FileProgress.State.FAILED,
                            e.getMessage()));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String joined(Channel ch, String room) throws LoopbackProtocol.ProtocolError {
        String r = room(room);
        Set<Channel> members = rooms.get(r);
        if (members == null || !members.contains(ch)) {
            throw new LoopbackProtocol.ProtocolError("not in room " + r);
        }
        return r;
    }

    private static String room(String room) throws LoopbackProtocol.ProtocolError {
        if (!LoopbackProtocol.ROOM.matcher(room).matches()) {
            throw new LoopbackProtocol.ProtocolError("bad room name");
        }
        return room;
    }

    private void emit(BridgeEvent e) {
        if (!offline) {
            sink.accept(e);
        }
    }
}
