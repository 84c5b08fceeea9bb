package dev.sabir.simplex;

import dev.sabir.api.Address;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Gateway;
import dev.sabir.api.HostContext;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.Metrics;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.DoubleSupplier;

/**
 * A small real HostContext for tests until sabir-testkit ships TestHost: shared event loops from
 * the test, an in-memory store that outlives sessions (so a session can be reopened on it) and a
 * directory spool that resumes uploads.
 */
final class MiniHost implements HostContext {
    private final EventLoopGroup loops;
    private final Path dir;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final Store store = new Store();
    private final Spool spool;

    MiniHost(EventLoopGroup loops, Path dir) throws IOException {
        this.loops = loops;
        this.dir = Files.createDirectories(dir);
        this.spool = new Spool(Files.createDirectories(dir.resolve("spool")));
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
            @Override
            public void increment(String name, long amount, String... tags) {}

            @Override
            public void gauge(String name, DoubleSupplier value, String... tags) {}

            @Override
            public void record(String name, Duration duration, String... tags) {}
        };
    }

    @Override
    public Gateway gateway() {
        return null;
    }

    /** Adds a complete file to the spool. */
    FileSpool.SpooledFile spoolAdd(String name, byte[] data) throws Exception {
        return spool.add(name, data);
    }

    /** Bytes received by the spool's unfinished uploads, in chunks of the session's size. */
    long spoolUploaded() {
        return spool.uploads.values().stream().mapToLong(u -> u.received()).sum()
                / SimplexSession.CHUNK;
    }

    void close() {
        scheduler.shutdownNow();
    }

    /** Thread-safe sorted in-memory store. */
    static final class Store implements KeyValueStore {
        final ConcurrentSkipListMap<String, String> map = new ConcurrentSkipListMap<>();

        @Override
        public Optional<String> get(String key) {
            return Optional.ofNullable(map.get(key));
        }

        @Override
        public void put(String key, String value) {
            map.put(key, value);
        }

        @Override
        public void remove(String key) {
            map.remove(key);
        }

        @Override
        public Map<String, String> list(String prefix) {
            return new TreeMap<>(map.subMap(prefix, prefix + Character.MAX_VALUE));
        }
    }

    /**
     * Files in a directory; uploads remember the ranges they got and resume by source + offer id.
     */
    static final class Spool implements FileSpool {
        private final Path dir;
        private final Map<String, Up> uploads = new ConcurrentHashMap<>();
        private final Map<String, SpooledFile> done = new ConcurrentHashMap<>();
        private int next;

        Spool(Path dir) {
            this.dir = dir;
        }

        /** Puts a complete file into the spool (what another session would have received). */
        synchronized SpooledFile add(String name, byte[] data) throws Exception {
            String id = "f" + (++next);
            Path p = dir.resolve(id);
            Files.write(p, data);
            String sha =
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            SpooledFile f =
                    new SpooledFile(id, name, data.length, sha, "application/octet-stream", p);
            done.put(id, f);
            return f;
        }

        @Override
        public synchronized Upload receive(
                Address source, String offerId, String name, long size, String sha256)
                throws SpoolException {
            if (size < 0 || size > 64L << 20) {
                throw new SpoolException("size not accepted");
            }
            String key = source + "|" + offerId;
            Up u = uploads.get(key);
            if (u == null) {
                u = new Up("f" + (++next), name.replaceAll("[/\\\\]", "_"), size, sha256);
                uploads.put(key, u);
            }
            return u;
        }

        @Override
        public Optional<SpooledFile> find(String spoolId) {
            return Optional.ofNullable(done.get(spoolId));
        }

        @Override
        public URI link(String spoolId) {
            return URI.create("http://127.0.0.1/files/" + spoolId);
        }

        final class Up implements Upload {
            final String id;
            final String name;
            final long size;
            final String sha;
            final TreeMap<Long, Long> got = new TreeMap<>();
            final Path path;

            Up(String id, String name, long size, String sha) {
                this.id = id;
                this.name = name;
                this.size = size;
                this.sha = sha;
                this.path = dir.resolve(id + ".part");
            }

            @Override
            public String spoolId() {
                return id;
            }

            @Override
            public String name() {
                return name;
            }

            @Override
            public long size() {
                return size;
            }

            @Override
            public synchronized List<Range> missing() {
                List<Range> out = new ArrayList<>();
                long pos = 0;
                for (Map.Entry<Long, Long> e : got.entrySet()) {
                    if (e.getKey() > pos) {
                        out.add(new Range(pos, e.getKey() - pos));
                    }
                    pos = Math.max(pos, e.getKey() + e.getValue());
                }
                if (pos < size) {
                    out.add(new Range(pos, size - pos));
                }
                return out;
            }

            @Override
            public synchronized long received() {
                return size - missing().stream().mapToLong(Range::length).sum();
            }

            @Override
            public synchronized void write(long offset, byte[] data, int off, int len)
                    throws SpoolException {
                if (offset < 0 || offset + len > size) {
                    throw new SpoolException("write outside the file");
                }
                try (RandomAccessFile f = new RandomAccessFile(path.toFile(), "rw")) {
                    f.seek(offset);
                    f.write(data, off, len);
                } catch (IOException e) {
                    throw new SpoolException(e.getMessage());
                }
                if (len > 0) {
                    got.merge(offset, (long) len, Math::max);
                }
            }

            @Override
            public synchronized SpooledFile complete() throws SpoolException {
                if (!missing().isEmpty()) {
                    throw new SpoolException("bytes missing");
                }
                try {
                    if (!Files.exists(path)) {
                        Files.write(path, new byte[0]);
                    }
                    String actual =
                            HexFormat.of()
                                    .formatHex(
                                            MessageDigest.getInstance("SHA-256")
                                                    .digest(Files.readAllBytes(path)));
                    if (sha != null && !sha.equals(actual)) {
                        got.clear();
                        throw new SpoolException("sha256 mismatch");
                    }
                    SpooledFile f =
                            new SpooledFile(
                                    id, name, size, actual, "application/octet-stream", path);
                    done.put(id, f);
                    return f;
                } catch (IOException | java.security.NoSuchAlgorithmException e) {
                    throw new SpoolException(e.getMessage());
                }
            }

            @Override
            public void abort() {
                got.clear();
            }
        }
    }
}
