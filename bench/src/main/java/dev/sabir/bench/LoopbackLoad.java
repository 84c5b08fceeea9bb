package dev.sabir.bench;

import dev.sabir.server.SabirServer;
import dev.sabir.server.config.ConfigLoader;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.plugin.AccountStatus;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.stream.Stream;

/**
 * A load driver: starts a whole Sabir server in this JVM (the same {@link SabirServer} the {@code
 * run} command starts, from a YAML config) with two loopback-network accounts, {@code neta} and
 * {@code netb}, and one link per room between them. Then N plain TCP clients connect to neta's
 * listener, each joins its own room and sends chat lines of 100 characters; one client on netb has
 * joined every room and receives them. It prints messages/s, latency percentiles (send on neta to
 * receipt on netb, the same clock) and heap use.
 *
 * <p>Phases: a warm-up (a quarter of the messages, figures discarded), an idle-latency probe (one
 * client, one message at a time) and the load (all clients, each with at most {@code window}
 * messages not yet received on the other side, so the router's queues never overflow and drop).
 *
 * <p>Usage: {@code java -Xmx256m -cp bench/target/benchmarks.jar dev.sabir.bench.LoopbackLoad
 * [--clients N] [--messages M] [--window W] [--probe P]}.
 */
public final class LoopbackLoad {
    private static final int TEXT_CHARS = Payloads.MESSAGE_CHARS;
    private static final long RUN_TIMEOUT_SECONDS = 300;

    private final int clients;
    private final int messages;
    private final int window;
    private final int probe;
    private volatile Run current;

    private LoopbackLoad(int clients, int messages, int window, int probe) {
        this.clients = clients;
        this.messages = messages;
        this.window = window;
        this.probe = probe;
    }

    /**
     * Runs the load and prints the figures.
     *
     * @param args {@code --clients N} (default 8), {@code --messages M} (default 40000), {@code
     *     --window W} (default 32), {@code --probe P} (default 300)
     */
    public static void main(String[] args) throws Exception {
        Map<String, Integer> opts = parse(args);
        LoopbackLoad load =
                new LoopbackLoad(
                        opts.getOrDefault("clients", 8),
                        opts.getOrDefault("messages", 40_000),
                        opts.getOrDefault("window", 32),
                        opts.getOrDefault("probe", 300));
        System.exit(load.run() ? 0 : 1);
    }

