package dev.sabir.testkit;

import dev.sabir.api.Address;
import dev.sabir.api.FileSpool;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A simple {@link FileSpool} on a folder, for plugin tests: tracks received ranges in memory,
 * checks the SHA-256 on completion. The server's spool is the real one (persistent state, quotas).
 */
public final class DirectoryFileSpool implements FileSpool {
    private final Path dir;
    private final long maxSize;
    private final Map<String, MemoryUpload> uploads = new ConcurrentHashMap<>();
    private final Map<String, SpooledFile> complete = new ConcurrentHashMap<>();

    /**
     * @param dir where to keep files
     * @param maxSize the largest file accepted
     */
    public DirectoryFileSpool(Path dir, long maxSize) {
        this.dir = dir;
        this.maxSize = maxSize;
    }

    @Override
    public Upload receive(Address source, String offerId, String name, long size, String sha256)
            throws SpoolException {
        if (size > maxSize) {
            throw new SpoolException("file too big: " + size + " > " + maxSize);
        }
        String clean = name.replaceAll("[\\p{Cntrl}/\\\\]", "_").replaceAll("^\\.+", "_");
        if (clean.isBlank()) {
            throw new SpoolException("empty file name");
        }
        String key = source + "|" + offerId;
        return uploads.computeIfAbsent(
                key,
                k -> {
                    String id = HexFormat.of().formatHex(sha(k.getBytes())).substring(0, 24);
                    return new MemoryUpload(id, clean, size, sha256);
                });
    }

    @Override
    public Optional<SpooledFile> find(String spoolId) {
        return Optional.ofNullable(complete.get(spoolId));
    }

    @Override
    public URI link(String spoolId) {
        SpooledFile f = complete.get(spoolId);
        return URI.create(
                "http://127.0.0.1:1/files/" + spoolId + "/" + (f == null ? "" : f.name()));
    }

    /**
     * Puts a whole file into the spool directly (for tests that need a spooled file to offer).
     *
     * @return the spooled file
     */
    public SpooledFile add(String name, byte[] content) throws IOException {
        String sha = HexFormat.of().formatHex(sha(content));
        String id = sha.substring(0, 24);
        Files.createDirectories(dir);
        Path p = dir.resolve(id);
        Files.write(p, content);
        SpooledFile f =
                new SpooledFile(id, name, content.length, sha, "application/octet-stream", p);
        complete.put(id, f);
        return f;
    }

    private static byte[] sha(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private final class MemoryUpload implements Upload {
        private final String id;
        private final String name;
        private final long size;
        private final String sha256;
        private final TreeMap<Long, Long> ranges = new TreeMap<>();
        private final Path part;

        MemoryUpload(String id, String name, long size, String sha256) {
            this.id = id;
            this.name = name;
            this.size = size;
            this.sha256 = sha256;
            this.part = dir.resolve(id + ".part");
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
            for (Map.Entry<Long, Long> e : ranges.entrySet()) {
                if (e.getKey() > pos) {
                    out.add(new Range(pos, e.getKey() - pos));
                }
                pos = Math.max(pos, e.getKey() + e.getValue());
            }
            if (size >= 0 && pos < size) {
                out.add(new Range(pos, size - pos));
            }
            return out;
        }

        @Override
        public synchronized long received() {
            long total = 0;
            long end = 0;
            for (Map.Entry<Long, Long> e : ranges.entrySet()) {
                long s = Math.max(e.getKey(), end);
                long en = e.getKey() + e.getValue();
                if (en > s) {
                    total += en - s;
                    end = en;
                }
            }
            return total;
        }

        @Override
        public synchronized void write(long offset, byte[] data, int off, int len)
                throws SpoolException {
            if (offset < 0 || (size >= 0 && offset + len > size) || offset + len > maxSize) {
                throw new SpoolException("write beyond the announced size");
            }
            try {
                Files.createDirectories(dir);
                try (RandomAccessFile raf = new RandomAccessFile(part.toFile(), "rw")) {
                    raf.seek(offset);
                    raf.write(data, off, len);
                }
            } catch (IOException e) {
                throw new SpoolException("cannot write: " + e.getMessage());
            }
            ranges.merge(offset, (long) len, Math::max);
        }

        @Override
        public synchronized SpooledFile complete() throws SpoolException {
            if (!missing().isEmpty()) {
                throw new SpoolException("bytes missing: " + missing());
            }
            try {
                if (!Files.exists(part)) {
                    Files.createDirectories(dir);
                    Files.write(part, new byte[0]);
                }
                byte[] all = Files.readAllBytes(part);
                String sha = HexFormat.of().formatHex(sha(all));
                if (sha256 != null && !sha256.equalsIgnoreCase(sha)) {
                    Files.deleteIfExists(part);
                    ranges.clear();
                    throw new SpoolException("sha256 mismatch");
                }
                Path done = dir.resolve(id);
                Files.move(part, done, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                SpooledFile f =
                        new SpooledFile(
                                id, name, all.length, sha, "application/octet-stream", done);
                complete.put(id, f);
                return f;
            } catch (IOException e) {
                throw new SpoolException("cannot finish: " + e.getMessage());
            }
        }

        @Override
        public synchronized void abort() {
            ranges.clear();
            try {
                Files.deleteIfExists(part);
            } catch (IOException ignored) {
                // best effort
            }
        }
    }
}
