package dev.sabir.jabberft.component;

import dev.sabir.jabberft.codec.Stanzas;
import dev.sabir.jabberft.codec.XmlElement;
import dev.sabir.jabberft.codec.XmlFrame;
import dev.sabir.jabberft.codec.XmlFrameException;
import dev.sabir.jabberft.codec.XmlFramer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small XEP-0114 component client that stays connected: opens the stream, answers with the
 * handshake {@code sha1(streamId + secret)}, hands every stanza to its {@link Listener} and
 * reconnects with growing delays until {@link #close()}.
 *
 * <p>All channels of a link run on one event loop of the host's group, so the listener is called on
 * one thread at a time.
 */
public final class ComponentLink {
    private static final Logger LOG = LoggerFactory.getLogger(ComponentLink.class);
    private static final long BACKOFF_MIN_MS = 500;
    private static final long BACKOFF_MAX_MS = 30_000;

    /** What the link reports, on its event loop. */
    public interface Listener {
        /** The handshake succeeded. */
        void online();

        /** The line is gone; a reconnect is scheduled unless the link was closed. */
        void offline(String reason);

        /** A stanza arrived. */
        void stanza(XmlElement stanza);
    }

    private final InetSocketAddress server;
    private final String domain;
    private final String secret;
    private final int maxElement;
    private final EventLoop loop;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final CompletableFuture<Void> firstOnline = new CompletableFuture<>();

    private volatile Channel channel;
    private volatile boolean online;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> retry;
    private long backoff = BACKOFF_MIN_MS;

    /**
     * @param server the XMPP server's component port
     * @param domain this component's domain
     * @param secret the shared secret
     * @param maxElement the largest stanza accepted, in bytes
     * @param loop the event loop for every channel of this link
     * @param scheduler the host's scheduler (reconnect timers)
     * @param listener gets the events
     */
    public ComponentLink(
            InetSocketAddress server,
            String domain,
            String secret,
            int maxElement,
            EventLoop loop,
            ScheduledExecutorService scheduler,
            Listener listener) {
        this.server = server;
        this.domain = domain;
        this.secret = secret;
        this.maxElement = maxElement;
        this.loop = loop;
        this.scheduler = scheduler;
        this.listener = listener;
    }

    /** Starts connecting; completes on the first handshake, fails when the server refuses it. */
    public CompletableFuture<Void> start() {
        loop.execute(this::connect);
        return firstOnline;
    }

    /** The component's domain (its JID). */
    public String domain() {
        return domain;
    }

    /** True while the handshake is done and the line is up. */
    public boolean isOnline() {
        return online && !closed;
    }

    /** Writes one stanza; false when offline. */
    public boolean send(String xml) {
        Channel ch = channel;
        if (!isOnline() || ch == null) {
            return false;
        }
        ch.writeAndFlush(Unpooled.copiedBuffer(xml, StandardCharsets.UTF_8));
        return true;
    }

    /** Ends the stream and stops reconnecting. Idempotent; waits briefly for the socket. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ScheduledFuture<?> r = retry;
        if (r != null) {
            r.cancel(false);
        }
        Channel ch = channel;
        if (ch != null) {
            if (ch.isActive()) {
                ch.writeAndFlush(
                        Unpooled.copiedBuffer(Stanzas.streamClose(), StandardCharsets.UTF_8));
            }
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        online = false;
        firstOnline.completeExceptionally(new IllegalStateException("closed"));
    }

    private void connect() {
        retry = null;
        if (closed) {
            return;
        }
        Bootstrap b =
                new Bootstrap()
                        .group(loop)
                        .channel(NioSocketChannel.class)
                        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                        .option(ChannelOption.TCP_NODELAY, true)
                        .option(ChannelOption.SO_KEEPALIVE, true)
                        .handler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        ch.pipeline()
                                                .addLast(
                                                        "framer",
                                                        new XmlFramer(
                                                                maxElement,
                                                                XmlFramer.DEFAULT_MAX_HEADER))
                                                .addLast("stream", new StreamHandler());
                                    }
                                });
        ChannelFuture f =
                b.connect(new InetSocketAddress(server.getHostString(), server.getPort()));
        channel = f.channel();
        f.addListener(
                done -> {
                    if (!done.isSuccess()) {
                        LOG.info(
                                "jabberft {}: cannot reach {}: {}",
                                domain,
                                server,
                                done.cause().toString());
                        scheduleRetry();
                    }
                });
    }

    private void scheduleRetry() {
        if (closed) {
            return;
        }
        long delay = backoff;
        backoff = Math.min(BACKOFF_MAX_MS, backoff * 2);
        retry = scheduler.schedule(() -> loop.execute(this::connect), delay, TimeUnit.MILLISECONDS);
    }

    private final class StreamHandler extends SimpleChannelInboundHandler<XmlFrame> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(
                    Unpooled.copiedBuffer(Stanzas.streamOpen(domain), StandardCharsets.UTF_8));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, XmlFrame frame) {
            if (frame instanceof XmlFrame.StreamOpen open) {
                if (open.id().isEmpty()) {
                    LOG.warn("jabberft {}: server sent no stream id", domain);
                    ctx.close();
                    return;
                }
                ctx.writeAndFlush(
                        Unpooled.copiedBuffer(
                                Stanzas.handshake(open.id(), secret), StandardCharsets.UTF_8));
            } else if (frame instanceof XmlFrame.Element el) {
                element(ctx, el);
            } else {
                LOG.info("jabberft {}: server closed the stream", domain);
                ctx.close();
            }
        }

        private void element(ChannelHandlerContext ctx, XmlFrame.Element el) {
            if (el.name().equals("handshake")) {
                online = true;
                backoff = BACKOFF_MIN_MS;
                LOG.info("jabberft {}: component online at {}", domain, server);
                listener.online();
                firstOnline.complete(null);
                return;
            }
            if (el.name().equals("stream:error")) {
                LOG.warn("jabberft {}: stream error: {}", domain, condition(el.xml()));
                if (!online) {
                    firstOnline.completeExceptionally(
                            new IllegalStateException("component refused: " + condition(el.xml())));
                }
                ctx.close();
                return;
            }
            if (!online) {
                LOG.warn("jabberft {}: stanza before handshake, closing", domain);
                ctx.close();
                return;
            }
            XmlElement stanza;
            try {
                stanza = XmlElement.parseStanza(el.xml());
            } catch (XmlFrameException e) {
                LOG.warn("jabberft {}: unparseable stanza dropped: {}", domain, e.getMessage());
                return;
            }
            try {
                listener.stanza(stanza);
            } catch (RuntimeException e) {
                LOG.warn("jabberft {}: handling a {} failed", domain, stanza.name(), e);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            boolean was = online;
            online = false;
            if (was) {
                listener.offline(closed ? "closed" : "connection lost");
            }
            if (!closed && firstOnline.isDone() && !firstOnline.isCompletedExceptionally()) {
                scheduleRetry();
            } else if (!closed && !firstOnline.isDone()) {
                scheduleRetry();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.warn("jabberft {}: stream fault: {}", domain, cause.getMessage());
            ctx.close();
        }
    }

    private static String condition(String xml) {
        try {
            XmlElement e = XmlElement.parseStanza(xml);
            return e.children().isEmpty() ? "unknown" : e.children().get(0).name();
        } catch (XmlFrameException ex) {
            return "unparseable";
        }
    }
}