    private static Map<String, Integer> parse(String[] args) {
        Map<String, Integer> out = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "usage: LoopbackLoad [--clients N] [--messages M] [--window W] [--probe"
                                + " P]");
            }
            int v = Integer.parseInt(args[++i]);
            if (v < 1) {
                throw new IllegalArgumentException(a + " must be at least 1");
            }
            out.put(a.substring(2), v);
        }
        return out;
    }

    private boolean run() throws Exception {
        Path dir = Files.createTempDirectory("sabir-load");
        int portA = freePort();
        int portB = freePort();
        SabirServer server = null;
        List<LineClient> all = new ArrayList<>();
        try {
            server = new SabirServer(config(dir, portA, portB, clients)).start();
            awaitOnline(server);

            LineClient receiver = new LineClient(portB, "receiver");
            all.add(receiver);
            for (int i = 0; i < clients; i++) {
                receiver.send("JOIN r" + i);
            }
            for (int joined = 0; joined < clients; ) {
                String l = receiver.readLine();
                if (l == null) {
                    throw new IOException("netb closed the receiver's connection");
                }
                if (l.startsWith("JOIN r") && l.endsWith(" receiver")) {
                    joined++;
                }
            }
            List<LineClient> senders = new ArrayList<>();
            for (int i = 0; i < clients; i++) {
                LineClient c = new LineClient(portA, "user" + i);
                c.send("JOIN r" + i);
                senders.add(c);
                all.add(c);
            }
            Thread reader = new Thread(() -> receive(receiver), "load-receiver");
            reader.setDaemon(true);
            reader.start();
            senders.forEach(LineClient::discardInput);

            System.out.printf(
                    "Sabir in-process, 2 loopback accounts, %d linked rooms, %d-char messages,"
                            + " %d CPUs, max heap %d MiB%n",
                    clients,
                    TEXT_CHARS,
                    Runtime.getRuntime().availableProcessors(),
                    Runtime.getRuntime().maxMemory() >> 20);

            Run warm = new Run("warmup", clients, Math.max(clients, messages / 4), window);
            if (!runPhase(warm, senders)) {
                return false;
            }
            Run idle = new Run("idle", 1, probe, 1);
            if (!runPhase(idle, senders.subList(0, 1))) {
                return false;
            }
            System.gc();
            resetPeaks();
            long gcBefore = gcMillis();
            Run loaded = new Run("load", clients, messages, window);
            boolean ok = runPhase(loaded, senders);
            long gcDuring = gcMillis() - gcBefore;
            long used = heapUsed();
            long peak = heapPeak();
            System.gc();
            System.out.printf(
                    "heap: %.1f MiB used at the end of the load, peak %.1f MiB, %.1f MiB live"
                            + " after GC; GC time during the load %d ms%n",
                    used / 1048576.0, peak / 1048576.0, heapUsed() / 1048576.0, gcDuring);
            return ok;
        } finally {
            for (LineClient c : all) {
                c.close();
            }
            if (server != null) {
                server.close();
            }
            deleteTree(dir);
        }
    }

    private static SabirConfig config(Path dir, int portA, int portB, int rooms) throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        StringBuilder links = new StringBuilder();
        for (int i = 0; i < rooms; i++) {
            links.append(
                    "  r%d: { members: [ \"loopback:neta/r%d\", \"loopback:netb/r%d\" ] }\n"
                            .formatted(i, i, i));
        }
        String yaml =
                """
                admin: { listen: "127.0.0.1:%d" }
                storage: { url: "jdbc:sqlite:%s" }
                plugins: { dir: "%s", watch: false }
                spool: { dir: "%s" }
                accounts:
                  neta: { plugin: loopback, listen: "127.0.0.1:%d" }
                  netb: { plugin: loopback, listen: "127.0.0.1:%d" }
                links:
                %s"""
                        .formatted(
                                freePort(),
                                dir.resolve("data/sabir.db"),
                                dir.resolve("plugins"),
                                dir.resolve("spool"),
                                portA,
                                portB,
                                links);
        Path file = dir.resolve("sabir.yml");
        Files.writeString(file, yaml);
        return ConfigLoader.load(file, Map.of(), dir);
    }

    private static void awaitOnline(SabirServer server) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            List<AccountStatus> st = server.accounts().statuses();
            if (!st.isEmpty() && st.stream().allMatch(s -> s.state().equals("online"))) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException(
                "accounts did not come online: " + server.accounts().statuses());
    }

    /** Sends a phase's messages from the given clients and waits until all arrived. */
    private boolean runPhase(Run run, List<LineClient> senders) throws Exception {
        current = run;
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < run.clients; i++) {
            int client = i;
            LineClient c = senders.get(i);
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    for (int k = client; k < run.total; k += run.clients) {
                                        run.window[client].acquire();
                                        run.sent.set(k, System.nanoTime());
                                        c.send(run.line(client, k));
                                    }
                                } catch (IOException | InterruptedException e) {
                                    run.failed("sender " + client + ": " + e);
                                }
                            },
                            "load-sender-" + i);
            t.setDaemon(true);
            threads.add(t);
            t.start();
        }
        boolean done = run.arrived.await(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        long elapsed = System.nanoTime() - start;
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(5));
        }
        if (!done || run.failure != null) {
            System.out.printf(
                    "%s: FAILED after %d s, %d of %d messages arrived%s%n",
                    run.name,
                    TimeUnit.NANOSECONDS.toSeconds(elapsed),
                    run.total - run.arrived.getCount(),
                    run.total,
                    run.failure == null ? "" : " (" + run.failure + ")");
            return false;
        }
        long[] lat = new long[run.total];
        for (int k = 0; k < run.total; k++) {
            lat[k] = run.latency.get(k);
        }
        Arrays.sort(lat);
        System.out.printf(
                "%-12s %6d msgs from %2d clients in %6.2f s = %8.0f msgs/s;"
                        + " latency p50 %.2f ms, p99 %.2f ms, max %.2f ms; duplicates %d%n",
                run.name,
                run.total,
                run.clients,
                elapsed / 1e9,
                run.total / (elapsed / 1e9),
                lat[run.total / 2] / 1e6,
                lat[(int) Math.min(run.total - 1, Math.ceil(run.total * 0.99) - 1)] / 1e6,
                lat[run.total - 1] / 1e6,
                run.duplicates.get());
        return run.duplicates.get() == 0;
    }

    /** The receiver on netb: matches each relayed line to the message that was sent. */
    private void receive(LineClient receiver) {
        try {
            String line;
            while ((line = receiver.readLine()) != null) {
                long now = System.nanoTime();
                if (!line.startsWith("MSG ")) {
                    continue;
                }
                int a = line.indexOf('~');
                int b = line.indexOf('~', a + 1);
                int c = line.indexOf('~', b + 1);
                int d = line.indexOf('~', c + 1);
                if (a < 0 || b < 0 || c < 0 || d < 0) {
                    continue;
                }
                Run run = current;
                if (run == null || !run.name.equals(line.substring(a + 1, b))) {
                    continue; // a late line of an earlier phase
                }
                int client = Integer.parseInt(line.substring(b + 1, c));
                int k = Integer.parseInt(line.substring(c + 1, d));
                if (!run.latency.compareAndSet(k, -1, now - run.sent.get(k))) {
                    run.duplicates.incrementAndGet();
                    continue;
                }
                run.window[client].release();
                run.arrived.countDown();
            }
        } catch (IOException | RuntimeException e) {
            Run run = current;
            if (run != null) {
                run.failed("receiver: " + e);
            }
        }
    }

    /** One phase's bookkeeping. */
    private static final class Run {
        final String name;
        final int clients;
        final int total;
        final Semaphore[] window;
        final AtomicLongArray sent;
        final AtomicLongArray latency;
        final CountDownLatch arrived;
        final AtomicInteger duplicates = new AtomicInteger();
        final String padding;
        volatile String failure;

        Run(String name, int clients, int total, int window) {
            this.name = name;
            this.clients = clients;
            this.total = total;
            this.window = new Semaphore[clients];
            for (int i = 0; i < clients; i++) {
                this.window[i] = new Semaphore(window);
            }
            this.sent = new AtomicLongArray(total);
            this.latency = new AtomicLongArray(total);
            for (int k = 0; k < total; k++) {
                latency.set(k, -1);
            }
            this.arrived = new CountDownLatch(total);
            this.padding = Payloads.text(0, TEXT_CHARS);
        }

        /** {@code MSG r<client> ~<phase>~<client>~<k>~ padding}, the text 100 characters long. */
        String line(int client, int k) {
            String head = "~" + name + "~" + client + "~" + k + "~ ";
            return "MSG r" + client + " " + head + padding.substring(head.length());
        }

        void failed(String why) {
            failure = why;
            while (arrived.getCount() > 0) {
                arrived.countDown();
            }
        }
    }

    /** A user of a loopback network: a plain socket speaking its line protocol. */
    private static final class LineClient implements AutoCloseable {
        private final Socket socket;
        private final BufferedReader in;
        private final BufferedWriter out;

        LineClient(int port, String nick) throws IOException {
            socket = new Socket("127.0.0.1", port);
            socket.setTcpNoDelay(true);
            in =
                    new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out =
                    new BufferedWriter(
                            new OutputStreamWriter(
                                    socket.getOutputStream(), StandardCharsets.UTF_8));
            send("NICK " + nick);
            String ok = in.readLine();
            if (!("OK " + nick).equals(ok)) {
                throw new IOException("NICK " + nick + " answered: " + ok);
            }
        }

        synchronized void send(String line) throws IOException {
            out.write(line);
            out.write('\n');
            out.flush();
        }

        String readLine() throws IOException {
            return in.readLine();
        }

        /** Reads and drops everything the server sends (OK lines), so its writes never block. */
        void discardInput() {
            Thread t =
                    new Thread(
                            () -> {
                                try {
                                    while (in.readLine() != null) {
                                        // dropped
                                    }
                                } catch (IOException e) {
                                    // closed
                                }
                            },
                            "load-drain");
            t.setDaemon(true);
            t.start();
        }

        @Override
        public void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static void resetPeaks() {
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    /** The sum of the heap pools' peaks (an upper bound: pools peak at different times). */
    private static long heapPeak() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, g.getCollectionTime());
        }
        return sum;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
