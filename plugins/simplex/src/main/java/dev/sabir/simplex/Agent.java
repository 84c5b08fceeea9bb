package dev.sabir.simplex;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.Metrics;
import dev.sabir.simplex.transport.Blocks;
import dev.sabir.simplex.transport.ConnLink;
import dev.sabir.simplex.transport.Frame;
import dev.sabir.simplex.transport.FrameCodec;
import dev.sabir.simplex.transport.FrameDecoder;
import dev.sabir.simplex.transport.FrameEncoder;
import dev.sabir.simplex.transport.QueueCrypto;
import dev.sabir.simplex.transport.TransportException;
import dev.sabir.simplex.transport.TransportException.Reason;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The messaging agent: connections made of two one-way queues, each carried over TCP from the
 * sender to the recipient's listener in sealed, padded blocks.
 *
 * <p>Everything runs on one event loop. Outgoing messages wait in a persistent outbox (store keys
 * {@code out/<conn>/<seq>}) until the recipient acknowledges them; the recipient acknowledges only
 * after its listener has stored the message. A sender that reconnects first asks the recipient for
 * the next sequence number it expects, so it never resends what was stored; any other sequence
 * number is a replay and closes the link, as does a block that fails authentication.
 */
final class Agent {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final int WINDOW = 8;
    private static final Base64.Encoder B64U = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    /** Envelope kinds inside a sealed block. */
    static final byte CONFIRM = 'C';

    static final byte HELLO = 'H';
    static final byte MESSAGE = 'M';

    /** What the agent reports; all calls happen on the agent's event loop. */
    interface Listener {
        /**
         * The peer joined my link; {@code chatMsg} came with the confirmation. Store before
         * returning.
         */
        void onConfirmation(Conn conn, byte[] chatMsg) throws Exception;

        /** The peer whose link I joined answered: the connection works both ways. */
        void onHello(Conn conn) throws Exception;

        /** A message; store or hand it on before returning (it is acknowledged afterwards). */
        void onMessage(Conn conn, byte[] chatMsg) throws Exception;

        /** The peer acknowledged something; there may be room in the outbox. */
        void onAcked(Conn conn);
    }

    private final EventLoop loop;
    private final KeyValueStore store;
    private final ObjectMapper json;
    private final InetSocketAddress listen;
    private final String advertiseHost;
    private int advertisePort;
    private final Listener listener;
    private final Metrics metrics;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Conn> conns = new HashMap<>();
    private final Map<String, String> byQueue = new HashMap<>();
    private final Map<String, OutLink> links = new HashMap<>();
    private final Map<String, Integer> backoff = new HashMap<>();
    private final Set<Channel> channels = new HashSet<>();
    private final Set<ScheduledFuture<?>> timers = new HashSet<>();
    private Channel server;
    private boolean closed;

    Agent(
            EventLoop loop,
            KeyValueStore store,
            ObjectMapper json,
            InetSocketAddress listen,
            InetSocketAddress advertise,
            Listener listener,
            Metrics metrics) {
        this.loop = loop;
        this.store = store;
        this.json = json;
        this.listen = listen;
        this.advertiseHost = advertise == null ? listen.getHostString() : advertise.getHostString();
        this.advertisePort = advertise == null ? listen.getPort() : advertise.getPort();
        this.listener = listener;
        this.metrics = metrics;
    }

