package dev.sabir.bench;

import dev.sabir.api.Address;
import dev.sabir.api.Capability;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.router.Router;
import dev.sabir.server.store.Database;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The router with its real SQLite store, set up the way the server does it: a database file opened
 * (and migrated) by {@link Database#open}, a {@link Router} with the default queue bound and retry
 * policy, one configured link between a room on account {@code a} and a room on account {@code b},
 * and a session attached to each account that completes every delivery at once with a remote id.
 *
 * <p>One operation is one chat message of 100 characters routed from {@code a} to {@code b} along
 * the durable path: accepted, put on its lane, echo and self checks, rendered with the nick
 * template, stored as a pending delivery, handed to the outbox, delivered, and marked done with its
 * remote id (the router group-commits these marks). Each invocation accepts {@value #BATCH}
 * messages and waits until all were delivered and nothing is pending, so the score is end-to-end
 * throughput, not only the cost of {@link Router#accept}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class RouterBenchmark {
    static final int BATCH = 100;

    private static final Address ROOM_A = Address.parse("loopback:a/lobby");
    private static final Address ROOM_B = Address.parse("loopback:b/lobby");
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(60);

    private Path dir;
    private Database db;
    private Router router;
    private CountingSession sessionB;
    private String[] texts;
    private long sent;

    /** Opens the database and the router, and attaches the two sessions. */
    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("sabir-bench-router");
        db = Database.open("jdbc:sqlite:" + dir.resolve("sabir.db"), null, null);
        router =
                new Router(
                        db,
                        new SimpleMeterRegistry(),
                        new SabirConfig.Routing(Router.DEFAULT_MAX_QUEUE, Router.DROP_OLDEST, 0),
                        new LinkOnlySpool());
        router.setConfiguredLinks(
                List.of(
                        new SabirConfig.LinkEntry(
                                "lobby",
                                List.of(ROOM_A, ROOM_B),
                                "<{nick}@{network}> {text}",
                                Map.of())));
        router.attach(
                ROOM_A.accountAddress(), new CountingSession("a"), EnumSet.allOf(Capability.class));
        sessionB = new CountingSession("b");
        router.attach(ROOM_B.accountAddress(), sessionB, EnumSet.allOf(Capability.class));
        texts = new String[BATCH];
        for (int i = 0; i < BATCH; i++) {
            texts[i] = Payloads.text(i);
        }
        routeBatch(); // fails the trial early when the wiring is wrong
    }

    /** Closes the router and the database and deletes the files. */
    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        router.close();
        db.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Routes {@value #BATCH} messages end to end; score is per message. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long routeDurable() {
        return routeBatch();
    }

    private long routeBatch() {
        long target = sent + BATCH;
        for (int i = 0; i < BATCH; i++) {
            long n = ++sent;
            router.accept(ChatMessage.of(ROOM_A, Sender.of("user" + (n % 7)), "a-" + n, texts[i]));
        }
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (sessionB.delivered() < target || router.pending() != 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "router stalled: delivered "
                                + sessionB.delivered()
                                + " of "
                                + target
                                + ", pending "
                                + router.pending());
            }
            LockSupport.parkNanos(20_000);
        }
        if (sessionB.delivered() != target) {
            throw new IllegalStateException(
                    "delivered " + sessionB.delivered() + " messages, expected " + target);
        }
        return target;
    }

    /** A session that accepts every delivery at once and answers with a fresh remote id. */
    private static final class CountingSession implements Session {
        private final String prefix;
        private final AtomicLong delivered = new AtomicLong();

        CountingSession(String prefix) {
            this.prefix = prefix;
        }

        long delivered() {
            return delivered.get();
        }

        @Override
        public CompletionStage<Void> connect() {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> join(Address conversation) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<String> deliver(Delivery delivery) {
            return CompletableFuture.completedFuture(prefix + "-" + delivered.incrementAndGet());
        }

        @Override
        public void close() {}
    }

    /** The router only asks the spool for links (for files); none are needed here. */
    private static final class LinkOnlySpool implements FileSpool {
        @Override
        public Upload receive(Address source, String offerId, String name, long size, String sha256)
                throws SpoolException {
            throw new SpoolException("no uploads in this benchmark");
        }

        @Override
        public Optional<SpooledFile> find(String spoolId) {
            return Optional.empty();
        }

        @Override
        public URI link(String spoolId) {
            return URI.create("http://127.0.0.1:8470/files/" + spoolId);
        }
    }
}
