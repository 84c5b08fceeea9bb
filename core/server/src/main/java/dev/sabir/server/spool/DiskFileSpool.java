package dev.sabir.server.spool;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.api.Address;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.config.Sizes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLConnection;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file spool on disk: resumable, checked, limited, with sanitised names.
 *
 * <p>Each file lives in its own folder {@code <dir>/<spoolId>/} as {@code data} (the bytes, written
 * at their offsets) and {@code state.json} (source, offer id, name, announced size and hash, and
 * the byte ranges received so far). The state file is rewritten atomically at most every second or
 * every MiB, and on close, so a new spool on the same folder resumes the same {@code (source,
 * offerId)} where the last recorded state left it (ranges received after it are simply asked for
 * again). Spool ids are 128-bit random hex strings: the file links handed to other networks cannot
 * be guessed.
 */
public final class DiskFileSpool implements FileSpool, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiskFileSpool.class);
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final String DATA = "data";
    private static final String STATE = "state.json";
    private static final long FLUSH_BYTES = 1 << 20;
    private static final long FLUSH_NANOS = 1_000_000_000L;
    private static final long PROGRESS_NANOS = 500_000_000L;
    private static final int MAX_OFFER_ID = 512;

    private final SabirConfig.Spool settings;
    private final Supplier<URI> publicBase;
    private final EventSink progress;
    private final ObjectMapper json =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Entry> byId = new ConcurrentHashMap<>();
    private final Map<String, Entry> byOffer = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /**
     * @param settings folder and limits
     * @param publicBase base URL of the admin HTTP file endpoint, e.g. {@code
     *     http://127.0.0.1:8470/}
     * @param progress where progress events go (the router)
     */
    public DiskFileSpool(SabirConfig.Spool settings, URI publicBase, EventSink progress) {
        this(settings, () -> publicBase, progress);
    }

    /**
     * A spool whose public base URL is looked up when a link is made (the admin port may only be
     * known after it is bound).
     */
    public DiskFileSpool(SabirConfig.Spool settings, Supplier<URI> publicBase, EventSink progress) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.publicBase = Objects.requireNonNull(publicBase, "publicBase");
        this.progress = Objects.requireNonNull(progress, "progress");
        try {
            Files.createDirectories(settings.dir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create spool folder " + settings.dir(), e);
        }
        recover();
    }

    // ------------------------------------------------------------------ state on disk

    /** What {@code state.json} holds. */
    record StateFile(
            int version,
            String source,
            String offerId,
            String name,
            long size,
            String sha256,
            String mediaType,
            boolean complete,
            List<long[]> ranges) {}

    private void recover() {
        int partial = 0;
        int complete = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(settings.dir())) {
            for (Path d : dirs) {
                String id = d.getFileName().toString();
                if (!ID.matcher(id).matches() || !Files.isDirectory(d)) {
                    continue;
                }
                Entry e = load(id, d);
                if (e == null) {
                    continue;
                }
                byId.put(id, e);
                // a re-announced offer may have left a finished file with the same key: the
                // unfinished one is the one to resume
                Entry other = byOffer.get(e.offerKey());
                if (other == null || (other.complete && !e.complete)) {
                    byOffer.put(e.offerKey(), e);
                }
                if (e.complete) {
                    complete++;
                } else {
                    partial++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spool folder " + settings.dir(), e);
        }
        if (partial + complete > 0) {
            log.info(
                    "spool {}: {} complete and {} partial files",
                    settings.dir(),
                    complete,
                    partial);
        }
    }

    private Entry load(String id, Path d) {
        Path stateFile = d.resolve(STATE);
        Path data = d.resolve(DATA);
        try {
            if (!Files.isRegularFile(stateFile)) {
                return null;
            }
            StateFile s = json.readValue(stateFile.toFile(), StateFile.class);
            Address source = Address.parse(s.source());
            long length = Files.isRegularFile(data) ? Files.size(data) : 0;
            Entry e =
                    new Entry(
                            id,
                            source,
                            s.offerId(),
                            s.name(),
                            s.size(),
                            s.sha256(),
                            s.mediaType(),
                            d);
            for (long[] r : s.ranges() == null ? List.<long[]>of() : s.ranges()) {
                long end = Math.min(r[1], length); // bytes the state claims but the data lacks
                if (r[0] >= 0 && end > r[0]) {
                    e.addRange(r[0], end);
                }
            }
            if (s.complete()) {
                if (length != s.size()) {
                    log.warn(
                            "spool {}: complete file has {} bytes, expected {}; dropped",
                            id,
                            length,
                            s.size());
                    deleteTree(d);
                    return null;
                }
                e.finalSize = s.size();
                e.finalSha = s.sha256();
                e.complete = true;
            }
            return e;
        } catch (IOException | RuntimeException ex) {
            log.warn("spool {}: unreadable state, ignored: {}", id, ex.toString());
            return null;
        }
    }

    private void writeState(Entry e) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        e.ranges.forEach((start, end) -> ranges.add(new long[] {start, end}));
        StateFile s =
                new StateFile(
                        1,
                        e.source.toString(),
                        e.offerId,
                        e.name,
                        e.complete ? e.finalSize : e.size,
                        e.complete ? e.finalSha : e.sha256,
                        e.mediaType,
                        e.complete,
                        ranges);
        Path tmp = e.dir.resolve(STATE + ".tmp");
        json.writeValue(tmp.toFile(), s);
        try {
            Files.move(
                    tmp,
                    e.dir.resolve(STATE),
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException ex) {
            Files.move(tmp, e.dir.resolve(STATE), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteTree(Path d) {
        try {
            Files.deleteIfExists(d.resolve(DATA));
            Files.deleteIfExists(d.resolve(STATE));
            Files.deleteIfExists(d.resolve(STATE + ".tmp"));
            Files.deleteIfExists(d);
        } catch (IOException e) {
            log.warn("cannot delete spool folder {}: {}", d, e.toString());
        }
    }

    // ------------------------------------------------------------------ the FileSpool API

    @Override
    public Upload receive(Address source, String offerId, String name, long size, String sha256)
            throws SpoolException {
        Objects.requireNonNull(source, "source");
        if (closed) {
            throw new SpoolException("the file spool is closed");
        }
        if (offerId == null || offerId.isEmpty() || offerId.length() > MAX_OFFER_ID) {
            throw new SpoolException("bad offer id");
        }
        String hash = null;
        if (sha256 != null && !sha256.isEmpty()) {
            hash = sha256.toLowerCase(Locale.ROOT);
            if (!SHA256.matcher(hash).matches()) {
                throw new SpoolException("bad sha256: expected 64 hex digits");
            }
        }
        if (size < -1) {
            throw new SpoolException("bad size " + size);
        }
        if (size > settings.maxFileSize()) {
            throw new SpoolException(
                    "file is "
                            + Sizes.format(size)
                            + ", over the limit of "
                            + Sizes.format(settings.maxFileSize()));
        }
        String clean = FileNames.sanitise(name);
        String key = offerKey(source, offerId);
        Entry stale = null;
        Entry entry;
        synchronized (this) {
            Entry existing = byOffer.get(key);
            if (existing != null && !existing.gone) {
                boolean sameFinished =
                        existing.complete
                                && (size < 0 || size == existing.finalSize)
                                && (hash == null || hash.equals(existing.finalSha));
                boolean samePartial =
                        !existing.complete
                                && existing.size == size
                                && Objects.equals(existing.sha256, hash);
                if (sameFinished || samePartial) {
                    return existing;
                }
                if (existing.complete) {
                    // a finished file stays available (it may be linked); only the offer moves on
                    byOffer.remove(key, existing);
                } else {
                    stale = existing;
                    forget(existing);
                }
            }
            checkQuota(source, Math.max(size, 0));
            String id = newId();
            Path d = settings.dir().resolve(id);
            entry = new Entry(id, source, offerId, clean, size, hash, mediaType(clean), d);
            try {
                Files.createDirectories(d);
                Files.createFile(d.resolve(DATA));
                writeState(entry);
            } catch (IOException e) {
                deleteTree(d);
                throw new SpoolException("cannot store the file: " + e.getMessage());
            }
            byId.put(id, entry);
            byOffer.put(key, entry);
        }
        if (stale != null) {
            log.info(
                    "spool: offer {} from {} was announced differently; restarting it",
                    offerId,
                    source);
            deleteTree(stale.dir);
        }
        log.debug("spool {}: receiving '{}' ({} bytes) from {}", entry.id, clean, size, source);
        return entry;
    }

    private static String offerKey(Address source, String offerId) {
        return source + "\n" + offerId;
    }

    private String newId() {
        byte[] b = new byte[16];
        String id;
        do {
            random.nextBytes(b);
            id = HexFormat.of().formatHex(b);
        } while (byId.containsKey(id));
        return id;
    }

    private static String mediaType(String name) {
        String type = URLConnection.getFileNameMap().getContentTypeFor(name);
        return type == null ? "application/octet-stream" : type;
    }

    /**
     * Checks that {@code more} bytes fit the source's and the total quota; caller holds the lock.
     */
    private void checkQuota(Address source, long more) throws SpoolException {
        String account = source.accountAddress().toString();
        long total = 0;
        long mine = 0;
        for (Entry e : byId.values()) {
            long used = e.reserved();
            total += used;
            if (e.source.accountAddress().toString().equals(account)) {
                mine += used;
            }
        }
        if (mine + more > settings.quotaPerSource()) {
            throw new SpoolException(
                    "spool quota of "
                            + Sizes.format(settings.quotaPerSource())
                            + " for "
                            + account
                            + " is used up");
        }
        if (total + more > settings.quotaTotal()) {
            throw new SpoolException(
                    "spool is full (" + Sizes.format(settings.quotaTotal()) + " in all)");
        }
    }

    private void forget(Entry e) {
        e.gone = true;
        byId.remove(e.id, e);
        byOffer.remove(e.offerKey(), e);
    }

    @Override
    public Optional<SpooledFile> find(String spoolId) {
        if (spoolId == null || !ID.matcher(spoolId).matches()) {
            return Optional.empty();
        }
        Entry e = byId.get(spoolId);
        if (e == null || !e.complete || e.gone) {
            return Optional.empty();
        }
        return Optional.of(e.spooledFile());
    }

    @Override
    public URI link(String spoolId) {
        Entry e = spoolId == null ? null : byId.get(spoolId);
        if (e == null) {
            throw new IllegalArgumentException("no spooled file " + spoolId);
        }
        String base = publicBase.get().toString();
        if (!base.endsWith("/")) {
            base += "/";
        }
        String name = URLEncoder.encode(e.name, StandardCharsets.UTF_8).replace("+", "%20");
        return URI.create(base + "files/" + e.id + "/" + name);
    }

    /** Bytes the spool holds or has reserved for announced sizes. */
    public long usedBytes() {
        long total = 0;
        for (Entry e : byId.values()) {
            total += e.reserved();
        }
        return total;
    }

    /** Number of files not yet complete. */
    public int partialFiles() {
        int n = 0;
        for (Entry e : byId.values()) {
            if (!e.complete) {
                n++;
            }
        }
        return n;
    }

    /**
     * Deletes finished files that arrived longer ago than {@code keep_hours} and unfinished ones
     * not written to for {@code keep_partial_hours} (the age is the data file's modification time).
     * A link to a deleted file answers 404 and a delivery still waiting for it fails.
     *
     * @return the number of files deleted
     */
    public int sweep(java.time.Instant now) {
        int removed = 0;
        long freed = 0;
        for (Entry e : List.copyOf(byId.values())) {
            java.time.Duration keep = e.complete ? settings.keepFiles() : settings.keepPartial();
            if (keep.isZero() || e.gone) {
                continue;
            }
            synchronized (e) {
                if (e.gone) {
                    continue;
                }
                java.time.Instant last;
                try {
                    last = Files.getLastModifiedTime(e.dir.resolve(DATA)).toInstant();
                } catch (IOException ex) {
                    continue; // not there (yet): nothing to age
                }
                if (!last.plus(keep).isBefore(now)) {
                    continue;
                }
                long bytes = e.reserved();
                synchronized (this) {
                    forget(e);
                }
                deleteTree(e.dir);
                removed++;
                freed += bytes;
                log.info(
                        "spool {}: {} file '{}' from {} removed after {} h",
                        e.id,
                        e.complete ? "finished" : "unfinished",
                        e.name,
                        e.source,
                        keep.toHours());
            }
        }
        if (removed > 0) {
            log.info("spool: {} files removed, {} freed", removed, Sizes.format(freed));
        }
        return removed;
    }

    /** Records the received ranges of every unfinished file; later calls to receive fail. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Entry e : byId.values()) {
            synchronized (e) {
                if (!e.complete && !e.gone && e.dirty) {
                    try {
                        writeState(e);
                        e.dirty = false;
                    } catch (IOException ex) {
                        log.warn("spool {}: cannot record state: {}", e.id, ex.toString());
                    }
                }
            }
        }
    }

    private void emit(Entry e, FileProgress.State state, String reason) {
        try {
            progress.accept(
                    new FileProgress(
                            e.source,
                            e.offerId,
                            e.receivedBytes(),
                            e.complete ? e.finalSize : e.size,
                            state,
                            reason));
        } catch (RuntimeException ex) {
            log.warn("spool {}: progress sink failed: {}", e.id, ex.toString());
        }
    }

    // ------------------------------------------------------------------ one file

    /** One file, partial or complete; also the {@link Upload} handed to the sender. */
    private final class Entry implements Upload {
        final String id;
        final Address source;
        final String offerId;
        final String name;
        final long size;
        final String sha256;
        final String mediaType;
        final Path dir;

        /** Received ranges: start to end (exclusive), never overlapping or touching. */
        final TreeMap<Long, Long> ranges = new TreeMap<>();

        volatile boolean complete;
        volatile boolean gone;

        /**
         * Bytes received (sum of ranges) and the end of the last range; readable without the lock.
         */
        volatile long receivedCount;

        volatile long highWater;
        boolean dirty;
        long unflushed;
        long lastFlush = System.nanoTime();
        long lastProgress;
        String finalSha;
        long finalSize = -1;

        /**
         * SHA-256 of bytes 0 to {@link #hashedUpTo}, fed by in-order writes so that completing a
         * file only reads what arrived out of order. Null after a restart or when a write went back
         * over hashed bytes; complete() then hashes the whole file.
         */
        MessageDigest running = newDigest();

        long hashedUpTo;

        Entry(
                String id,
                Address source,
                String offerId,
                String name,
                long size,
                String sha256,
                String mediaType,
                Path dir) {
            this.id = id;
            this.source = source;
            this.offerId = offerId;
            this.name = name;
            this.size = size;
            this.sha256 = sha256;
            this.mediaType = mediaType == null ? "application/octet-stream" : mediaType;
            this.dir = dir;
        }

        String offerKey() {
            return DiskFileSpool.offerKey(source, offerId);
        }

        long highestEnd() {
            return highWater;
        }

        /** Bytes this file counts against quotas. */
        long reserved() {
            return size >= 0 ? size : highestEnd();
        }

        void addRange(long start, long end) {
            Map.Entry<Long, Long> before = ranges.floorEntry(start);
            if (before != null && before.getValue() >= start) {
                start = before.getKey();
                end = Math.max(end, before.getValue());
            }
            Map.Entry<Long, Long> next = ranges.ceilingEntry(start);
            while (next != null && next.getKey() <= end) {
                end = Math.max(end, next.getValue());
                ranges.remove(next.getKey());
                next = ranges.ceilingEntry(start);
            }
            ranges.put(start, end);
            long n = 0;
            for (Map.Entry<Long, Long> r : ranges.entrySet()) {
                n += r.getValue() - r.getKey();
            }
            receivedCount = n;
            highWater = ranges.lastEntry().getValue();
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
            if (complete) {
                return List.of();
            }
            long limit = size >= 0 ? size : highestEnd();
            List<Range> out = new ArrayList<>();
            long pos = 0;
            for (Map.Entry<Long, Long> r : ranges.entrySet()) {
                if (r.getKey() > pos) {
                    out.add(new Range(pos, r.getKey() - pos));
                }
                pos = Math.max(pos, r.getValue());
            }
            if (pos < limit) {
                out.add(new Range(pos, limit - pos));
            }
            return List.copyOf(out);
        }

        @Override
        public synchronized long received() {
            return receivedBytes();
        }

        long receivedBytes() {
            if (complete) {
                return finalSize >= 0 ? finalSize : size;
            }
            return receivedCount;
        }

        @Override
        public void write(long offset, byte[] data, int off, int len) throws SpoolException {
            Objects.checkFromIndexSize(off, len, data.length);
            boolean emitProgress = false;
            synchronized (this) {
                if (gone) {
                    throw new SpoolException("this upload was dropped");
                }
                if (complete) {
                    return; // writing the same bytes again is harmless
                }
                if (offset < 0) {
                    throw new SpoolException("negative offset");
                }
                long end = offset + len;
                if (size >= 0 && end > size) {
                    throw new SpoolException(
                            "bytes beyond the announced size of " + size + " bytes");
                }
                if (end > settings.maxFileSize()) {
                    throw new SpoolException(
                            "file grows over the limit of " + Sizes.format(settings.maxFileSize()));
                }
                if (size < 0 && end > highestEnd()) {
                    synchronized (DiskFileSpool.this) {
                        checkQuota(source, end - highestEnd());
                    }
                }
                if (len == 0) {
                    return;
                }
                try (FileChannel ch =
                        FileChannel.open(dir.resolve(DATA), StandardOpenOption.WRITE)) {
                    ByteBuffer buf = ByteBuffer.wrap(data, off, len);
                    long pos = offset;
                    while (buf.hasRemaining()) {
                        pos += ch.write(buf, pos);
                    }
                    addRange(offset, end);
                    if (running != null) {
                        if (offset < hashedUpTo) {
                            running = null; // rewritten bytes: hash the file at the end
                        } else if (offset == hashedUpTo) {
                            running.update(data, off, len);
                            hashedUpTo = end;
                        }
                    }
                    dirty = true;
                    unflushed += len;
                    long now = System.nanoTime();
                    if (unflushed >= FLUSH_BYTES || now - lastFlush >= FLUSH_NANOS) {
                        ch.force(false);
                        writeState(this);
                        dirty = false;
                        unflushed = 0;
                        lastFlush = now;
                    }
                    if (lastProgress == 0 || now - lastProgress >= PROGRESS_NANOS) {
                        lastProgress = now;
                        emitProgress = true;
                    }
                } catch (IOException e) {
                    throw new SpoolException("cannot store the bytes: " + e.getMessage());
                }
            }
            if (emitProgress) {
                emit(this, FileProgress.State.TRANSFERRING, "");
            }
        }

        @Override
        public SpooledFile complete() throws SpoolException {
            synchronized (this) {
                if (gone) {
                    throw new SpoolException("this upload was dropped");
                }
                if (complete) {
                    return spooledFile();
                }
                List<Range> missing = missing();
                if (!missing.isEmpty()) {
                    long bytes = 0;
                    for (Range r : missing) {
                        bytes += r.length();
                    }
                    throw new SpoolException(
                            bytes + " bytes still missing in " + missing.size() + " ranges");
                }
                long length = size >= 0 ? size : highestEnd();
                String actual;
                try {
                    actual =
                            running == null || hashedUpTo > length
                                    ? hash(dir.resolve(DATA), newDigest(), 0, length)
                                    : hash(dir.resolve(DATA), running, hashedUpTo, length);
                } catch (IOException e) {
                    throw new SpoolException("cannot read the stored file: " + e.getMessage());
                } finally {
                    running = null;
                }
                if (sha256 != null && !sha256.equals(actual)) {
                    synchronized (DiskFileSpool.this) {
                        forget(this);
                    }
                    deleteTree(dir);
                    log.warn(
                            "spool {}: sha256 mismatch for '{}' from {}; dropped",
                            id,
                            name,
                            source);
                    emit(this, FileProgress.State.FAILED, "sha256 mismatch");
                    throw new SpoolException(
                            "sha256 mismatch: announced " + sha256 + ", received " + actual);
                }
                try (FileChannel ch =
                        FileChannel.open(dir.resolve(DATA), StandardOpenOption.WRITE)) {
                    if (ch.size() > length) {
                        ch.truncate(length);
                    }
                    ch.force(true);
                } catch (IOException e) {
                    throw new SpoolException("cannot store the bytes: " + e.getMessage());
                }
                finalSha = actual;
                finalSize = length;
                complete = true;
                try {
                    writeState(this);
                    dirty = false;
                } catch (IOException e) {
                    complete = false;
                    throw new SpoolException("cannot record the file: " + e.getMessage());
                }
            }
            log.info("spool {}: '{}' complete ({} bytes) from {}", id, name, finalSize, source);
            emit(this, FileProgress.State.COMPLETE, "");
            return spooledFile();
        }

        @Override
        public void abort() {
            synchronized (this) {
                if (gone) {
                    return;
                }
                synchronized (DiskFileSpool.this) {
                    forget(this);
                }
                deleteTree(dir);
            }
            emit(this, FileProgress.State.FAILED, "aborted");
        }

        SpooledFile spooledFile() {
            long length = finalSize >= 0 ? finalSize : size;
            String sha = finalSha != null ? finalSha : sha256;
            if (sha == null) {
                try {
                    sha = hash(dir.resolve(DATA), newDigest(), 0, length);
                    finalSha = sha;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return new SpooledFile(id, name, length, sha, mediaType, dir.resolve(DATA));
        }
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Feeds bytes {@code from} to {@code length} of the file into the digest and finishes it. */
    private static String hash(Path file, MessageDigest digest, long from, long length)
            throws IOException {
        byte[] buf = new byte[64 * 1024];
        long left = length - from;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
                InputStream in = java.nio.channels.Channels.newInputStream(ch.position(from))) {
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new IOException("file is shorter than " + length + " bytes");
                }
                digest.update(buf, 0, n);
                left -= n;
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
