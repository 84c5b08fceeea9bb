package dev.sabir.server.http;

import dev.sabir.api.FileSpool;
import dev.sabir.server.plugin.AccountStatus;
import dev.sabir.server.plugin.PluginStatus;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.function.Supplier;

/** HTTP on the admin address: /health, /metrics, /files/{id}, and the admin API. */
public final class AdminServer implements AutoCloseable {

    /** What the admin server shows and does. */
    public record Sources(
            Supplier<List<PluginStatus>> plugins,
            Supplier<List<AccountStatus>> accounts,
            PrometheusMeterRegistry registry,
            FileSpool spool,
            String token) {}

    /**
     * @param listen where to listen (port 0 picks a free port)
     * @param loops the host's event loops
     * @param sources what to serve
     */
    public AdminServer(InetSocketAddress listen, EventLoopGroup loops, Sources sources) {}

    /** Binds; returns the bound address. */
    public InetSocketAddress start() throws InterruptedException {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
