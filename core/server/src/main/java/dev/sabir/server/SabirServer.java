package dev.sabir.server;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.EventSink;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.http.AdminServer;
import dev.sabir.server.plugin.AccountManager;
import dev.sabir.server.plugin.PluginHost;
import dev.sabir.server.plugin.UnloadHygiene;
import dev.sabir.server.router.Router;
import dev.sabir.server.spool.DiskFileSpool;
import dev.sabir.server.store.Database;
import dev.sabir.server.threads.HostThreads;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole server, wired from one {@link SabirConfig}: database, metrics, the shared Netty event
 * loops and scheduler, file spool, router, account manager, plugin host and the admin HTTP server.
 * {@link #close()} takes them down in reverse order.
 */
public final class SabirServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SabirServer.class);

    private final SabirConfig config;
    private final Deque<Runnable> closers = new ArrayDeque<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private Database db;
    private PrometheusMeterRegistry registry;
    private EventLoopGroup loops;
    private ScheduledThreadPoolExecutor scheduler;
    private DiskFileSpool spool;
    private volatile Router router;
    private AccountManager accounts;
    private PluginHost plugins;
    private AdminServer admin;
    private volatile InetSocketAddress adminAddress;
    private boolean started;
    private boolean stopping;

    /**
     * @param config the checked configuration
     */
    public SabirServer(SabirConfig config) {
        this.config = config;
    }

    /** The version of this build, or {@code dev} when run from classes. */
    public static String version() {
        try (InputStream in =
                SabirServer.class.getResourceAsStream(
                        "/META-INF/maven/dev.sabir/sabir-server/pom.properties")) {
            if (in != null) {
                Properties p = new Properties();
                p.load(in);
                return p.getProperty("version", "dev");
            }
        } catch (java.io.IOException e) {
            // fall through
        }
        String v = SabirServer.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * Starts everything. When a part fails, what was already started is closed again and the error
     * is thrown.
     */
    public synchronized SabirServer start() throws Exception {
        if (started) {
            throw new IllegalStateException("already started");
        }
        started = true;
        try {
            startParts();
        } catch (Exception | Error e) {
            close();
            throw e;
        }
        log.info(
                "Sabir {} started: {} accounts, {} links, plugins from {}",
                version(),
                config.accounts().size(),
                config.links().size(),
                config.plugins().dir());
        return this;
    }

    private void startParts() throws Exception {
        HostThreads.prime();
        db =
                Database.open(
                        config.storage().url(),
                        config.storage().user(),
                        config.storage().password());
        closers.push(db::close);
        log.info("storage: {}", redact(config.storage().url()));

        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        closers.push(registry::close);
        JvmGcMetrics gc = new JvmGcMetrics();
        closers.push(gc::close);
        gc.bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);

        int threads = Math.max(2, Runtime.getRuntime().availableProcessors());
        loops =
                new MultiThreadIoEventLoopGroup(
                        threads, HostThreads.threads("sabir-io"), NioIoHandler.newFactory());
        closers.push(
                () ->
                        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS)
                                .awaitUninterruptibly(10, TimeUnit.SECONDS));
        scheduler = new ScheduledThreadPoolExecutor(2, HostThreads.threads("sabir-scheduler"));
        scheduler.setRemoveOnCancelPolicy(true);
        scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        closers.push(
                () -> {
                    scheduler.shutdownNow();
                    awaitQuietly(scheduler);
                });

        EventSink progress =
                event -> {
                    Router r = router;
                    if (r != null) {
                        r.accept(event);
                    }
                };
        spool = new DiskFileSpool(config.spool(), this::publicBase, progress);
        closers.push(spool::close);
        Gauge.builder("sabir_spool_bytes", spool, DiskFileSpool::usedBytes)
                .description("bytes held or reserved in the file spool")
                .register(registry);
        Gauge.builder("sabir_spool_partial_files", spool, DiskFileSpool::partialFiles)
                .description("files being received")
                .register(registry);

        io.micrometer.core.instrument.Counter swept =
                io.micrometer.core.instrument.Counter.builder("sabir_spool_removed")
                        .description("files removed from the spool by its retention")
                        .register(registry);
        DiskFileSpool sweeping = spool;
        scheduler.scheduleWithFixedDelay(
                () -> {
                    try {
                        swept.increment(sweeping.sweep(java.time.Instant.now()));
                    } catch (RuntimeException e) {
                        log.warn("spool retention sweep failed: {}", e.toString());
                    }
                },
                1,
                60,
                java.util.concurrent.TimeUnit.MINUTES);

        Router r = new Router(db, registry, config.router(), spool);
        closers.push(r::close);
        router = r;
        r.setConfiguredLinks(config.links().values());

        Path dataDir = config.spool().dir().toAbsolutePath().getParent().resolve("accounts");
        accounts =
                new AccountManager(
                        new AccountManager.Services(
                                config, r, db, spool, loops, scheduler, registry, dataDir));
        closers.push(accounts::close);

        UnloadHygiene hygiene = new UnloadHygiene();
        hygiene.watch(loops);
        hygiene.watch(scheduler, scheduler.getCorePoolSize());
        r.forEachPool(hygiene::watch);
        plugins =
                new PluginHost(config.plugins().dir(), config.plugins().watch(), accounts, hygiene);
        closers.push(plugins::close);
        plugins.start();

        admin =
                new AdminServer(
                        config.admin().listen(),
                        loops,
                        new AdminServer.Sources(
                                plugins::plugins,
                                accounts::statuses,
                                registry,
                                spool,
                                config.admin().token(),
                                new Actions()));
        closers.push(admin::close);
        adminAddress = admin.start();
        log.info("admin HTTP listening on {}", httpUrl(adminAddress));
        if (config.admin().token().isEmpty()) {
            log.info("admin API has no token (set admin.token to require one)");
        }
    }

    private static void awaitQuietly(ScheduledThreadPoolExecutor executor) {
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The JDBC URL without credentials that may be written into it. */
    private static String redact(String url) {
        return url.replaceAll("(?i)(password|pass|pwd)=[^&;]*", "$1=***");
    }

    private static String httpUrl(InetSocketAddress a) {
        String host =
                a.getAddress() instanceof Inet6Address
                        ? "[" + a.getAddress().getHostAddress() + "]"
                        : a.getAddress().getHostAddress();
        return "http://" + host + ":" + a.getPort();
    }

    /** Where the file links point: the configured public URL, else the admin listener. */
    private URI publicBase() {
        if (config.admin().publicUrl() != null) {
            return URI.create(config.admin().publicUrl());
        }
        InetSocketAddress a = adminAddress != null ? adminAddress : config.admin().listen();
        return URI.create(httpUrl(a) + "/");
    }

    /** What the admin API changes. */
    private final class Actions implements AdminServer.Actions {
        @Override
        public List<SabirConfig.LinkEntry> links() {
            return router.links();
        }

        @Override
        public void createLink(SabirConfig.LinkEntry link) {
            for (Address member : link.members()) {
                SabirConfig.AccountEntry account = config.accounts().get(member.account());
                boolean known =
                        account != null
                                ? account.plugin().equals(member.protocol())
                                : accounts.gateway()
                                        .personal(member.account())
                                        .map(p -> p.protocol().equals(member.protocol()))
                                        .orElse(false);
                if (!known) {
                    throw new IllegalArgumentException(
                            "no "
                                    + member.protocol()
                                    + " account named '"
                                    + member.account()
                                    + "'");
                }
            }
            router.createLink(link);
        }

        @Override
        public boolean removeLink(String name) {
            return router.removeLink(name);
        }

        @Override
        public boolean restartAccount(String name) {
            return accounts.restart(name);
        }

        @Override
        public java.util.Optional<String> runCommand(
                String account, String command, List<String> args) {
            return accounts.runCommand(account, command, args);
        }
    }

    /** The configuration the server runs with. */
    public SabirConfig config() {
        return config;
    }

    /** The bound admin HTTP address (after {@link #start()}). */
    public InetSocketAddress adminAddress() {
        return adminAddress;
    }

    /** The router. */
    public Router router() {
        return router;
    }

    /** The account manager. */
    public AccountManager accounts() {
        return accounts;
    }

    /** The plugin host. */
    public PluginHost plugins() {
        return plugins;
    }

    /** The file spool. */
    public DiskFileSpool spool() {
        return spool;
    }

    /** The metrics registry. */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The database. */
    public Database database() {
        return db;
    }

    /** Reports an event as if a session had (for tests and tools). */
    public void inject(BridgeEvent event) {
        router.accept(event);
    }

    /** Blocks until {@link #close()} has finished. */
    public void awaitClosed() throws InterruptedException {
        closed.await();
    }

    /** Stops everything in reverse order of start; idempotent. */
    @Override
    public synchronized void close() {
        if (stopping) {
            return;
        }
        stopping = true;
        try {
            if (started) {
                log.info("Sabir stopping");
            }
            while (!closers.isEmpty()) {
                Runnable c = closers.pop();
                try {
                    c.run();
                } catch (RuntimeException e) {
                    log.warn("error while stopping: {}", e.toString());
                }
            }
            if (started) {
                log.info("Sabir stopped");
            }
        } finally {
            closed.countDown();
        }
    }
}
