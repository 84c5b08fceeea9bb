package dev.sabir.jabberft.transfer;

import dev.sabir.api.Address;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.api.HostContext;
import dev.sabir.api.Sender;
import dev.sabir.jabberft.JabberFtConfig;
import dev.sabir.jabberft.codec.DataHeader;
import dev.sabir.jabberft.codec.DataHeaderDecoder;
import dev.sabir.jabberft.codec.FtMessages;
import dev.sabir.jabberft.codec.FtProtocolException;
import dev.sabir.jabberft.codec.FtQuery;
import dev.sabir.jabberft.codec.Stanzas;
import dev.sabir.jabberft.codec.XmlElement;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.stream.ChunkedFile;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proposal's flows on top of the component stream, and the raw TCP data connections.
 *
 * <p>Sending: a send proposal ({@code <connecting/>}, file name, size, SHA-256) goes to the peer;
 * it answers {@code <listening/>} with ip and port (this side connects), {@code <connecting/>}
 * (this side listens and tells it so in a follow-up set), {@code <abort/>} (declined) or {@code
 * <append/>} with {@code <filebytesdone/>} (only the rest is sent). Receiving is the mirror image;
 * a receiver whose data connection was cut asks for the rest with a get proposal. The listening
 * side sends {@code <timeout/>} when nobody connects in time.
 *
 * <p>Data connections carry a {@link DataHeader} line from the connecting side, the bytes from the
 * agreed offset, and a status line from the receiver.
 */
