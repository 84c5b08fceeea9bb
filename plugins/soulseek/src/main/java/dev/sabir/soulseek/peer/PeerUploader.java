package dev.sabir.soulseek.peer;

import dev.sabir.api.Address;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.api.HostContext;
import dev.sabir.soulseek.codec.PeerEncoder;
import dev.sabir.soulseek.codec.PeerInitMessage.PeerInit;
import dev.sabir.soulseek.codec.PeerMessage.TransferReply;
import dev.sabir.soulseek.codec.PeerMessage.TransferRequest;
import dev.sabir.soulseek.codec.PeerMessageDecoder;
import dev.sabir.soulseek.codec.ServerMessageDecoder;
import dev.sabir.soulseek.codec.SlskLimits;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.stream.ChunkedStream;
import io.netty.handler.stream.ChunkedWriteHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a spooled file to a Soulseek peer the way clients upload: a {@code P} connection carrying
 * TransferRequest (direction upload) and the peer's TransferReply, then an {@code F} connection on
 * which we send the ticket, read the {@code uint64} offset the downloader wants (resume), and write
 * the bytes from there. Progress is reported as {@link FileProgress} events.
 */
public final class PeerUploader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PeerUploader.class);
    private static final int TIMEOUT_SECONDS = 60;

    private final HostContext host;
    private final EventSink sink;
    private final SecureRandom random = new SecureRandom();
    private final Set<Channel> channels = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /**
     * @param host the host (event loops, spool)
     * @param sink where progress goes
     */
    public PeerUploader(HostContext host, EventSink sink) {
        this.host = host;
        this.sink = sink;
    }

    /**
     * Offers the file to the peer. Completes with the transfer ticket once the request is sent;
     * completes exceptionally when the peer cannot be reached (retryable) or the file is unknown.
     */
    public CompletionStage<String> upload(
            InetSocketAddress peer, String ourName, Address conversation, FileOffer offer) {
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("closed"));
        }
        FileSpool.SpooledFile file =
                offer.spoolId() == null ? null : host.spool().find(offer.spoolId()).orElse(null);
        if (file == null) {
            return CompletableFuture.failedFuture(
                    DeliveryException.permanent(
                            "file " + offer.offerId() + " is not in the spool"));
        }
        int ticket = random.nextInt() & 0x7fffffff;
        String offerId = Integer.toString(ticket);
        CompletableFuture<String> sent = new CompletableFuture<>();
        Bootstrap b =
                bootstrap(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline()
                                        .addLast(new ReadTimeoutHandler(TIMEOUT_SECONDS))
                                        .addLast(
                                                ServerMessageDecoder.frameDecoder(
                                                        SlskLimits.CLIENT))
                                        .addLast(new PeerMessageDecoder(SlskLimits.CLIENT))
                                        .addLast(new PeerEncoder(SlskLimits.CLIENT))
                                        .addLast(
                                                new ChannelInboundHandlerAdapter() {
                                                    @Override
                                                    public void channelRead(
                                                            ChannelHandlerContext ctx, Object msg) {
                                                        if (msg instanceof TransferReply r
                                                                && r.ticket() == ticket) {
                                                            ctx.close();
                                                            if (r.allowed()) {
                                                                sendFile(
                                                                        peer,
                                                                        ourName,
                                                                        conversation,
                                                                        offerId,
                                                                        ticket,
                                                                        file);
                                                            } else {
                                                                log.info(
                                                                        "soulseek upload {} to {} declined: {}",
                                                                        file.name(),
                                                                        conversation,
                                                                        r.reason());
                                                                progress(
                                                                        conversation,
                                                                        offerId,
                                                                        0,
                                                                        file.size(),
                                                                        FileProgress.State.DECLINED,
                                                                        r.reason());
                                                            }
                                                        }
                                                    }

                                                    @Override
                                                    public void exceptionCaught(
                                                            ChannelHandlerContext ctx,
                                                            Throwable cause) {
                                                        ctx.close();
                                                    }
                                                });
                            }
                        });
        b.connect(peer)
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (!f.isSuccess()) {
                                        sent.completeExceptionally(
                                                DeliveryException.offline(
                                                        "cannot reach "
                                                                + conversation
                                                                + " at "
                                                                + peer
                                                                + ": "
                                                                + f.cause().getMessage()));
                                        return;
                                    }
                                    Channel ch = track(f.channel());
                                    // PeerInit and the request go in separate writes: one client
                                    // loses bytes read together with PeerInit
                                    ch.writeAndFlush(
                                                    new PeerInit(
                                                            ourName,
                                                            "P",
                                                            random.nextInt() & 0x7fffffff))
                                            .addListener(
                                                    (ChannelFutureListener)
                                                            f2 -> {
                                                                if (!f2.isSuccess()) {
                                                                    sent.completeExceptionally(
                                                                            DeliveryException
                                                                                    .offline(
                                                                                            "connection to peer lost"));
                                                                    return;
                                                                }
                                                                ch.writeAndFlush(
                                                                                new TransferRequest(
                                                                                        TransferRequest
                                                                                                .UPLOAD,
                                                                                        ticket,
                                                                                        file.name(),
                                                                                        file
                                                                                                .size()))
                                                                        .addListener(
                                                                                (ChannelFutureListener)
                                                                                        f3 -> {
                                                                                            if (f3
                                                                                                    .isSuccess()) {
                                                                                                progress(
                                                                                                        conversation,
                                                                                                        offerId,
                                                                                                        0,
                                                                                                        file
                                                                                                                .size(),
                                                                                                        FileProgress
                                                                                                                .State
                                                                                                                .OFFERED,
                                                                                                        "");
                                                                                                sent
                                                                                                        .complete(
                                                                                                                offerId);
                                                                                            } else {
                                                                                                sent
                                                                                                        .completeExceptionally(
                                                                                                                DeliveryException
                                                                                                                        .offline(
                                                                                                                                "connection to peer lost"));
                                                                                            }
                                                                                        });
                                                            });
                                });
        return sent;
    }

    private void sendFile(
            InetSocketAddress peer,
            String ourName,
            Address conversation,
            String offerId,
            int ticket,
            FileSpool.SpooledFile file) {
        if (closed) {
            return;
        }
        Bootstrap b =
                bootstrap(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline()
                                        .addLast(new ReadTimeoutHandler(TIMEOUT_SECONDS))
                                        .addLast(new PeerEncoder(SlskLimits.CLIENT))
                                        .addLast(new ChunkedWriteHandler())
                                        .addLast(new FileSender(conversation, offerId, file));
                            }
                        });
        b.connect(peer)
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (!f.isSuccess()) {
                                        progress(
                                                conversation,
                                                offerId,
                                                0,
                                                file.size(),
                                                FileProgress.State.FAILED,
                                                "cannot open file connection: "
                                                        + f.cause().getMessage());
                                        return;
                                    }
                                    Channel ch = track(f.channel());
                                    ch.writeAndFlush(
                                                    new PeerInit(
                                                            ourName,
                                                            "F",
                                                            random.nextInt() & 0x7fffffff))
                                            .addListener(
                                                    (ChannelFutureListener)
                                                            f2 -> {
                                                                if (f2.isSuccess()) {
                                                                    ch.writeAndFlush(
                                                                            Unpooled.buffer(4)
                                                                                    .writeIntLE(
                                                                                            ticket));
                                                                }
                                                            });
                                });
    }

    /** Reads the downloader's offset, then streams the file from there. */
    private final class FileSender extends ChannelInboundHandlerAdapter {
        private final Address conversation;
        private final String offerId;
        private final FileSpool.SpooledFile file;
        private final ByteBuf offsetBytes = Unpooled.buffer(8);
        private boolean started;
        private boolean done;

        FileSender(Address conversation, String offerId, FileSpool.SpooledFile file) {
            this.conversation = conversation;
            this.offerId = offerId;
            this.file = file;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                if (started) {
                    return;
                }
                offsetBytes.writeBytes(
                        in, Math.min(in.readableBytes(), offsetBytes.writableBytes()));
                if (offsetBytes.readableBytes() < 8) {
                    return;
                }
                started = true;
                long offset = offsetBytes.readLongLE();
                if (offset < 0 || offset > file.size()) {
                    fail(ctx, "downloader asked for offset " + offset + " of " + file.size());
                    return;
                }
                log.info(
                        "soulseek upload {} to {} from offset {}",
                        file.name(),
                        conversation,
                        offset);
                progress(
                        conversation,
                        offerId,
                        offset,
                        file.size(),
                        FileProgress.State.TRANSFERRING,
                        "");
                InputStream stream = file.open(offset);
                ctx.writeAndFlush(new ChunkedStream(stream, 16 * 1024))
                        .addListener(
                                (ChannelFutureListener)
                                        f -> {
                                            if (f.isSuccess()) {
                                                done = true;
                                                progress(
                                                        conversation,
                                                        offerId,
                                                        file.size(),
                                                        file.size(),
                                                        FileProgress.State.COMPLETE,
                                                        "");
                                                ctx.close();
                                            } else {
                                                fail(
                                                        ctx,
                                                        "write failed: " + f.cause().getMessage());
                                            }
                                        });
            } catch (java.io.IOException e) {
                fail(ctx, "cannot read spooled file: " + e.getMessage());
            } finally {
                in.release();
            }
        }

        private void fail(ChannelHandlerContext ctx, String reason) {
            if (!done) {
                done = true;
                progress(conversation, offerId, 0, file.size(), FileProgress.State.FAILED, reason);
            }
            ctx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            offsetBytes.release();
            if (!done) {
                done = true;
                progress(
                        conversation,
                        offerId,
                        0,
                        file.size(),
                        FileProgress.State.FAILED,
                        "connection closed");
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            fail(ctx, cause.toString());
        }
    }

    private Bootstrap bootstrap(ChannelInitializer<SocketChannel> init) {
        return new Bootstrap()
                .group(host.eventLoops())
                .channel(NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(init);
    }

    private Channel track(Channel ch) {
        channels.add(ch);
        ch.closeFuture().addListener(f -> channels.remove(ch));
        if (closed) {
            ch.close();
        }
        return ch;
    }

    private void progress(
            Address conversation,
            String offerId,
            long done,
            long size,
            FileProgress.State state,
            String reason) {
        sink.accept(new FileProgress(conversation, offerId, done, size, state, reason));
    }

    @Override
    public void close() {
        closed = true;
        for (Channel ch : List.copyOf(channels)) {
            ChannelFuture f = ch.close();
            if (!ch.eventLoop().inEventLoop()) {
                f.awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
    }
}
