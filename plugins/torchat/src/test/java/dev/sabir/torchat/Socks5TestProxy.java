package dev.sabir.torchat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5Message;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny SOCKS5 server standing in for Tor: {@code CONNECT <id>.onion:11009} (domain address type)
 * is relayed to the loopback port mapped for that id; anything else is refused.
 */
final class Socks5TestProxy implements AutoCloseable {
    final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> onions;
    private final EventLoopGroup loops;
    private final Channel server;

    Socks5TestProxy(EventLoopGroup loops, Map<String, Integer> onions) throws InterruptedException {
        this.loops = loops;
        this.onions = onions;
        this.server =
                new ServerBootstrap()
                        .group(loops)
                        .channel(NioServerSocketChannel.class)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        ch.pipeline().addLast("enc", Socks5ServerEncoder.DEFAULT);
                                        ch.pipeline()
                                                .addLast("dec", new Socks5InitialRequestDecoder());
                                        ch.pipeline().addLast("socks", new Handler());
                                    }
                                })
                        .bind("127.0.0.1", 0)
                        .sync()
                        .channel();
    }

    int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    @Override
    public void close() {
        server.close().syncUninterruptibly();
    }

    private final class Handler extends SimpleChannelInboundHandler<Socks5Message> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Socks5Message msg) {
            if (msg instanceof Socks5InitialRequest) {
                ctx.pipeline().replace("dec", "dec", new Socks5CommandRequestDecoder());
                ctx.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH));
                return;
            }
            Socks5CommandRequest req = (Socks5CommandRequest) msg;
            requests.add(
                    req.type()
                            + " "
                            + req.dstAddrType()
                            + " "
                            + req.dstAddr()
                            + ":"
                            + req.dstPort());
            Integer port = null;
            if (req.type() == Socks5CommandType.CONNECT
                    && req.dstAddrType() == Socks5AddressType.DOMAIN
                    && req.dstAddr().endsWith(".onion")
                    && req.dstPort() == 11009) {
                port = onions.get(req.dstAddr().substring(0, req.dstAddr().length() - 6));
            }
            if (port == null) {
                ctx.writeAndFlush(
                                new DefaultSocks5CommandResponse(
                                        Socks5CommandStatus.HOST_UNREACHABLE,
                                        Socks5AddressType.IPv4))
                        .addListener(f -> ctx.close());
                return;
            }
            Channel inbound = ctx.channel();
            inbound.config().setAutoRead(false);
            ChannelFuture cf =
                    new Bootstrap()
                            .group(inbound.eventLoop())
                            .channel(NioSocketChannel.class)
                            .handler(new Relay(inbound))
                            .connect("127.0.0.1", port);
            cf.addListener(
                    (ChannelFuture f) -> {
                        if (!f.isSuccess()) {
                            ctx.writeAndFlush(
                                            new DefaultSocks5CommandResponse(
                                                    Socks5CommandStatus.FAILURE,
                                                    Socks5AddressType.IPv4))
                                    .addListener(x -> ctx.close());
                            return;
                        }
                        ctx.writeAndFlush(
                                        new DefaultSocks5CommandResponse(
                                                Socks5CommandStatus.SUCCESS,
                                                Socks5AddressType.IPv4,
                                                "127.0.0.1",
                                                11009))
                                .addListener(
                                        x -> {
                                            ctx.pipeline().remove("dec");
                                            ctx.pipeline().remove("enc");
                                            ctx.pipeline()
                                                    .replace(
                                                            "socks",
                                                            "relay",
                                                            new Relay(f.channel()));
                                            inbound.config().setAutoRead(true);
                                        });
                    });
        }
    }

    /** Copies bytes to the other channel and closes it when this one closes. */
    private static final class Relay extends ChannelInboundHandlerAdapter {
        private final Channel other;

        Relay(Channel other) {
            this.other = other;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            other.writeAndFlush(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            other.close();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
