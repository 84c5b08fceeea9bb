package dev.sabir.soulseek.support;

import dev.sabir.api.Address;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Gateway;
import dev.sabir.api.HostContext;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.Metrics;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.DoubleSupplier;

/** A small real host for tests: NIO loops, a scheduler, an in-memory store, a directory spool. */
public final class LiteHost implements HostContext, AutoCloseable {
    private final EventLoopGroup loops =
            new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final Store store = new Store();
    private final Spool spool;
    private final Path dir;

    /**
     * @param dir a temporary folder
     */
    public LiteHost(Path dir) {
        this.dir = dir;
        this.spool = new Spool(dir.resolve("spool"));
        scheduler.setRemoveOnCancelPolicy(true);
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

    @Override
    public Spool spool() {
        return spool;
    }

    @Override
    public Path dataDir() {
        return dir;
    }

    @Override
    public Metrics metrics() {
        return new Metrics() {
            public void increment(String name, long amount, String... tags) {}

            public void gauge(String name, DoubleSupplier value, String... tags) {}

            public void record(String name, Duration duration, String... tags) {}
        };
    }

    @Override
    public Gateway gateway() {
        return null;
    }

    /** Scheduled tasks still pending. */
    public int pendingTasks() {
        return scheduler.getQueue().size();
    }

    @Override
    public void close() throws InterruptedException {
        scheduler.shutdownNow();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** An in-memory store. */
    public static final class Store implements KeyValueStore {
        private final ConcurrentSkipListMap<String, String> map = new ConcurrentSkipListMap<>();

        public Optional<String> get(String key) {
            return Optional.ofNullable(map.get(key));
        }

        public void put(String key, String value) {
            map.put(key, value);
        }

        public void remove(String key) {
            map.remove(key);
        }

        public Map<String, String> list(String prefix) {
            return Map.copyOf(map.subMap(prefix, prefix + Character.MAX_VALUE));
        }
    }

    /** A spool holding complete files added by tests. */
    public static final class Spool implements FileSpool {
        private final Path dir;
        private final Map<String, SpooledFile> files = new ConcurrentHashMap<>();

        Spool(Path dir) {
            this.dir = dir;
        }

        /** Adds a complete file and returns it. */
        public SpooledFile add(String name, byte[] content) throws IOException {
            Files.createDirectories(dir);
            String id = "f" + files.size();
            Path p = dir.resolve(id);
            Files.write(p, content);
            String sha;
            try {
                sha =
                        HexFormat.of()
                                .formatHex(MessageDigest.getInstance("SHA-256").digest(content));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
            SpooledFile f =
                    new SpooledFile(id, name, content.length, sha, "application/octet-stream", p);
            files.put(id, f);
            return f;
        }

        public Upload receive(Address source, String offerId, String name, long size, String sha256)
                throws SpoolException {
            throw new SpoolException("not supported in tests");
        }

        public Optional<SpooledFile> find(String spoolId) {
            return Optional.ofNullable(files.get(spoolId));
        }

        public URI link(String spoolId) {
            return URI.create("http://127.0.0.1/files/" + spoolId);
        }
    }
}
