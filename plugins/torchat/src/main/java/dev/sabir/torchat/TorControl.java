package dev.sabir.torchat;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small client for Tor's control port: authenticates (password, cookie file or none) and creates
 * the account's onion service with {@code ADD_ONION}. The connection stays open while the session
 * runs: Tor removes the onion service when it closes.
 */
final class TorControl {
    private static final Logger LOG = LoggerFactory.getLogger(TorControl.class);
    private static final Pattern COOKIE_FILE =
            Pattern.compile("COOKIEFILE=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final Pattern METHODS = Pattern.compile("METHODS=([A-Z0-9_,]+)");

    /**
     * What {@code ADD_ONION} returned; {@code privateKey} is null when an existing key was used.
     */
    record Onion(String serviceId, String privateKey) {}

    private final EventLoop loop;
    private final ChannelGroup channels;
    private final InetSocketAddress address;
    private final String password;
    private final ArrayDeque<CompletableFuture<List<String>>> waiting = new ArrayDeque<>();
    private List<String> current = new ArrayList<>();
    private Channel channel;

    TorControl(EventLoop loop, ChannelGroup channels, InetSocketAddress address, String password) {
        this.loop = loop;
        this.channels = channels;
        this.address = address;
        this.password = password;
    }

    /**
     * Connects, authenticates and adds the onion service forwarding {@code virtualPort} to {@code
     * target}.
     *
     * @param key a stored {@code ED25519-V3:...} key, or null for a new one
     */
    CompletableFuture<Onion> addOnion(String key, int virtualPort, InetSocketAddress target) {
        String targetHost =
                target.getAddress() != null && target.getAddress().isAnyLocalAddress()
                        ? "127.0.0.1"
                        : target.getHostString();
        return open().thenCompose(v -> authenticate())
                .thenCompose(
                        v ->
                                command(
                                        "ADD_ONION "
                                                + (key == null ? "NEW:ED25519-V3" : key)
                                                + " Port="
                                                + virtualPort
                                                + ","
                                                + targetHost
                                                + ":"
                                                + target.getPort()))
                .thenApply(
                        lines -> {
                            String id = null;
                            String pk = null;
                            for (String l : lines) {
                                String body = l.length() > 4 ? l.substring(4) : "";
                                if (body.startsWith("ServiceID=")) {
                                    id = body.substring(10).trim();
                                } else if (body.startsWith("PrivateKey=")) {
                                    pk = body.substring(11).trim();
                                }
                            }
                            String norm = OnionId.normalise(id);
                            if (norm == null) {
                                throw new IllegalStateException(
                                        "tor_control: ADD_ONION gave no usable ServiceID");
                            }
                            LOG.info("tor_control: onion service {} is up", norm);
                            return new Onion(norm, pk);
                        });
    }

    void close() {
        if (channel != null) {
            channel.close();
        }
        IOException gone = new IOException("tor_control connection closed");
        while (!waiting.isEmpty()) {
            waiting.poll().completeExceptionally(gone);
        }
    }

    private CompletableFuture<Void> open() {
        CompletableFuture<Void> f = new CompletableFuture<>();
        Bootstrap b =
                new Bootstrap()
                        .group(loop)
                        .channel(NioSocketChannel.class)
                        .handler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        ch.pipeline().addLast(new LineBasedFrameDecoder(16 * 1024));
                                        ch.pipeline().addLast(new ReplyHandler());
                                    }
                                });
        ChannelFuture cf =
                b.connect(new InetSocketAddress(address.getHostString(), address.getPort()));
        channel = cf.channel();
        channels.add(channel);
        cf.addListener(
                (ChannelFuture done) -> {
                    if (done.isSuccess()) {
                        f.complete(null);
                    } else {
                        f.completeExceptionally(
                                new IOException(
                                        "tor_control: cannot connect to "
                                                + address
                                                + ": "
                                                + done.cause().getMessage()));
                    }
                });
        return f;
    }

    private CompletableFuture<Void> authenticate() {
        if (password != null) {
            return command(
                            "AUTHENTICATE \""
                                    + password.replace("\\", "\\\\").replace("\"", "\\\"")
                                    + "\"")
                    .thenApply(l -> null);
        }
        return command("PROTOCOLINFO 1")
                .thenCompose(
                        lines -> {
                            String all = String.join("\n", lines);
                            Matcher m = METHODS.matcher(all);
                            String methods = m.find() ? m.group(1) : "";
                            if (methods.contains("NULL")) {
                                return command("AUTHENTICATE");
                            }
                            Matcher c = COOKIE_FILE.matcher(all);
                            if (methods.contains("COOKIE") && c.find()) {
                                try {
                                    byte[] cookie =
                                            Files.readAllBytes(
                                                    Path.of(
                                                            c.group(1)
                                                                    .replace("\\\"", "\"")
                                                                    .replace("\\\\", "\\")));
                                    return command(
                                            "AUTHENTICATE " + HexFormat.of().formatHex(cookie));
                                } catch (IOException e) {
                                    return CompletableFuture.failedFuture(
                                            new IOException(
                                                    "tor_control: cannot read the cookie file: "
                                                            + e.getMessage()));
                                }
                            }
                            return CompletableFuture.failedFuture(
                                    new IOException(
                                            "tor_control: no usable authentication (set tor_control_password)"));
                        })
                .thenApply(l -> null);
    }

    /** Sends one command; completes with the reply lines, or fails on a non-250 status. */
    private CompletableFuture<List<String>> command(String line) {
        CompletableFuture<List<String>> f = new CompletableFuture<>();
        loop.execute(
                () -> {
                    if (channel == null || !channel.isActive()) {
                        f.completeExceptionally(new IOException("tor_control connection closed"));
                        return;
                    }
                    waiting.add(f);
                    channel.writeAndFlush(
                            channel.alloc()
                                    .buffer()
                                    .writeBytes(
                                            (line + "\r\n").getBytes(StandardCharsets.US_ASCII)));
                });
        return f.thenApply(
                lines -> {
                    String last = lines.get(lines.size() - 1);
                    if (!last.startsWith("250")) {
                        String verb = line.split(" ", 2)[0];
                        throw new IllegalStateException(
                                "tor_control: " + verb + " failed: " + last);
                    }
                    return lines;
                });
    }

    private final class ReplyHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            String line = msg.toString(StandardCharsets.UTF_8);
            current.add(line);
            if (line.length() >= 4 && line.charAt(3) == ' ' || line.length() == 3) {
                List<String> reply = current;
                current = new ArrayList<>();
                CompletableFuture<List<String>> f = waiting.poll();
                if (f != null) {
                    f.complete(reply);
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            IOException gone = new IOException("tor_control connection closed");
            while (!waiting.isEmpty()) {
                waiting.poll().completeExceptionally(gone);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            LOG.info("tor_control: {}", cause.toString());
            ctx.close();
        }
    }
}
