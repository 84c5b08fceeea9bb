package dev.sabir.server.plugin;

import dev.sabir.api.AdminService;
import dev.sabir.api.DirectFileTransport;
import dev.sabir.api.FileSpool;
import dev.sabir.api.FileTransports;
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
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * The host's services for one session. What the session leaves behind (scheduled tasks, gauges) is
 * released by {@link #close()} after the session itself was closed, and so are the file transports
 * it registered.
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
    private final FileTransports fileTransports;
    private final Set<FileTransports.Registration> registrations = ConcurrentHashMap.newKeySet();
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
            AdminService admin,
            FileTransports fileTransports) {
        this.eventLoops = eventLoops;
        this.scheduler = new TrackingScheduler(shared);
        this.storeFactory = storeFactory;
        this.spool = spool;
        this.dataDir = dataDir;
        this.metrics = new PluginMetrics(registry, account, protocol);
        this.gateway = gateway;
        this.admin = admin;
        this.fileTransports = fileTransports;
    }

    /**
     * The host's registry, through a view that remembers what this session registered so that
     * {@link #close()} can remove it even when the session forgets to.
     */
    @Override
    public FileTransports fileTransports() {
        return new FileTransports() {
            @Override
            public Registration register(String kind, DirectFileTransport transport) {
                Registration r = fileTransports.register(kind, transport);
                registrations.add(r);
                return () -> {
                    registrations.remove(r);
                    r.close();
                };
            }

            @Override
            public List<DirectFileTransport> find(String kind) {
                return fileTransports.find(kind);
            }
        };
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
        for (FileTransports.Registration r : List.copyOf(registrations)) {
            r.close();
        }
        registrations.clear();
        metrics.close();
    }
}
