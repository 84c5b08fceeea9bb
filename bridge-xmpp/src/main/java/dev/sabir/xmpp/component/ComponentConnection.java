package dev.sabir.xmpp.component;

import dev.sabir.xmpp.codec.ComponentProtocol;
import dev.sabir.xmpp.codec.XmlFrame;
import dev.sabir.xmpp.codec.XmlFrameException;
import dev.sabir.xmpp.codec.XmlStreamFramer;
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
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One XEP-0114 connection to the XMPP server, kept up: stream open, handshake, XEP-0199 pings when
 * the line is quiet, and reconnection with exponential backoff until {@link #close()}.
 *
 * <p>Every channel runs on the one event loop given at construction, so the listener is always
 * called on that thread.
 */
public final class ComponentConnection {
    private static final Logger LOG = LoggerFactory.getLogger(ComponentConnection.class);

    /** What the connection reports; called on the connection's event loop. */
    public interface Listener {
        /** The handshake succeeded. */
        void online();

        /** The connection is gone; a reconnect is scheduled unless closed. */
        void offline(String reason);

        /** A stanza arrived (its element name and text). */
        void stanza(String name, String xml);
    }

    /**
     * Connection settings.
     *
     * @param server the server's component port
     * @param domain the component's domain
     * @param secret the shared secret
     * @param pingTarget where keepalive pings go (the server's domain)
     * @param pingInterval quiet time before a ping; twice that without reply closes the line
     * @param maxElement the largest stanza accepted from the server, in bytes
     * @param backoffMin first reconnect delay
     * @param backoffMax longest reconnect delay
     */
    public record Settings(
            InetSocketAddress server,
            String domain,
            String secret,
            String pingTarget,
            Duration pingInterval,
            int maxElement,
            Duration backoffMin,
            Duration backoffMax) {
        @Override
        public String toString() {
            return "Settings[" + server + ", domain=" + domain + "]"; // never the secret
        }
    }

    private final Settings settings;
    private final EventLoop loop;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final CompletableFuture<Void> firstOnline = new CompletableFuture<>();

    private volatile Channel channel;
    private volatile boolean online;
    private volatile boolean closed;
    private volatile ScheduledFuture<?> reconnect;
    private long backoffMillis;
    private int pingCounter;

    /**
     * @param settings where and how to connect
     * @param loop the event loop every channel of this connection uses
     * @param scheduler the host's scheduler (reconnect timers)
     * @param listener gets the events
     */
    public ComponentConnection(
            Settings settings,
            EventLoop loop,
            ScheduledExecutorService scheduler,
            Listener listener) {
        this.settings = settings;
        this.loop = loop;
        this.scheduler = scheduler;
        this.listener = listener;
        this.backoffMillis = settings.backoffMin().toMillis();
    }

    /**
     * Starts connecting; completes on the first successful handshake, fails on the first refusal.
     */
    public CompletableFuture<Void> start() {
        loop.execute(this::connectNow);
        return firstOnline;
    }

    /** True while the handshake is done and the line is up. */
    public boolean isOnline() {
        return online && !closed;
    }

    /**
     * Writes an element if online.
     *
     * @return the write's future, or null when offline
     */
    public ChannelFuture send(String xml) {
        Channel ch = channel;
        if (!online || ch == null || closed) {
            return null;
        }
        return ch.writeAndFlush(Unpooled.copiedBuffer(xml, StandardCharsets.UTF_8));
    }

    /** Closes the stream and stops reconnecting. Idempotent. */
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ScheduledFuture<?> r = reconnect;
        if (r != null) {
            r.cancel(false);
        }
        Channel ch = channel;
        if (ch != null) {
            if (ch.isActive() && online) {
                ch.writeAndFlush(
                        Unpooled.copiedBuffer(
                                ComponentProtocol.streamClose(), StandardCharsets.UTF_8));
            }
            ch.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        online = false;
        firstOnline.completeExceptionally(new IllegalStateException("closed"));
    }

    private void connectNow() {
        reconnect = null;
        if (closed) {
            return;
        }
        InetSocketAddress target =
                new InetSocketAddress(
                        settings.server().getHostString(), settings.server().getPort());
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
                                        long ping = settings.pingInterval().toMillis();
                                        ch.pipeline()
                                                .addLast(
                                                        "idle",
                                                        new IdleStateHandler(
                                                                ping, 0, 0, TimeUnit.MILLISECONDS))
                                                .addLast(
                                                        "framer",
                                                        new XmlStreamFramer(
                                                                settings.maxElement(),
                                                                XmlStreamFramer.DEFAULT_MAX_HEADER))
                                                .addLast("stream", new StreamHandler());
                                    }
                                });
        ChannelFuture f = b.connect(target);
        channel = f.channel();
        f.addListener(
                done -> {
                    if (!done.isSuccess()) {
                        LOG.info(
                                "component {}: connect to {} failed: {}",
                                settings.domain(),
                                target,
                                done.cause().toString());
                        lost("connect failed: " + done.cause().getMessage(), false);
                    }
                });
    }

    private void lost(String reason, boolean refused) {
        boolean wasOnline = online;
        online = false;
        if (refused) {
            firstOnline.completeExceptionally(new ComponentRefusedException(reason));
        }
        if (wasOnline || refused) {
            listener.offline(reason);
        }
        if (closed) {
            return;
        }
        long delay = backoffMillis;
        backoffMillis = Math.min(backoffMillis * 2, settings.backoffMax().toMillis());
        LOG.debug("component {}: reconnecting in {} ms", settings.domain(), delay);
        try {
            reconnect =
                    scheduler.schedule(
                            () -> loop.execute(this::connectNow), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            LOG.debug("component {}: scheduler stopped, no reconnect", settings.domain());
        }
    }

    /** The server refused the component (bad secret, unknown domain). */
    public static final class ComponentRefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message the server's reason
         */
        public ComponentRefusedException(String message) {
            super(message);
        }
    }

    private final class StreamHandler extends SimpleChannelInboundHandler<XmlFrame> {
        private boolean handshakeSent;
        private boolean pingOutstanding;
        private String failure;
        private boolean refused;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(
                    Unpooled.copiedBuffer(
                            ComponentProtocol.streamHeader(settings.domain()),
                            StandardCharsets.UTF_8));
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, XmlFrame frame) {
            pingOutstanding = false;
            if (frame instanceof XmlFrame.StreamOpen open) {
                String id = open.attribute("id");
                if (id == null || id.isEmpty()) {
                    fail(ctx, "server sent no stream id", false);
                    return;
                }
                handshakeSent = true;
                ctx.writeAndFlush(
                        Unpooled.copiedBuffer(
                                ComponentProtocol.handshake(id, settings.secret()),
                                StandardCharsets.UTF_8));
            } else if (frame instanceof XmlFrame.Element el) {
                element(ctx, el);
            } else {
                fail(ctx, "server closed the stream", false);
            }
        }

        private void element(ChannelHandlerContext ctx, XmlFrame.Element el) {
            if (el.name().equals("stream:error") || el.name().endsWith(":error") && !online) {
                String condition = ComponentProtocol.streamErrorCondition(el.xml());
                boolean refusal = !online;
                fail(
                        ctx,
                        refusal
                                ? "server refused the component handshake for "
                                        + settings.domain()
                                        + " ("
                                        + condition
                                        + "): check the secret and the server's component config"
                                : "stream error: " + condition,
                        refusal);
                return;
            }
            if (!online) {
                if (handshakeSent && el.name().equals("handshake")) {
                    online = true;
                    backoffMillis = settings.backoffMin().toMillis();
                    LOG.info("component {} online via {}", settings.domain(), settings.server());
                    listener.online();
                    firstOnline.complete(null);
                }
                return;
            }
            try {
                listener.stanza(el.name(), el.xml());
            } catch (RuntimeException e) {
                LOG.warn("component {}: stanza handler failed", settings.domain(), e);
            }
        }

        private void fail(ChannelHandlerContext ctx, String reason, boolean refusal) {
            if (failure == null) {
                failure = reason;
                refused = refusal;
            }
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent e && e.state() == IdleState.READER_IDLE) {
                if (!online) {
                    fail(ctx, "handshake timed out", false);
                } else if (pingOutstanding) {
                    fail(ctx, "ping timed out", false);
                } else {
                    pingOutstanding = true;
                    String ping =
                            "<iq type='get' id='sabir-ping-"
                                    + (++pingCounter)
                                    + "' from='"
                                    + ComponentProtocol.escape(settings.domain())
                                    + "' to='"
                                    + ComponentProtocol.escape(settings.pingTarget())
                                    + "'><ping xmlns='urn:xmpp:ping'/></iq>";
                    ctx.writeAndFlush(Unpooled.copiedBuffer(ping, StandardCharsets.UTF_8));
                }
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof XmlFrameException x) {
                LOG.warn(
                        "component {}: bad stream from server: {}",
                        settings.domain(),
                        x.getMessage());
                if (ctx.channel().isActive()) {
                    ctx.writeAndFlush(
                            Unpooled.copiedBuffer(
                                    ComponentProtocol.streamError(x.reason().condition()),
                                    StandardCharsets.UTF_8));
                }
                fail(ctx, "bad stream: " + x.reason(), false);
            } else {
                LOG.info("component {}: connection error: {}", settings.domain(), cause.toString());
                fail(ctx, cause.toString(), false);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            lost(failure != null ? failure : "connection closed", refused);
        }
    }
}
