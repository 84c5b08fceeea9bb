package dev.sabir.server.plugin;

import dev.sabir.api.Connector;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Gateway;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.router.Router;
import dev.sabir.server.store.Database;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Starts and stops one session per configured account when its connector is available, tracks
 * account states, implements the gateway (personal accounts), and gives each session its {@link
 * dev.sabir.api.HostContext}.
 */
public final class AccountManager implements AutoCloseable {

    /** Everything the manager needs from the host. */
    public record Services(
            SabirConfig config,
            Router router,
            Database db,
            FileSpool spool,
            EventLoopGroup eventLoops,
            ScheduledExecutorService scheduler,
            MeterRegistry registry,
            Path dataDir) {}

    /** @param services the host's services */
    public AccountManager(Services services) {}

    /** A connector became available (plugin started or built in): start its accounts. */
    public void connectorAdded(String pluginId, Connector connector) {}

    /** A plugin is going away: close the sessions of its connectors. */
    public void pluginRemoving(String pluginId) {}

    /** Account states, in config order, then personal accounts. */
    public List<AccountStatus> statuses() {
        return List.of();
    }

    /** Closes and reopens an account's session; false when unknown. */
    public boolean restart(String account) {
        return false;
    }

    /** The gateway service. */
    public Gateway gateway() {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
