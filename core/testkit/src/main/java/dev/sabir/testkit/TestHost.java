package dev.sabir.testkit;

import dev.sabir.api.BridgeEvent;
import dev.sabir.api.FileTransports;
import dev.sabir.api.Gateway;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.RegistrationField;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A {@link HostContext} for plugin tests: real Netty event loops, a scheduler that remembers its
 * tasks, an in-memory store, a folder spool and recording metrics. One TestHost can serve several
 * sessions (they then share the store, like sessions of one account across a restart); close it
 * after the test.
 */
public class TestHost implements HostContext, AutoCloseable {
    private final Path dir;
    private final EventLoopGroup loops;
    private final boolean ownLoops;
    private final TrackingScheduler scheduler = new TrackingScheduler();
    private final MemoryKeyValueStore store = new MemoryKeyValueStore();
    private final DirectoryFileSpool spool;
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final RecordingGateway gateway = new RecordingGateway();
    private final FileTransports fileTransports;

    /** A host with its own event loops and files under {@code dir}. */
    public TestHost(Path dir) {
        this(dir, new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory()), true);
    }

    /** A host sharing event loops with others (e.g. several accounts of one test). */
    public TestHost(Path dir, EventLoopGroup loops) {
        this(dir, loops, false);
    }

    /**
     * A host sharing event loops and the file-transport registry with others (several plugins'
     * sessions of one test that offer each other services).
     */
    public TestHost(Path dir, EventLoopGroup loops, FileTransports fileTransports) {
        this(dir, loops, false, fileTransports);
    }

    private TestHost(Path dir, EventLoopGroup loops, boolean ownLoops) {
        this(dir, loops, ownLoops, FileTransports.inMemory());
    }

    private TestHost(
            Path dir, EventLoopGroup loops, boolean ownLoops, FileTransports fileTransports) {
        this.fileTransports = fileTransports;
        this.dir = dir;
        this.loops = loops;
        this.ownLoops = ownLoops;
        this.spool = new DirectoryFileSpool(dir.resolve("spool"), 1L << 30);
    }

    @Override
    public EventLoopGroup eventLoops() {
        return loops;
    }

    @Override
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    @Override
    public KeyValueStore store() {
        return store;
    }

    /** The store, with test helpers. */
    public MemoryKeyValueStore memoryStore() {
        return store;
    }

    @Override
    public DirectoryFileSpool spool() {
        return spool;
    }

    @Override
    public Path dataDir() {
        Path d = dir.resolve("data");
        try {
            Files.createDirectories(d);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d;
    }

    @Override
    public RecordingMetrics metrics() {
        return metrics;
    }

    @Override
    public FileTransports fileTransports() {
        return fileTransports;
    }

    @Override
    public RecordingGateway gateway() {
        return gateway;
    }

    /** Scheduled tasks that are neither done nor cancelled. */
    public int liveTasks() {
        return scheduler.live();
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        if (ownLoops) {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** A scheduler that keeps the futures it hands out, to check that sessions cancel them. */
    static final class TrackingScheduler extends ScheduledThreadPoolExecutor {
        private final ConcurrentLinkedQueue<Future<?>> futures = new ConcurrentLinkedQueue<>();

        TrackingScheduler() {
            super(
                    1,
                    r -> {
                        Thread t = new Thread(r, "testhost-scheduler");
                        t.setDaemon(true);
                        return t;
                    });
            setRemoveOnCancelPolicy(true);
        }

        @Override
        protected <V> java.util.concurrent.RunnableScheduledFuture<V> decorateTask(
                Runnable runnable, java.util.concurrent.RunnableScheduledFuture<V> task) {
            futures.add(task);
            return task;
        }

        @Override
        protected <V> java.util.concurrent.RunnableScheduledFuture<V> decorateTask(
                java.util.concurrent.Callable<V> callable,
                java.util.concurrent.RunnableScheduledFuture<V> task) {
            futures.add(task);
            return task;
        }

        int live() {
            futures.removeIf(Future::isDone);
            return futures.size();
        }
    }

    /** A gateway that records what gateway sessions send. */
    public static final class RecordingGateway implements Gateway {
        private final ConcurrentLinkedQueue<BridgeEvent> sent = new ConcurrentLinkedQueue<>();

        @Override
        public Map<String, List<RegistrationField>> registrableProtocols() {
            return Map.of();
        }

        @Override
        public String register(
                String gatewayAccount, String owner, String protocol, Map<String, Object> settings)
                throws InvalidConfigException {
            throw new InvalidConfigException("protocol", "no personal accounts in tests");
        }

        @Override
        public boolean unregister(String owner, String protocol) {
            return false;
        }

        @Override
        public List<PersonalAccount> accountsOf(String owner) {
            return List.of();
        }

        @Override
        public Optional<PersonalAccount> personal(String account) {
            return Optional.empty();
        }

        @Override
        public void send(String owner, BridgeEvent event) {
            sent.add(event);
        }

        /** What gateway users sent. */
        public List<BridgeEvent> sent() {
            return List.copyOf(sent);
        }
    }
}
