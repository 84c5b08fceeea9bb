package dev.sabir.server.plugin;

import dev.sabir.api.AdminService;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Gateway;
import dev.sabir.api.HostContext;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.Metrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The host's services for one session. What the session leaves behind (scheduled tasks, gauges) is
 * released by {@link #close()} after the session itself was closed.
 */
final class SessionHost implements HostContext {

    private final EventLoopGroup eventLoops;
    private final TrackingScheduler scheduler;
    private final Supplier<KeyValueStore> storeFactory;
    private final FileSpool spool;
    private final Path dataDir;
    private final PluginMetrics metrics;
    private final Gateway gateway;
    private final AdminService admin;
    private volatile KeyValueStore store;

    SessionHost(
            String account,
            String protocol,
            EventLoopGroup eventLoops,
            ScheduledExecutorService shared,
            Supplier<KeyValueStore> storeFactory,
            FileSpool spool,
            Path dataDir,
            MeterRegistry registry,
            Gateway gateway,
            AdminService admin) {
        this.eventLoops = eventLoops;
        this.scheduler = new TrackingScheduler(shared);
        this.storeFactory = storeFactory;
        this.spool = spool;
        this.dataDir = dataDir;
        this.metrics = new PluginMetrics(registry, account, protocol);
        this.gateway = gateway;
        this.admin = admin;
    }

    @Override
    public AdminService admin() {
        return admin;
    }

    @Override
    public EventLoopGroup eventLoops() {
        return eventLoops;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /** The tracking view, for tests and the manager. */
    TrackingScheduler trackingScheduler() {
        return scheduler;
    }

    @Override
    public KeyValueStore store() {
        KeyValueStore s = store;
        if (s == null) {
            synchronized (this) {
                s = store;
                if (s == null) {
                    s = storeFactory.get();
                    store = s;
                }
            }
        }
        return s;
    }

    @Override
    public FileSpool spool() {
        return spool;
    }

    @Override
    public Path dataDir() {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dataDir, e);
        }
        return dataDir;
    }

    @Override
    public Metrics metrics() {
        return metrics;
    }

    PluginMetrics pluginMetrics() {
        return metrics;
    }

    @Override
    public Gateway gateway() {
        return gateway;
    }

    /** Cancels the session's pending tasks and removes its gauges. */
    void close() {
        scheduler.closeAndCancel();
        metrics.close();
    }
}
