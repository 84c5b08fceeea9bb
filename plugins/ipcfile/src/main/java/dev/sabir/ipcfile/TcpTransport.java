package dev.sabir.ipcfile;

import dev.sabir.ipcfile.UploadConversation.Reply;
import dev.sabir.ipcfile.codec.IpcCodecException;
import dev.sabir.ipcfile.codec.IpcFrame;
import dev.sabir.ipcfile.codec.IpcFrameDecoder;
import dev.sabir.ipcfile.codec.IpcFrameEncoder;
import dev.sabir.ipcfile.codec.IpcMessages;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libipc framing over TCP, on the host's event loops. Frames are handled off the event loop,
 * one at a time per connection (spool writes and the final hash touch the disk); while a client has
 * several frames waiting, reading from it pauses.
 */
final class TcpTransport {
    private static final Logger LOG = LoggerFactory.getLogger(TcpTransport.class);
    private static final int PAUSE_AT = 4;

    private final UploadService service;
    private final ChannelGroup clients =
            new DefaultChannelGroup("ipcfile-clients", ImmediateEventExecutor.INSTANCE);
    private volatile Channel server;
    private volatile boolean closed;

    TcpTransport(UploadService service) {
        this.service = service;
    }

    CompletableFuture<InetSocketAddress> start(InetSocketAddress listen) {
        CompletableFuture<InetSocketAddress> done = new CompletableFuture<>();
        IpcFileSettings s = service.settings();
        int maxPayload = service.json().limits().maxPayload();
        new ServerBootstrap()
                .group(service.host().eventLoops())
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                clients.add(ch);
                                if (closed) {
                                    ch.close();
                                    return;
                                }
                                ch.pipeline()
                                        .addLast(
                                                new IdleStateHandler(
                                                        s.idleTimeout().toMillis(),
                                                        0,
                                                        0,
                                                        TimeUnit.MILLISECONDS))
                                        .addLast(new IpcFrameDecoder(maxPayload))
                                        .addLast(new IpcFrameEncoder())
                                        .addLast(new Handler());
                            }
                        })
                .bind(new InetSocketAddress(listen.getHostString(), listen.getPort()))
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (!f.isSuccess()) {
                                        done.completeExceptionally(f.cause());
                                        return;
                                    }
                                    server = f.channel();
                                    if (closed) {
                                        server.close();
                                        done.completeExceptionally(
                                                new IllegalStateException("closed"));
                                        return;
                                    }
                                    InetSocketAddress bound =
                                            (InetSocketAddress) server.localAddress();
                                    LOG.info("ipcfile {}: listening on tcp {}", s.account(), bound);
                                    done.complete(bound);
                                });
        return done;
    }

    InetSocketAddress address() {
        Channel c = server;
        return c == null ? null : (InetSocketAddress) c.localAddress();
    }

    void close() {
        closed = true;
        Channel c = server;
        if (c != null) {
            c.close().syncUninterruptibly();
        }
        clients.close().syncUninterruptibly();
    }

    /** One client connection. */
    private final class Handler extends ChannelInboundHandlerAdapter {
        private UploadConversation conversation;
        private final Deque<IpcFrame> queue = new ArrayDeque<>();
        private boolean running;
        private Executor executor;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            if (clients.size() > service.settings().maxClients()) {
                LOG.warn(
                        "ipcfile {}: too many clients, refusing {}",
                        service.settings().account(),
                        ch.remoteAddress());
                ch.writeAndFlush(
                                service.json()
                                        .encode(IpcMessages.error("", null, "too many clients")))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
            conversation = service.open("tcp " + ch.remoteAddress());
            executor = service.host().scheduler();
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (!(msg instanceof IpcFrame frame) || conversation == null) {
                return;
            }
            queue.add(frame);
            if (queue.size() >= PAUSE_AT) {
                ctx.channel().config().setAutoRead(false);
            }
            drain(ctx);
        }

        /** Runs the next queued frame off the event loop; called on the event loop. */
        private void drain(ChannelHandlerContext ctx) {
            if (running || queue.isEmpty()) {
                if (queue.isEmpty()
                        && !ctx.channel().config().isAutoRead()
                        && ctx.channel().isActive()) {
                    ctx.channel().config().setAutoRead(true);
                }
                return;
            }
            IpcFrame frame = queue.poll();
            running = true;
            try {
                executor.execute(
                        () -> {
                            Reply reply;
                            try {
                                reply = conversation.onFrame(frame);
                            } catch (RuntimeException e) {
                                LOG.warn(
                                        "ipcfile {}: failure handling a frame",
                                        service.settings().account(),
                                        e);
                                reply =
                                        new Reply(
                                                service.json()
                                                        .encode(
                                                                IpcMessages.error(
                                                                        "",
                                                                        null,
                                                                        "internal error")),
                                                true);
                            }
                            Reply r = reply;
                            ctx.executor()
                                    .execute(
                                            () -> {
                                                running = false;
                                                send(ctx, r);
                                                if (!r.close()) {
                                                    drain(ctx);
                                                }
                                            });
                        });
            } catch (RejectedExecutionException e) {
                ctx.close();
            }
        }

        private void send(ChannelHandlerContext ctx, Reply r) {
            if (r.frame() != null) {
                ChannelFuture f = ctx.writeAndFlush(r.frame());
                if (r.close()) {
                    queue.clear();
                    f.addListener(ChannelFutureListener.CLOSE);
                }
            } else if (r.close()) {
                queue.clear();
                ctx.close();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof DecoderException de
                    && de.getCause() instanceof IpcCodecException ice
                    && conversation != null) {
                send(ctx, conversation.onCodecError(ice));
                return;
            }
            LOG.debug(
                    "ipcfile {}: connection error from {}: {}",
                    service.settings().account(),
                    ctx.channel().remoteAddress(),
                    cause.toString());
            ctx.close();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                LOG.info(
                        "ipcfile {}: closing idle connection {}",
                        service.settings().account(),
                        ctx.channel().remoteAddress());
                ctx.close();
            }
        }
    }
}