    /** Loads connections, binds the listener and resumes every outbox. Call on the loop. */
    CompletionStage<Void> start() {
        for (String v : store.list("conn/").values()) {
            Conn c = read(v, Conn.class);
            conns.put(c.id, c);
            byQueue.put(c.myQueue, c.id);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        ServerBootstrap sb =
                new ServerBootstrap()
                        .group(loop, loop)
                        .channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        ch.pipeline()
                                                .addLast(new IdleStateHandler(300, 0, 0))
                                                .addLast(new FrameDecoder())
                                                .addLast(new FrameEncoder())
                                                .addLast(new InHandler());
                                    }
                                });
        bind(sb, done, 0);
        return done;
    }

    /**
     * Binds the listener. A port just released by a previous session of the same account (plugin
     * reload, restart) can stay busy until the selector lets go of it, so binding is retried
     * briefly.
     */
    private void bind(ServerBootstrap sb, CompletableFuture<Void> done, int attempt) {
        sb.bind(new InetSocketAddress(listen.getHostString(), listen.getPort()))
                .addListener(
                        (ChannelFuture f) -> {
                            if (!f.isSuccess()) {
                                if (attempt < 20
                                        && !closed
                                        && f.cause() instanceof java.net.BindException) {
                                    loop.schedule(
                                            () -> bind(sb, done, attempt + 1),
                                            100,
                                            TimeUnit.MILLISECONDS);
                                } else {
                                    done.completeExceptionally(f.cause());
                                }
                                return;
                            }
                            if (closed) {
                                f.channel().close();
                                done.completeExceptionally(new IllegalStateException("closed"));
                                return;
                            }
                            server = f.channel();
                            if (advertisePort == 0) {
                                advertisePort =
                                        ((InetSocketAddress) server.localAddress()).getPort();
                            }
                            log.info("simplex listening on {}", server.localAddress());
                            for (Conn c : new ArrayList<>(conns.values())) {
                                kick(c);
                            }
                            done.complete(null);
                        });
    }

    /** The port peers reach this agent on. */
    int port() {
        return advertisePort;
    }

    /** All connections. */
    Conn conn(String id) {
        return conns.get(id);
    }

    /** Creates a connection with a new receiving queue and returns it; {@link #link} prints it. */
    Conn create(String group, String member) {
        Conn c = fresh(group, member);
        c.join = false;
        save(c);
        log.info("simplex created queue for {}/{}", group, member);
        return c;
    }

    /**
     * Creates (or returns, when it exists) a connection whose receiving queue, keys and id are
     * given rather than random: the connection behind a preset invitation.
     */
    Conn createPreset(String group, String member, String id, byte[] queueId, KeyPair kp) {
        Conn existing = conns.get(id);
        if (existing != null) {
            return existing;
        }
        Conn c = fill(new Conn(), id, group, member, queueId, kp);
        c.join = false;
        save(c);
        log.info("simplex created preset queue for {}/{}", group, member);
        return c;
    }

    /** The invitation link of a connection I created. */
    ConnLink link(Conn c) {
        return new ConnLink(
                advertiseHost, advertisePort, B64D.decode(c.myQueue), B64D.decode(c.myPublic));
    }

    /**
     * Joins a peer's link: the confirmation (with my reply link and {@code chatMsg}) is queued at
     * once.
     */
    Conn join(ConnLink link, byte[] chatMsg, String group, String member) {
        Conn c = fresh(group, member);
        c.join = true;
        c.peerHost = link.host();
        c.peerPort = link.port();
        c.peerQueue = B64U.encodeToString(link.queueId());
        c.peerPublic = B64U.encodeToString(link.publicKey());
        byte[] reply = link(c).toText().getBytes(StandardCharsets.US_ASCII);
        ByteBuffer env = ByteBuffer.allocate(1 + 2 + reply.length + chatMsg.length);
        env.put(CONFIRM).putShort((short) reply.length).put(reply).put(chatMsg);
        save(c);
        enqueue(c, env.array());
        log.info("simplex joining {}:{} for {}/{}", link.host(), link.port(), group, member);
        return c;
    }

    /** Queues a chat message on a connection. */
    void send(Conn c, byte[] chatMsg) {
        byte[] env = new byte[chatMsg.length + 1];
        env[0] = MESSAGE;
        System.arraycopy(chatMsg, 0, env, 1, chatMsg.length);
        enqueue(c, env);
    }

    /** Messages not yet acknowledged on a connection. */
    int pending(Conn c) {
        return store.list("out/" + c.id + "/").size();
    }

    /** Forgets a connection (leaving a group). */
    void delete(Conn c) {
        OutLink l = links.remove(c.id);
        if (l != null) {
            l.channel.close();
        }
        for (String k : store.list("out/" + c.id + "/").keySet()) {
            store.remove(k);
        }
        store.remove("conn/" + c.id);
        conns.remove(c.id);
        byQueue.remove(c.myQueue);
    }

    /** Closes every socket and timer. */
    CompletionStage<Void> close() {
        closed = true;
        timers.forEach(t -> t.cancel(false));
        timers.clear();
        List<ChannelFuture> fs = new ArrayList<>();
        if (server != null) {
            fs.add(server.close());
        }
        for (Channel ch : new ArrayList<>(channels)) {
            fs.add(ch.close());
        }
        links.clear();
        CompletableFuture<Void> all = new CompletableFuture<>();
        if (fs.isEmpty()) {
            all.complete(null);
            return all;
        }
        int[] left = {fs.size()};
        for (ChannelFuture f : fs) {
            f.addListener(
                    x -> {
                        if (--left[0] == 0) {
                            all.complete(null);
                        }
                    });
        }
        return all;
    }

    private Conn fresh(String group, String member) {
        byte[] q = new byte[16];
        random.nextBytes(q);
        byte[] id = new byte[9];
        random.nextBytes(id);
        return fill(new Conn(), B64U.encodeToString(id), group, member, q, QueueCrypto.generate());
    }

    private Conn fill(Conn c, String id, String group, String member, byte[] q, KeyPair kp) {
        c.id = id;
        c.group = group;
        c.member = member;
        c.myQueue = B64U.encodeToString(q);
        c.myPrivate = Base64.getEncoder().encodeToString(kp.getPrivate().getEncoded());
        c.myPublic = B64U.encodeToString(QueueCrypto.rawPublic(kp.getPublic()));
        conns.put(c.id, c);
        byQueue.put(c.myQueue, c.id);
        return c;
    }

    void save(Conn c) {
        try {
            store.put("conn/" + c.id, json.writeValueAsString(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String v, Class<T> type) {
        try {
            return json.readValue(v, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt stored " + type.getSimpleName(), e);
        }
    }

    private static String seqKey(Conn c, long seq) {
        return String.format("out/%s/%019d", c.id, seq);
    }

    private void enqueue(Conn c, byte[] envelope) {
        if (envelope.length > FrameCodec.MAX_ENVELOPE) {
            throw new IllegalArgumentException(
                    "message of " + envelope.length + " bytes is too large");
        }
        long seq = c.sendNext++;
        store.put(seqKey(c, seq), Base64.getEncoder().encodeToString(envelope));
        save(c);
        kick(c);
    }

    private byte[] key(Conn c, String queue, byte[] peerPublic) throws TransportException {
        PrivateKey mine = QueueCrypto.privateKey(Base64.getDecoder().decode(c.myPrivate));
        return QueueCrypto.queueKey(mine, QueueCrypto.publicKey(peerPublic), B64D.decode(queue));
    }

    // ---- sending side -------------------------------------------------------------------

    /** Makes sure a link exists for a connection with something to send. */
    private void kick(Conn c) {
        if (closed || !c.canSend() || !conns.containsKey(c.id)) {
            return;
        }
        OutLink l = links.get(c.id);
        if (l != null) {
            l.pump();
            return;
        }
        if (pending(c) == 0) {
            return;
        }
        OutLink link = new OutLink(c);
        links.put(c.id, link);
        new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline()
                                        .addLast(new FrameDecoder())
                                        .addLast(new FrameEncoder())
                                        .addLast(link);
                            }
                        })
                .connect(c.peerHost, c.peerPort)
                .addListener(
                        (ChannelFuture f) -> {
                            if (!f.isSuccess()) {
                                links.remove(c.id, link);
                                retry(c);
                            }
                        });
    }

    private void retry(Conn c) {
        if (closed) {
            return;
        }
        int n = backoff.merge(c.id, 1, Integer::sum);
        long delay = Math.min(5000, 100L << Math.min(n, 6));
        ScheduledFuture<?>[] holder = new ScheduledFuture<?>[1];
        holder[0] =
                loop.schedule(
                        () -> {
                            timers.remove(holder[0]);
                            Conn cur = conns.get(c.id);
                            if (cur != null) {
                                kick(cur);
                            }
                        },
                        delay,
                        TimeUnit.MILLISECONDS);
        timers.add(holder[0]);
    }

    /** The sending side of one connection: dials the peer, resumes, sends the outbox. */
    private final class OutLink extends SimpleChannelInboundHandler<Frame> {
        private final Conn conn;
        private Channel channel;
        private long nextToSend = -1;
        private byte[] key;

        OutLink(Conn conn) {
            this.conn = conn;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channel = ctx.channel();
            if (closed) {
                ctx.close();
                return;
            }
            channels.add(channel);
            ctx.writeAndFlush(new Frame.Hello(B64D.decode(conn.peerQueue)));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame f) throws Exception {
            if (!Arrays.equals(f.queueId(), B64D.decode(conn.peerQueue))) {
                throw new TransportException(Reason.BAD_QUEUE, "answer for another queue");
            }
            if (f instanceof Frame.Resume r) {
                key = key(conn, conn.peerQueue, B64D.decode(conn.peerPublic));
                for (String k : store.list("out/" + conn.id + "/").keySet()) {
                    if (seqOf(k) < r.nextSeq()) {
                        store.remove(k);
                    }
                }
                nextToSend = r.nextSeq();
                backoff.remove(conn.id);
                pump();
            } else if (f instanceof Frame.Ack a && key != null) {
                byte[] tag =
                        QueueCrypto.seal(
                                key,
                                QueueCrypto.PURPOSE_ACK,
                                a.seq(),
                                QueueCrypto.aad(a.queueId(), a.seq()),
                                new byte[0]);
                if (!MessageDigest.isEqual(tag, a.tag())) {
                    throw new TransportException(Reason.TAMPERED, "acknowledgement not authentic");
                }
                store.remove(seqKey(conn, a.seq()));
                listener.onAcked(conn);
                pump();
            } else {
                throw new TransportException(
                        Reason.BAD_FRAME, "unexpected " + f.getClass().getSimpleName());
            }
        }

        void pump() {
            if (channel == null || nextToSend < 0 || !channel.isActive()) {
                return;
            }
            // in sequence order whatever map the store hands back
            Map<String, String> out = new java.util.TreeMap<>(store.list("out/" + conn.id + "/"));
            long lowest = -1;
            boolean wrote = false;
            for (Map.Entry<String, String> e : out.entrySet()) {
                long seq = seqOf(e.getKey());
                if (lowest < 0) {
                    lowest = seq;
                }
                if (seq < nextToSend) {
                    continue;
                }
                if (seq - lowest >= WINDOW || seq != nextToSend) {
                    break;
                }
                byte[] env = Base64.getDecoder().decode(e.getValue());
                byte[] q = B64D.decode(conn.peerQueue);
                byte[] sealed =
                        QueueCrypto.seal(
                                key,
                                QueueCrypto.PURPOSE_MSG,
                                seq,
                                QueueCrypto.aad(q, seq),
                                Blocks.pad(env, FrameCodec.INNER));
                byte[] senderKey = conn.join && seq == 0 ? B64D.decode(conn.myPublic) : null;
                channel.write(new Frame.Msg(q, seq, senderKey, sealed));
                nextToSend = seq + 1;
                wrote = true;
            }
            if (wrote) {
                channel.flush();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            channels.remove(ctx.channel());
            if (links.get(conn.id) == this) {
                links.remove(conn.id);
                if (!closed && conns.containsKey(conn.id) && pending(conn) > 0) {
                    retry(conn);
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn(
                    "simplex link to {}:{} failed: {}",
                    conn.peerHost,
                    conn.peerPort,
                    rootMessage(cause));
            ctx.close();
        }
    }

    private static long seqOf(String key) {
        return Long.parseLong(key.substring(key.lastIndexOf('/') + 1));
    }

    /** The transport reason in a failure's cause chain, lower case, or null (socket trouble). */
    static String reasonOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof TransportException te) {
                return te.reason().name().toLowerCase(java.util.Locale.ROOT);
            }
        }
        return null;
    }

    static String rootMessage(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null) {
            c = c.getCause();
        }
        return c.getClass().getSimpleName() + ": " + c.getMessage();
    }

    // ---- receiving side -----------------------------------------------------------------

    /** The receiving side of one accepted socket: one queue, named by the sender's hello. */
    private final class InHandler extends SimpleChannelInboundHandler<Frame> {
        private Conn conn;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (closed) {
                ctx.close();
                return;
            }
            channels.add(ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            channels.remove(ctx.channel());
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame f) throws Exception {
            if (f instanceof Frame.Hello h && conn == null) {
                String id = byQueue.get(B64U.encodeToString(h.queueId()));
                if (id == null) {
                    throw new TransportException(Reason.BAD_QUEUE, "unknown queue");
                }
                conn = conns.get(id);
                ctx.writeAndFlush(new Frame.Resume(h.queueId(), conn.recvNext));
            } else if (f instanceof Frame.Msg m
                    && conn != null
                    && conns.containsKey(conn.id)
                    && Arrays.equals(m.queueId(), B64D.decode(conn.myQueue))) {
                byte[] ackKey = receive(conn, m);
                byte[] tag =
                        QueueCrypto.seal(
                                ackKey,
                                QueueCrypto.PURPOSE_ACK,
                                m.seq(),
                                QueueCrypto.aad(m.queueId(), m.seq()),
                                new byte[0]);
                ctx.writeAndFlush(new Frame.Ack(m.queueId(), m.seq(), tag));
            } else {
                throw new TransportException(
                        Reason.BAD_FRAME, "unexpected " + f.getClass().getSimpleName());
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            ctx.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.warn(
                    "simplex rejected block from {}: {}",
                    ctx.channel().remoteAddress(),
                    rootMessage(cause));
            String reason = reasonOf(cause);
            if (reason != null) {
                metrics.increment("simplex_blocks_rejected", 1, "reason", reason);
            }
            ctx.close();
        }
    }

    /** Checks, opens and hands on one message; returns the queue key for the acknowledgement. */
    private byte[] receive(Conn c, Frame.Msg m) throws Exception {
        if (m.seq() != c.recvNext) {
            throw new TransportException(
                    Reason.REPLAY, "sequence " + m.seq() + ", expected " + c.recvNext);
        }
        boolean confirming = c.peerPublic == null;
        byte[] peerKey;
        if (confirming) {
            if (m.senderKey() == null || m.seq() != 0) {
                throw new TransportException(Reason.BAD_QUEUE, "queue not confirmed yet");
            }
            peerKey = m.senderKey();
        } else {
            if (m.senderKey() != null && !Arrays.equals(m.senderKey(), B64D.decode(c.peerPublic))) {
                throw new TransportException(Reason.BAD_QUEUE, "queue belongs to another sender");
            }
            peerKey = B64D.decode(c.peerPublic);
        }
        byte[] k = key(c, c.myQueue, peerKey);
        byte[] env =
                Blocks.unpad(
                        QueueCrypto.open(
                                k,
                                QueueCrypto.PURPOSE_MSG,
                                m.seq(),
                                QueueCrypto.aad(m.queueId(), m.seq()),
                                m.sealed()));
        if (env.length == 0) {
            throw new TransportException(Reason.BAD_FRAME, "empty envelope");
        }
        byte kind = env[0];
        if (confirming != (kind == CONFIRM)) {
            throw new TransportException(Reason.BAD_FRAME, "confirmation out of place");
        }
        if (kind == CONFIRM) {
            ByteBuffer b = ByteBuffer.wrap(env, 1, env.length - 1);
            int len = b.getShort() & 0xFFFF;
            if (len > b.remaining()) {
                throw new TransportException(Reason.BAD_FRAME, "bad reply link length");
            }
            byte[] linkBytes = new byte[len];
            b.get(linkBytes);
            ConnLink reply = ConnLink.parse(new String(linkBytes, StandardCharsets.US_ASCII));
            if (!Arrays.equals(reply.publicKey(), peerKey)) {
                throw new TransportException(
                        Reason.BAD_LINK, "reply link key differs from sender key");
            }
            byte[] chat = new byte[b.remaining()];
            b.get(chat);
            c.peerHost = reply.host();
            c.peerPort = reply.port();
            c.peerQueue = B64U.encodeToString(reply.queueId());
            c.peerPublic = B64U.encodeToString(peerKey);
            listener.onConfirmation(c, chat);
            c.recvNext++;
            save(c);
            enqueue(c, new byte[] {HELLO});
            log.info("simplex connection {} confirmed by {}:{}", c.id, c.peerHost, c.peerPort);
        } else if (kind == HELLO) {
            listener.onHello(c);
            c.recvNext++;
            save(c);
        } else if (kind == MESSAGE) {
            listener.onMessage(c, Arrays.copyOfRange(env, 1, env.length));
            c.recvNext++;
            save(c);
        } else {
            throw new TransportException(Reason.BAD_FRAME, "unknown envelope kind");
        }
        return k;
    }
}