public final class FileTransfers implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FileTransfers.class);
    private static final int CHUNK = 16 * 1024;
    private static final int MAX_STATUS = 128;
    private static final long CUT_GRACE_MS = 750;

    /**
     * Error conditions that answer a send proposal with a refusal (declined), as opposed to errors
     * that say the peer cannot take the file this way at all.
     */
    private static final Set<String> REFUSALS =
            Set.of("not-acceptable", "forbidden", "not-allowed", "not-authorized");

    private final JabberFtConfig config;
    private final String account;
    private final HostContext host;
    private final EventSink sink;
    private final IqPort iq;
    private final SecureRandom random = new SecureRandom();

    /** Every live transfer by sid. */
    private final Map<String, Transfer> transfers = new ConcurrentHashMap<>();

    /** Transfers whose data connection this side waits for, by sid. */
    private final Map<String, Transfer> awaiting = new ConcurrentHashMap<>();

    /** Files this side offered, by peer JID (get proposals may ask for them again). */
    private final Map<String, Map<String, FileSpool.SpooledFile>> offered =
            new ConcurrentHashMap<>();

    /** Open data channels (closed with the engine). */
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();

    /** Pending get-resume timers. */
    private final Set<ScheduledFuture<?>> resumes = ConcurrentHashMap.newKeySet();

    private volatile Channel server;
    private volatile int boundPort;
    private volatile boolean closed;

    /**
     * @param config the account's settings
     * @param account the account name (for addresses)
     * @param host the host (event loops, scheduler, spool)
     * @param sink where file offers and progress go
     * @param iq the component stream
     */
    public FileTransfers(
            JabberFtConfig config, String account, HostContext host, EventSink sink, IqPort iq) {
        this.config = config;
        this.account = account;
        this.host = host;
        this.sink = sink;
        this.iq = iq;
    }

    /** Binds the data port when this side can listen. */
    public CompletableFuture<Void> start() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        if (!config.canListen()) {
            done.complete(null);
            return done;
        }
        InetSocketAddress at =
                new InetSocketAddress(config.listen().getHostString(), config.listen().getPort());
        new ServerBootstrap()
                .group(host.eventLoops())
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
                                ch.pipeline()
                                        .addLast(
                                                "header-timeout",
                                                new ReadTimeoutHandler(
                                                        config.timeout().toSeconds(),
                                                        TimeUnit.SECONDS))
                                        .addLast("header", new DataHeaderDecoder())
                                        .addLast("chunks", new ChunkedWriteHandler())
                                        .addLast("data", new DataHandler(null));
                            }
                        })
                .bind(at)
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (f.isSuccess()) {
                                        server = f.channel();
                                        boundPort =
                                                ((InetSocketAddress) f.channel().localAddress())
                                                        .getPort();
                                        LOG.info(
                                                "jabberft {}: data port {}",
                                                account,
                                                f.channel().localAddress());
                                        if (closed) {
                                            f.channel().close();
                                        }
                                        done.complete(null);
                                    } else {
                                        done.completeExceptionally(f.cause());
                                    }
                                });
        return done;
    }

    /** The bound data port, or 0 when not listening. */
    public int dataPort() {
        return boundPort;
    }

    /** Transfers in progress (for tests and metrics). */
    public int active() {
        return transfers.size();
    }

    // ---------------------------------------------------------------- sending

    /**
     * Offers a spooled file to a peer that supports the namespace; completes with the sid once the
     * receiver confirmed the bytes.
     */
    public CompletableFuture<String> send(String peer, Address conversation, FileOffer offer) {
        return offer(peer, conversation, offer, null).result;
    }

    /**
     * Offers a spooled file to a peer with a send proposal and returns the transfer at once: its
     * {@link Transfer#accepted()} tells how the peer answered the proposal, its {@link
     * Transfer#result()} when the bytes were confirmed. The {@code peers} setting is not consulted:
     * it limits whose proposals this side takes, not to whom it offers.
     *
     * @param peer the receiver's JID (a component domain or a user's full JID)
     * @param conversation the address progress events name
     * @param offer the offer; its spool id names the file
     * @param description the {@code <desc/>} line, cut to {@link FtQuery#MAX_DESC}; null or empty
     *     for none
     */
    public Transfer offer(String peer, Address conversation, FileOffer offer, String description) {
        Optional<FileSpool.SpooledFile> found =
                closed || offer.spoolId() == null
                        ? Optional.empty()
                        : host.spool().find(offer.spoolId());
        DeliveryException refused = null;
        if (closed) {
            refused = DeliveryException.offline("session closed");
        } else if (found.isEmpty()) {
            refused = DeliveryException.permanent("file not in the spool");
        } else if (found.get().size() <= 0) {
            refused = DeliveryException.permanent("empty files are not offered");
        }
        if (refused != null) {
            return refused(peer, conversation, offer, refused);
        }
        String sid = newSid();
        FileSpool.SpooledFile f = found.get();
        Transfer t =
                new Transfer(
                        sid,
                        peer,
                        conversation,
                        Transfer.Direction.SEND,
                        f.name(),
                        f.size(),
                        f.sha256());
        t.file = f;
        t.result = new CompletableFuture<>();
        transfers.put(sid, t);
        offered.computeIfAbsent(peer, k -> new ConcurrentHashMap<>()).put(f.sha256(), f);
        FtQuery q =
                FtMessages.sendProposal(
                        sid,
                        config.advertiseIp(),
                        f.name(),
                        f.size(),
                        f.sha256(),
                        description(description));
        LOG.info(
                "jabberft {}: offering {} ({} bytes) to {} as {}",
                account,
                f.name(),
                f.size(),
                peer,
                sid);
        iq.request("set", peer, q.toXml())
                .whenComplete((reply, err) -> onProposalAnswer(t, reply, err));
        return t;
    }

    /**
     * A transfer that was never started: both its futures already failed with {@code why}. It is
     * not registered and reports no progress.
     */
    public Transfer refused(
            String peer, Address conversation, FileOffer offer, DeliveryException why) {
        Transfer t =
                new Transfer(
                        newSid(),
                        peer,
                        conversation,
                        Transfer.Direction.SEND,
                        offer.name(),
                        offer.size(),
                        offer.sha256());
        t.result = CompletableFuture.failedFuture(why);
        t.accepted.completeExceptionally(why);
        return t;
    }

    /** A description that fits {@code <desc/>}, or null for none. */
    static String description(String text) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        if (text.length() <= FtQuery.MAX_DESC) {
            return text;
        }
        int end = FtQuery.MAX_DESC;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--; // never split a surrogate pair
        }
        return text.substring(0, end);
    }

    private void onProposalAnswer(Transfer t, XmlElement reply, Throwable err) {
        if (err != null) {
            fail(
                    t,
                    err instanceof DeliveryException d
                            ? d
                            : DeliveryException.offline(err.getMessage()),
                    false);
            return;
        }
        if ("error".equals(reply.attr("type"))) {
            String condition = condition(reply);
            DeliveryException why =
                    DeliveryException.permanent("peer refused the proposal: " + condition);
            if (REFUSALS.contains(condition)) {
                declined(t, why);
            } else {
                // e.g. service-unavailable: the peer cannot take files this way at all
                fail(t, why, false);
            }
            return;
        }
        FtQuery q;
        try {
            q =
                    query(reply, t.sid)
                            .orElseThrow(() -> new FtProtocolException("answer without a query"));
        } catch (FtProtocolException e) {
            fail(t, DeliveryException.permanent("bad answer: " + e.getMessage()), true);
            return;
        }
        if (q.abort()) {
            declined(t, DeliveryException.permanent("declined by peer"));
            return;
        }
        if (q.filesize() >= 0 && q.filesize() != t.size) {
            fail(t, DeliveryException.permanent("peer answered for another file size"), true);
            return;
        }
        long offset = q.offset();
        if (offset >= t.size && q.append()) {
            LOG.info("jabberft {}: {} already has {}", account, t.peer, t.name);
            succeed(t);
            return;
        }
        synchronized (t) {
            t.offset = offset;
        }
        if (q.role() == FtQuery.Role.LISTENING
                || (q.role() == FtQuery.Role.CONNECTING && config.canListen())) {
            // the peer takes the file and a data connection can be set up
            t.accepted.complete(true);
        }
        negotiated(t, q, "set");
    }

    /** Acts on the other side's role: connect to its port, or listen and tell it so. */
    private void negotiated(Transfer t, FtQuery q, String followUpType) {
        switch (q.role()) {
            case LISTENING -> connect(t, q.ip(), q.port());
            case CONNECTING -> {
                if (!config.canListen()) {
                    iq.send(
                            Stanzas.iq(
                                    "set",
                                    "x" + t.sid,
                                    iq.self(),
                                    t.peer,
                                    FtMessages.abort(t.sid).toXml()));
                    fail(t, DeliveryException.permanent("neither side can listen"), false);
                    return;
                }
                listenFor(t);
                FtQuery follow =
                        FtMessages.listening(
                                new FtQuery(
                                                t.sid,
                                                FtQuery.Role.NONE,
                                                false,
                                                false,
                                                false,
                                                null,
                                                0,
                                                t.name,
                                                t.size,
                                                -1,
                                                null,
                                                t.sha256,
                                                null)
                                        .withDone(t.offset),
                                config.advertiseIp(),
                                advertisedPort());
                iq.request(followUpType, t.peer, follow.toXml())
                        .whenComplete(
                                (r, e) -> {
                                    if (e != null || "error".equals(r.attr("type"))) {
                                        fail(
                                                t,
                                                DeliveryException.offline(
                                                        "peer did not take the listening port"),
                                                false);
                                    }
                                });
            }
            default -> fail(t, DeliveryException.permanent("answer names no role"), true);
        }
    }

    // ---------------------------------------------------------------- incoming IQs

    /**
     * Handles an IQ get or set carrying a query in {@link FtQuery#NAMESPACE}; returns the answer
     * stanza to write.
     */
    public String onRequest(XmlElement stanza, XmlElement queryElement) {
        String from = stanza.attr("from");
        String id = stanza.attr("id");
        String type = stanza.attr("type");
        FtQuery q;
        try {
            q = FtQuery.parse(queryElement, id);
        } catch (FtProtocolException e) {
            LOG.info("jabberft {}: bad query from {}: {}", account, from, e.getMessage());
            return Stanzas.error(id, iq.self(), from, "bad-request");
        }
        if (q.abort()) {
            onAbort(q.sid(), from);
            return Stanzas.result(id, iq.self(), from);
        }
        if (q.timeout()) {
            onTimeout(q.sid(), from);
            return Stanzas.result(id, iq.self(), from);
        }
        Transfer known = transfers.get(q.sid());
        if (known != null) {
            if (!known.peer.equalsIgnoreCase(from)) {
                return Stanzas.error(id, iq.self(), from, "not-authorized");
            }
            if (q.role() == FtQuery.Role.LISTENING) {
                // the follow-up set after our <connecting/>: the other side now listens
                Transfer t = known;
                long offset = q.offset();
                synchronized (t) {
                    if (t.direction == Transfer.Direction.SEND) {
                        t.offset = offset;
                    }
                }
                t.cancelTimer();
                host.eventLoops().execute(() -> connect(t, q.ip(), q.port()));
                return Stanzas.result(id, iq.self(), from);
            }
            return Stanzas.error(id, iq.self(), from, "conflict");
        }
        if (q.filename() == null) {
            return Stanzas.error(id, iq.self(), from, "bad-request");
        }
        String answer = "get".equals(type) ? onGetProposal(from, q) : onSendProposal(from, q);
        return Stanzas.iq("result", id, iq.self(), from, answer);
    }

    private String onSendProposal(String from, FtQuery q) {
        FtQuery decline = FtMessages.abort(q.sid());
        if (!config.peers().isEmpty()
                && config.peers().stream()
                        .noneMatch(
                                p -> p.equalsIgnoreCase(from) || p.equalsIgnoreCase(bare(from)))) {
            LOG.info(
                    "jabberft {}: proposal from {} declined: not a configured peer", account, from);
            return decline.toXml();
        }
        if (q.filesize() <= 0) {
            return decline.toXml();
        }
        if (q.filesize() > config.maxFileSize()) {
            LOG.info(
                    "jabberft {}: proposal from {} declined: {} bytes over the limit",
                    account,
                    from,
                    q.filesize());
            return decline.toXml();
        }
        Address conversation = conversation(from);
        FileSpool.Upload upload;
        try {
            upload =
                    host.spool()
                            .receive(
                                    conversation,
                                    fileKey(q),
                                    q.filename(),
                                    q.filesize(),
                                    q.sha256());
        } catch (FileSpool.SpoolException e) {
            LOG.info("jabberft {}: proposal from {} declined: {}", account, from, e.getMessage());
            return decline.toXml();
        }
        long done = prefix(upload);
        if (done >= q.filesize()) {
            // the proposal's <append/> with every byte done: nothing to send
            return q.withRole(FtQuery.Role.NONE, null, 0).withDone(q.filesize()).toXml();
        }
        Transfer t =
                new Transfer(
                        q.sid(),
                        from,
                        conversation,
                        Transfer.Direction.RECEIVE,
                        upload.name(),
                        q.filesize(),
                        q.sha256());
        t.upload = upload;
        t.offset = done;
        t.position = done;
        transfers.put(t.sid, t);
        LOG.info(
                "jabberft {}: accepting {} ({} bytes, {} already here) from {} as {}",
                account,
                q.filename(),
                q.filesize(),
                done,
                from,
                t.sid);
        FtQuery base = q.withDone(done);
        if (config.canListen()) {
            listenFor(t);
            return FtMessages.listening(base, config.advertiseIp(), advertisedPort()).toXml();
        }
        armTimer(t);
        return FtMessages.connecting(base, config.advertiseIp()).toXml();
    }

    private String onGetProposal(String from, FtQuery q) {
        Map<String, FileSpool.SpooledFile> files = offered.getOrDefault(from, Map.of());
        FileSpool.SpooledFile f = null;
        for (FileSpool.SpooledFile c : files.values()) {
            boolean match =
                    q.sha256() != null
                            ? c.sha256().equals(q.sha256())
                            : c.name().equals(q.filename());
            if (match && (q.filesize() < 0 || q.filesize() == c.size())) {
                f = c;
            }
        }
        if (f == null || q.offset() > f.size()) {
            LOG.info(
                    "jabberft {}: get proposal from {} for {} declined: not offered",
                    account,
                    from,
                    q.filename());
            return FtMessages.abort(q.sid()).toXml();
        }
        Transfer t =
                new Transfer(
                        q.sid(),
                        from,
                        conversation(from),
                        Transfer.Direction.SEND,
                        f.name(),
                        f.size(),
                        f.sha256());
        t.file = f;
        t.offset = q.offset();
        transfers.put(t.sid, t);
        LOG.info(
                "jabberft {}: serving {} to {} from byte {} as {}",
                account,
                f.name(),
                from,
                t.offset,
                t.sid);
        FtQuery base =
                new FtQuery(
                                t.sid,
                                FtQuery.Role.NONE,
                                false,
                                false,
                                false,
                                null,
                                0,
                                f.name(),
                                f.size(),
                                -1,
                                q.desc(),
                                f.sha256(),
                                null)
                        .withDone(t.offset);
        if (config.canListen()) {
            listenFor(t);
            return FtMessages.listening(base, config.advertiseIp(), advertisedPort()).toXml();
        }
        armTimer(t);
        return FtMessages.connecting(base, config.advertiseIp()).toXml();
    }

    /** Receiver side: asks the sender for the rest of a cut file with a get proposal. */
    private void requestRest(Transfer cut) {
        if (closed) {
            return;
        }
        long done = prefix(cut.upload);
        if (done >= cut.size) {
            return;
        }
        String sid = newSid();
        Transfer t =
                new Transfer(
                        sid,
                        cut.peer,
                        cut.conversation,
                        Transfer.Direction.RECEIVE,
                        cut.name,
                        cut.size,
                        cut.sha256);
        t.upload = cut.upload;
        t.offset = done;
        t.position = done;
        transfers.put(sid, t);
        LOG.info(
                "jabberft {}: asking {} for the rest of {} from byte {} as {}",
                account,
                cut.peer,
                cut.name,
                done,
                sid);
        FtQuery q =
                FtMessages.getProposal(
                        sid, config.advertiseIp(), cut.name, cut.size, done, cut.sha256);
        iq.request("get", cut.peer, q.toXml())
                .whenComplete(
                        (reply, err) -> {
                            if (err != null || "error".equals(reply.attr("type"))) {
                                fail(
                                        t,
                                        DeliveryException.offline("get proposal unanswered"),
                                        false);
                                return;
                            }
                            try {
                                FtQuery a =
                                        query(reply, sid)
                                                .orElseThrow(
                                                        () -> new FtProtocolException("no query"));
                                if (a.abort()) {
                                    fail(
                                            t,
                                            DeliveryException.permanent(
                                                    "sender no longer offers the file"),
                                            false);
                                } else if (a.offset() != done) {
                                    fail(
                                            t,
                                            DeliveryException.permanent("sender resumes elsewhere"),
                                            true);
                                } else {
                                    negotiated(t, a, "set");
                                }
                            } catch (FtProtocolException e) {
                                fail(
                                        t,
                                        DeliveryException.permanent(
                                                "bad answer: " + e.getMessage()),
                                        true);
                            }
                        });
    }

    private void onAbort(String sid, String from) {
        Transfer t = transfers.get(sid);
        if (t == null || !t.peer.equalsIgnoreCase(from)) {
            return;
        }
        LOG.info("jabberft {}: {} aborted {}", account, from, sid);
        if (t.file != null) {
            offered.getOrDefault(t.peer, new ConcurrentHashMap<>()).remove(t.file.sha256());
        }
        fail(t, DeliveryException.permanent("aborted by peer"), false);
    }

    private void onTimeout(String sid, String from) {
        Transfer t = transfers.get(sid);
        if (t == null || !t.peer.equalsIgnoreCase(from)) {
            return;
        }
        LOG.info("jabberft {}: {} timed out waiting for a connection on {}", account, from, sid);
        fail(t, DeliveryException.offline("timeout: peer saw no data connection"), false);
    }

    /** Stops a transfer of this side and tells the peer with {@code <abort/>}; false if unknown. */
    public boolean abort(String sid) {
        Transfer t = transfers.get(sid);
        if (t == null) {
            return false;
        }
        if (t.file != null) {
            offered.getOrDefault(t.peer, new ConcurrentHashMap<>()).remove(t.file.sha256());
        }
        fail(t, DeliveryException.permanent("aborted"), true);
        return true;
    }

    // ---------------------------------------------------------------- data connections

    private void listenFor(Transfer t) {
        awaiting.put(t.sid, t);
        armTimer(t);
    }

    private void armTimer(Transfer t) {
        synchronized (t) {
            if (t.timer != null) {
                t.timer.cancel(false);
            }
            t.timer =
                    host.scheduler()
                            .schedule(
                                    () -> onListenTimeout(t),
                                    config.timeout().toMillis(),
                                    TimeUnit.MILLISECONDS);
        }
    }

    private void onListenTimeout(Transfer t) {
        synchronized (t) {
            t.timer = null;
            if (t.finished || t.channel != null) {
                return;
            }
        }
        boolean wasListening = awaiting.remove(t.sid) != null;
        if (wasListening) {
            LOG.info(
                    "jabberft {}: nobody connected for {} within {}s",
                    account,
                    t.sid,
                    config.timeout().toSeconds());
            iq.send(
                    Stanzas.iq(
                            "set",
                            "t" + t.sid,
                            iq.self(),
                            t.peer,
                            FtMessages.timeout(t.sid).toXml()));
        }
        fail(
                t,
                DeliveryException.offline(
                        "timeout: no data connection within " + config.timeout().toSeconds() + "s"),
                false);
    }

    private void connect(Transfer t, String ip, int port) {
        if (closed) {
            return;
        }
        synchronized (t) {
            if (t.finished) {
                return;
            }
        }
        armTimer(t);
        new Bootstrap()
                .group(host.eventLoops())
                .channel(NioSocketChannel.class)
                .option(
                        ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline()
                                        .addLast("chunks", new ChunkedWriteHandler())
                                        .addLast("data", new DataHandler(t));
                            }
                        })
                .connect(new InetSocketAddress(ip, port))
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (!f.isSuccess()) {
                                        LOG.info(
                                                "jabberft {}: cannot connect to {}:{} for {}",
                                                account,
                                                ip,
                                                port,
                                                t.sid);
                                        fail(
                                                t,
                                                DeliveryException.offline(
                                                        "cannot connect to " + ip + ":" + port),
                                                true);
                                    }
                                });
    }

    /**
     * Both ends of a data connection; a listening side's handler learns its transfer from the
     * header.
     */
    private final class DataHandler extends ChannelInboundHandlerAdapter {
        private Transfer t;
        private final boolean connecting;

        DataHandler(Transfer t) {
            this.t = t;
            this.connecting = t != null;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            channels.add(ctx.channel());
            if (closed) {
                ctx.close();
                return;
            }
            if (connecting) {
                if (!attach(t, ctx.channel())) {
                    ctx.close();
                    return;
                }
                long offset;
                synchronized (t) {
                    offset = t.offset;
                }
                ctx.writeAndFlush(Unpooled.wrappedBuffer(new DataHeader(t.sid, offset).encode()));
                started(ctx);
            }
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof DataHeader h) {
                Transfer found = awaiting.remove(h.sid());
                boolean ok = found != null;
                if (ok) {
                    synchronized (found) {
                        ok = found.offset == h.offset();
                    }
                }
                if (!ok || !attach(found, ctx.channel())) {
                    LOG.info(
                            "jabberft {}: data connection from {} names no awaited transfer, closed",
                            account,
                            ctx.channel().remoteAddress());
                    if (found != null) {
                        awaiting.put(found.sid, found);
                    }
                    ctx.close();
                    return;
                }
                t = found;
                ctx.pipeline().remove("header-timeout");
                started(ctx);
                return;
            }
            if (!(msg instanceof ByteBuf buf)) {
                ReferenceCountUtil.release(msg);
                return;
            }
            try {
                if (t == null) {
                    ctx.close();
                } else if (t.direction == Transfer.Direction.RECEIVE) {
                    receive(ctx, buf);
                } else {
                    status(ctx, buf);
                }
            } finally {
                buf.release();
            }
        }

        private void started(ChannelHandlerContext ctx) {
            t.cancelTimer();
            sink.accept(
                    new FileProgress(
                            t.conversation,
                            t.sid,
                            t.offset,
                            t.size,
                            FileProgress.State.TRANSFERRING,
                            ""));
            if (t.direction == Transfer.Direction.SEND) {
                long offset;
                synchronized (t) {
                    offset = t.offset;
                }
                // a receiver that stops reading (or never sends its status line) must not hold
                // the transfer forever: no progress either way for the timeout ends it
                ctx.pipeline()
                        .addBefore(
                                "chunks",
                                "send-idle",
                                new IdleStateHandler(
                                        true,
                                        0,
                                        0,
                                        config.timeout().toMillis(),
                                        TimeUnit.MILLISECONDS));
                try {
                    RandomAccessFile raf = new RandomAccessFile(t.file.path().toFile(), "r");
                    ctx.writeAndFlush(new ChunkedFile(raf, offset, t.size - offset, CHUNK));
                } catch (IOException e) {
                    fail(
                            t,
                            DeliveryException.permanent("cannot read the file: " + e.getMessage()),
                            true);
                }
            } else {
                ctx.pipeline()
                        .addBefore(
                                "data",
                                "idle",
                                new ReadTimeoutHandler(
                                        config.timeout().toSeconds(), TimeUnit.SECONDS));
            }
        }

        private void receive(ChannelHandlerContext ctx, ByteBuf buf) {
            int len = buf.readableBytes();
            long at;
            synchronized (t) {
                at = t.position;
                if (t.finished) {
                    return;
                }
            }
            if (at + len > t.size) {
                reply(ctx, "ERR more data than announced");
                fail(t, DeliveryException.permanent("peer sent more than announced"), true);
                return;
            }
            byte[] bytes = new byte[len];
            buf.readBytes(bytes);
            try {
                t.upload.write(at, bytes, 0, len);
            } catch (FileSpool.SpoolException e) {
                reply(ctx, "ERR " + e.getMessage());
                fail(t, DeliveryException.permanent("spool refused: " + e.getMessage()), true);
                return;
            }
            synchronized (t) {
                t.position = at + len;
            }
            if (at + len == t.size) {
                complete(ctx);
            }
        }

        private void complete(ChannelHandlerContext ctx) {
            FileSpool.SpooledFile f;
            try {
                f = t.upload.complete();
            } catch (FileSpool.SpoolException e) {
                reply(ctx, "ERR " + e.getMessage());
                fail(
                        t,
                        DeliveryException.permanent("incomplete or corrupt: " + e.getMessage()),
                        false);
                return;
            }
            synchronized (t) {
                t.finished = true;
            }
            transfers.remove(t.sid);
            reply(ctx, "OK");
            LOG.info(
                    "jabberft {}: received {} ({} bytes) from {}",
                    account,
                    f.name(),
                    f.size(),
                    t.peer);
            sink.accept(
                    new FileProgress(
                            t.conversation,
                            t.sid,
                            f.size(),
                            f.size(),
                            FileProgress.State.COMPLETE,
                            ""));
            sink.accept(
                    new FileOffer(
                            t.conversation,
                            Sender.of(t.peer),
                            t.sid,
                            f.name(),
                            f.size(),
                            f.sha256(),
                            f.mediaType(),
                            f.spoolId()));
        }

        private void reply(ChannelHandlerContext ctx, String line) {
            String clean =
                    line.length() > MAX_STATUS - 1 ? line.substring(0, MAX_STATUS - 1) : line;
            ctx.writeAndFlush(
                            Unpooled.copiedBuffer(
                                    clean.replace('\n', ' ') + "\n", StandardCharsets.UTF_8))
                    .addListener(ChannelFutureListener.CLOSE);
        }

        private void status(ChannelHandlerContext ctx, ByteBuf buf) {
            StringBuilder s = t.status;
            while (buf.isReadable()) {
                char c = (char) (buf.readByte() & 0xff);
                if (c == '\n') {
                    String line = s.toString().trim();
                    if (line.equals("OK")) {
                        succeed(t);
                    } else {
                        fail(t, DeliveryException.permanent("receiver: " + line), false);
                    }
                    ctx.close();
                    return;
                }
                if (s.length() >= MAX_STATUS) {
                    fail(t, DeliveryException.permanent("receiver sent a bad status"), false);
                    ctx.close();
                    return;
                }
                s.append(c);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            channels.remove(ctx.channel());
            Transfer cur = t;
            if (cur != null) {
                boolean done;
                synchronized (cur) {
                    done = cur.finished;
                }
                if (!done && !closed) {
                    LOG.info(
                            "jabberft {}: data connection of {} closed at byte {}",
                            account,
                            cur.sid,
                            cur.position);
                    // an <abort/> or <timeout/> may be on its way through the server: give it a
                    // moment to name the real reason before treating this as a cut
                    synchronized (cur) {
                        if (cur.timer != null) {
                            cur.timer.cancel(false);
                        }
                        cur.timer =
                                host.scheduler()
                                        .schedule(
                                                () -> cut(cur),
                                                CUT_GRACE_MS,
                                                TimeUnit.MILLISECONDS);
                    }
                }
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            Transfer cur = t;
            if (evt instanceof IdleStateEvent && cur != null) {
                LOG.info(
                        "jabberft {}: receiver of {} made no progress for {}s",
                        account,
                        cur.sid,
                        config.timeout().toSeconds());
                fail(
                        cur,
                        DeliveryException.offline(
                                "timeout: receiver made no progress for "
                                        + config.timeout().toSeconds()
                                        + "s"),
                        true);
                ctx.close();
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.info(
                    "jabberft {}: data connection {} dropped: {}",
                    account,
                    ctx.channel().remoteAddress(),
                    cause.toString());
            ctx.close();
        }
    }

    private void cut(Transfer t) {
        synchronized (t) {
            t.timer = null;
            if (t.finished) {
                return;
            }
        }
        fail(t, DeliveryException.offline("data connection closed before the end"), false);
        if (t.direction == Transfer.Direction.RECEIVE
                && !closed
                && !config.resumeDelay().isZero()) {
            scheduleResume(t);
        }
    }

    private boolean attach(Transfer t, Channel ch) {
        synchronized (t) {
            if (t.finished || t.channel != null) {
                return false;
            }
            t.channel = ch;
            return true;
        }
    }

    private void scheduleResume(Transfer cut) {
        ScheduledFuture<?>[] holder = new ScheduledFuture<?>[1];
        holder[0] =
                host.scheduler()
                        .schedule(
                                () -> {
                                    resumes.remove(holder[0]);
                                    requestRest(cut);
                                },
                                config.resumeDelay().toMillis(),
                                TimeUnit.MILLISECONDS);
        resumes.add(holder[0]);
        if (closed) {
            holder[0].cancel(false);
        }
    }

    // ---------------------------------------------------------------- endings

    private void succeed(Transfer t) {
        synchronized (t) {
            t.finished = true;
        }
        t.cancelTimer();
        transfers.remove(t.sid);
        awaiting.remove(t.sid);
        LOG.info("jabberft {}: {} delivered to {}", account, t.sid, t.peer);
        t.accepted.complete(true);
        if (t.result != null) {
            t.result.complete(t.sid);
        }
    }

    /** Ends an offer the peer declined: {@code accepted} is false, the result fails. */
    private void declined(Transfer t, DeliveryException why) {
        t.accepted.complete(false);
        fail(t, why, false);
    }

    /**
     * Ends a transfer that did not complete. With {@code tellPeer} the peer gets an {@code
     * <abort/>}.
     */
    private void fail(Transfer t, DeliveryException why, boolean tellPeer) {
        Channel ch;
        synchronized (t) {
            if (t.finished) {
                return;
            }
            t.finished = true;
            ch = t.channel;
        }
        t.cancelTimer();
        transfers.remove(t.sid);
        awaiting.remove(t.sid);
        if (tellPeer) {
            iq.send(
                    Stanzas.iq(
                            "set",
                            "a" + t.sid,
                            iq.self(),
                            t.peer,
                            FtMessages.abort(t.sid).toXml()));
        }
        if (ch != null) {
            ch.close();
        }
        t.accepted.completeExceptionally(why);
        if (t.result != null) {
            t.result.completeExceptionally(why);
        }
        long pos;
        synchronized (t) {
            pos = t.position;
        }
        LOG.info(
                "jabberft {}: transfer {} with {} failed: {}",
                account,
                t.sid,
                t.peer,
                why.getMessage());
        sink.accept(
                new FileProgress(
                        t.conversation,
                        t.sid,
                        pos,
                        t.size,
                        FileProgress.State.FAILED,
                        why.getMessage()));
    }

    /** Aborts every transfer (telling the peers), closes data connections and the data port. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (ScheduledFuture<?> r : resumes) {
            r.cancel(false);
        }
        resumes.clear();
        for (Transfer t : List.copyOf(transfers.values())) {
            fail(t, DeliveryException.offline("session closed"), true);
        }
        Channel s = server;
        if (s != null) {
            s.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (Channel c : List.copyOf(channels)) {
            c.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        offered.clear();
    }

    // ---------------------------------------------------------------- helpers

    private int advertisedPort() {
        return config.advertisePort() > 0 ? config.advertisePort() : boundPort;
    }

    private Address conversation(String jid) {
        return new Address("jabberft", account, jid);
    }

    private String newSid() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** The spool key that lets a later proposal of the same file resume the partial one. */
    private static String fileKey(FtQuery q) {
        return q.sha256() != null
                ? "sha256:" + q.sha256()
                : "name:" + q.filename() + ":" + q.filesize();
    }

    /** Bytes present from the start without a gap. */
    private static long prefix(FileSpool.Upload u) {
        List<FileSpool.Range> missing = u.missing();
        return missing.isEmpty() ? Math.max(u.size(), 0) : missing.get(0).offset();
    }

    private static Optional<FtQuery> query(XmlElement iq, String sid) throws FtProtocolException {
        Optional<XmlElement> q = iq.child("query", FtQuery.NAMESPACE);
        return q.isEmpty() ? Optional.empty() : Optional.of(FtQuery.parse(q.get(), sid));
    }

    private static String condition(XmlElement iq) {
        return iq.child("error")
                .flatMap(e -> e.children().stream().findFirst())
                .map(XmlElement::name)
                .orElse("unknown");
    }

    private static String bare(String jid) {
        int slash = jid.indexOf('/');
        return slash < 0 ? jid : jid.substring(0, slash);
    }
}
