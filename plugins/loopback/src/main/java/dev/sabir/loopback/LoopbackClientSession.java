package dev.sabir.loopback;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.ChatMessage.MessageKind;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback account that is a client of another loopback account's server ({@code connect:
 * host:port}): it joins rooms there under its nick and relays, like an IRC relay bot.
 */
final class LoopbackClientSession implements Session {
    private final InetSocketAddress target;
    private final String nick;
    private final HostContext host;
    private final EventSink sink;
    private final Address account;
    private final Set<String> rooms = ConcurrentHashMap.newKeySet();
    private final Queue<CompletableFuture<String>> pendingOks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Channel channel;

    LoopbackClientSession(
            Address account,
            InetSocketAddress target,
            String nick,
            HostContext host,
            EventSink sink) {
        this.account = account;
        this.target = target;
        this.nick = nick;
        this.host = host;
        this.sink = sink;
    }

    @Override
    public CompletionStage<Void> connect() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        sink.accept(new SessionState(account, SessionState.State.CONNECTING, ""));
        new Bootstrap()
                .group(host.eventLoops())
                .channel(NioSocketChannel.class)
                .handler(
                        new ChannelInitializer<SocketChannel>() {
                            @Override
                            protected void initChannel(SocketChannel ch) {
                                ch.pipeline()
                                        .addLast(
                                                new LineBasedFrameDecoder(
                                                        LoopbackProtocol.MAX_LINE))
                                        .addLast(new Reader());
                            }
                        })
                .connect(new InetSocketAddress(target.getHostString(), target.getPort()))
                .addListener(
                        (ChannelFutureListener)
                                f -> {
                                    if (!f.isSuccess()) {
                                        sink.accept(
                                                new SessionState(
                                                        account,
                                                        SessionState.State.OFFLINE,
                                                        "cannot connect to " + target));
                                        done.completeExceptionally(f.cause());
                                        return;
                                    }
                                    channel = f.channel();
                                    if (closed.get()) {
                                        channel.close();
                                        done.completeExceptionally(
                                                new IllegalStateException("closed"));
                                        return;
                                    }
                                    send("NICK " + nick);
                                    rooms.forEach(r -> send("JOIN " + r));
                                    sink.accept(
                                            new SessionState(
                                                    account, SessionState.State.ONLINE, ""));
                                    done.complete(null);
                                });
        return done;
    }

    private void send(String line) {
        Channel c = channel;
        if (c != null) {
            c.writeAndFlush(
                    c.alloc().buffer().writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        if (rooms.add(conversation.id())) {
            send("JOIN " + conversation.id());
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<String> deliver(Delivery d) {
        Channel c = channel;
        if (closed.get()) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("session closed"));
        }
        if (c == null || !c.isActive()) {
            return CompletableFuture.failedFuture(DeliveryException.offline("not connected"));
        }
        if (!(d.event() instanceof ChatMessage m)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<String> ok = new CompletableFuture<>();
        synchronized (this) {
            pendingOks.add(ok);
            send(
                    (m.kind() == MessageKind.ACTION ? "ACTION " : "MSG ")
                            + d.destination().id()
                            + " "
                            + LoopbackProtocol.escape(d.text().isEmpty() ? m.text() : d.text()));
        }
        return ok;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Channel c = channel;
        if (c != null) {
            c.close().syncUninterruptibly();
        }
        CompletableFuture<String> f;
        while ((f = pendingOks.poll()) != null) {
            f.completeExceptionally(DeliveryException.offline("closed"));
        }
        sink.accept(new SessionState(account, SessionState.State.OFFLINE, "closed"));
    }

    private final class Reader extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf buf) {
            String line = buf.toString(StandardCharsets.UTF_8);
            String[] p = line.split(" ", 5);
            switch (p[0]) {
                case "OK" -> {
                    if (p.length > 1 && !p[1].equals(nick)) {
                        CompletableFuture<String> f = pendingOks.poll();
                        if (f != null) {
                            f.complete(p[1]);
                        }
                    }
                }
                case "MSG", "ACTION" -> {
                    if (p.length == 5) {
                        Sender who = p[3].equals(nick) ? Sender.self(nick) : Sender.of(p[3]);
                        sink.accept(
                                new ChatMessage(
                                        account.withId(p[1]),
                                        who,
                                        p[2],
                                        LoopbackProtocol.unescape(p[4]),
                                        p[0].equals("ACTION")
                                                ? MessageKind.ACTION
                                                : MessageKind.NORMAL,
                                        null,
                                        null,
                                        null,
                                        host.clock().instant()));
                    }
                }
                case "JOIN" -> {
                    if (p.length >= 3 && !p[2].equals(nick)) {
                        sink.accept(RoomUpdate.joined(account.withId(p[1]), Sender.of(p[2])));
                    }
                }
                case "PART" -> {
                    if (p.length >= 3 && !p[2].equals(nick)) {
                        sink.accept(RoomUpdate.left(account.withId(p[1]), Sender.of(p[2]), ""));
                    }
                }
                default -> {
                    // other lines are not bridged by the client mode
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            if (!closed.get()) {
                sink.accept(
                        new SessionState(account, SessionState.State.OFFLINE, "connection lost"));
            }
        }
    }
}
