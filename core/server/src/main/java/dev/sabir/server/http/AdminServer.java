package dev.sabir.server.http;

import dev.sabir.api.FileSpool;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.plugin.AccountStatus;
import dev.sabir.server.plugin.PluginStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultEventExecutorGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * HTTP on the admin address: {@code /health}, {@code /metrics}, {@code /files/{id}/{name}}, and the
 * admin API under {@code /api/} (bearer token when one is configured).
 *
 * <p>Requests are bounded (initial line 4 KiB, headers 8 KiB, body 64 KiB) and handled off the
 * event loop on a small executor of its own, since the admin actions touch the database.
 */
public final class AdminServer implements AutoCloseable {

    /** Longest request body accepted (the admin API's JSON). */
    public static final int MAX_BODY = 64 * 1024;

    /** What the admin API can change; every method has a harmless default. */
    public interface Actions {
        /** Does nothing and knows no links. */
        Actions NONE = new Actions() {};

        /** The links now in force. */
        default List<SabirConfig.LinkEntry> links() {
            return List.of();
        }

        /**
         * Creates a runtime link.
         *
         * @throws IllegalArgumentException when the link is not acceptable (the message is shown)
         */
        default void createLink(SabirConfig.LinkEntry link) {
            throw new IllegalArgumentException("links cannot be created here");
        }

        /** Removes a link; false when unknown. */
        default boolean removeLink(String name) {
            return false;
        }

        /** Restarts an account's session; false when unknown. */
        default boolean restartAccount(String name) {
            return false;
        }

        /**
         * Runs an operator command on an account.
         *
         * @return the output, or empty when the account is unknown
         * @throws IllegalArgumentException when the command is refused (the message is shown)
         */
        default java.util.Optional<String> runCommand(
                String account, String command, List<String> args) {
            return java.util.Optional.empty();
        }
    }

    /**
     * What the admin server shows and does.
     *
     * @param plugins plugin states for {@code /health}
     * @param accounts account states for {@code /health}
     * @param registry the metrics registry for {@code /metrics}
     * @param spool the file spool for {@code /files/}
     * @param token the bearer token for {@code /api/}; null or empty leaves the API open
     * @param actions what the admin API does
     */
    public record Sources(
            Supplier<List<PluginStatus>> plugins,
            Supplier<List<AccountStatus>> accounts,
            PrometheusMeterRegistry registry,
            FileSpool spool,
            String token,
            Actions actions) {

        /** Checks the parts. */
        public Sources {
            Objects.requireNonNull(plugins, "plugins");
            Objects.requireNonNull(accounts, "accounts");
            Objects.requireNonNull(registry, "registry");
            actions = actions == null ? Actions.NONE : actions;
        }

        /** Sources without admin actions. */
        public Sources(
                Supplier<List<PluginStatus>> plugins,
                Supplier<List<AccountStatus>> accounts,
                PrometheusMeterRegistry registry,
                FileSpool spool,
                String token) {
            this(plugins, accounts, registry, spool, token, Actions.NONE);
        }
    }

    private final InetSocketAddress listen;
    private final EventLoopGroup loops;
    private final Sources sources;
    private final ChannelGroup channels =
            new DefaultChannelGroup("sabir-admin", GlobalEventExecutor.INSTANCE);
    private EventExecutorGroup workers;
    private Channel server;

    /**
     * @param listen where to listen (port 0 picks a free port)
     * @param loops the host's event loops
     * @param sources what to serve
     */
    public AdminServer(InetSocketAddress listen, EventLoopGroup loops, Sources sources) {
        this.listen = Objects.requireNonNull(listen, "listen");
        this.loops = Objects.requireNonNull(loops, "loops");
        this.sources = Objects.requireNonNull(sources, "sources");
    }

    /** Binds; returns the bound address. */
    public synchronized InetSocketAddress start() throws InterruptedException {
        if (server != null) {
            return (InetSocketAddress) server.localAddress();
        }
        workers =
                new DefaultEventExecutorGroup(
                        2, new io.netty.util.concurrent.DefaultThreadFactory("sabir-admin", true));
        AdminHandler handler = new AdminHandler(sources, workers);
        ServerBootstrap b =
                new ServerBootstrap()
                        .group(loops)
                        .channel(NioServerSocketChannel.class)
                        .option(ChannelOption.SO_BACKLOG, 64)
                        .childHandler(
                                new ChannelInitializer<SocketChannel>() {
                                    @Override
                                    protected void initChannel(SocketChannel ch) {
                                        channels.add(ch);
                                        ChannelPipeline p = ch.pipeline();
                                        p.addLast(new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS));
                                        p.addLast(new HttpServerCodec(4096, 8192, 8192));
                                        p.addLast(new HttpObjectAggregator(MAX_BODY));
                                        p.addLast("admin", handler);
                                    }
                                });
        try {
            server = b.bind(listen).sync().channel();
        } catch (InterruptedException | RuntimeException e) {
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers = null;
            throw e;
        }
        channels.add(server);
        return (InetSocketAddress) server.localAddress();
    }

    /** The bound address, or null before {@link #start()}. */
    public synchronized InetSocketAddress address() {
        return server == null ? null : (InetSocketAddress) server.localAddress();
    }

    @Override
    public synchronized void close() {
        if (server == null) {
            return;
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                .awaitUninterruptibly(5, TimeUnit.SECONDS);
        server = null;
        workers = null;
    }
}
