package dev.sabir.bench;

import dev.sabir.server.SabirServer;
import dev.sabir.server.config.ConfigLoader;
import dev.sabir.server.plugin.AccountStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.ref.WeakReference;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Replaces the loopback and TorChat plugin JARs of a running in-process Sabir again and again, with
 * traffic through each new copy, and prints what stays in memory: loaded classes, metaspace and how
 * many of the replaced plugins' class loaders are still alive after a full GC. A host that leaks
 * unloaded plugins grows by one copy of each plugin per round.
 *
 * <pre>
 * java -Xmx256m -cp bench/target/benchmarks.jar dev.sabir.bench.PluginReloadLoad \
 *     [--rounds 30] [--plugins dist/plugins]
 * </pre>
 */
public final class PluginReloadLoad {
    private PluginReloadLoad() {}

    /** Runs the driver; prints one line per sample and a summary. */
    public static void main(String[] args) throws Exception {
        int rounds = 30;
        Path from = Path.of("dist/plugins");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--plugins" -> from = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path loopbackJar = from.resolve("loopback.jar");
        Path torchatJar = from.resolve("torchat.jar");
        for (Path p : List.of(loopbackJar, torchatJar)) {
            if (!Files.isRegularFile(p)) {
                throw new IllegalStateException(p + " missing: build with mvn -B package first");
            }
        }
        Path dir = Files.createTempDirectory("sabir-reload");
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        int lo = freePort();
        int tcA = freePort();
        int tcB = freePort();
        String yaml =
                """
                admin: { listen: "127.0.0.1:%d" }
                storage: { url: "jdbc:sqlite:%s" }
                plugins: { dir: "%s", watch: true }
                spool: { dir: "%s" }
                accounts:
                  lo: { plugin: loopback, listen: "127.0.0.1:%d" }
                  tca:
                    plugin: torchat
                    transport: direct
                    id: aaaaaaaaaaaaaaaa
                    listen: "127.0.0.1:%d"
                    peers: { bbbbbbbbbbbbbbbb: "127.0.0.1:%d" }
                    buddies: [ bbbbbbbbbbbbbbbb ]
                  tcb:
                    plugin: torchat
                    transport: direct
                    id: bbbbbbbbbbbbbbbb
                    listen: "127.0.0.1:%d"
                    peers: { aaaaaaaaaaaaaaaa: "127.0.0.1:%d" }
                    buddies: [ aaaaaaaaaaaaaaaa ]
                links:
                  lobby: { members: [ "loopback:lo/lobby", "torchat:tca/bbbbbbbbbbbbbbbb" ] }
                """
                        .formatted(
                                freePort(),
                                dir.resolve("sabir.db"),
                                plugins,
                                dir.resolve("spool"),
                                lo,
                                tcA,
                                tcB,
                                tcB,
                                tcA);
        Path file = dir.resolve("sabir.yml");
        Files.writeString(file, yaml);
        List<WeakReference<ClassLoader>> replaced = new ArrayList<>();
        System.out.printf(
                "Sabir in-process, loopback + 2 TorChat accounts from plugin JARs, %d rounds,"
                        + " %d CPUs, max heap %d MiB%n",
                rounds,
                Runtime.getRuntime().availableProcessors(),
                Runtime.getRuntime().maxMemory() >> 20);
        System.out.println(
                "round  reload-ms  loaded-classes  metaspace-MiB  heap-MiB  replaced-loaders-alive");
        long totalReload = 0;
        try (SabirServer server = new SabirServer(ConfigLoader.load(file, Map.of(), dir))) {
            install(loopbackJar, plugins.resolve("loopback.jar"));
            install(torchatJar, plugins.resolve("torchat.jar"));
            server.start();
            awaitOnline(server, null, null);
            traffic(lo);
            sample(0, 0, replaced);
            for (int round = 1; round <= rounds; round++) {
                ClassLoader oldLo = server.plugins().classLoaderOf("loopback");
                ClassLoader oldTc = server.plugins().classLoaderOf("torchat");
                replaced.add(new WeakReference<>(oldLo));
                replaced.add(new WeakReference<>(oldTc));
                long t0 = System.nanoTime();
                install(loopbackJar, plugins.resolve("loopback.jar"));
                install(torchatJar, plugins.resolve("torchat.jar"));
                awaitOnline(server, oldLo, oldTc);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                totalReload += ms;
                oldLo = null;
                oldTc = null;
                traffic(lo);
                if (round % 5 == 0 || round == rounds) {
                    sample(round, ms, replaced);
                }
            }
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.out.printf(
                "mean time from JAR replaced to accounts online again: %d ms%n",
                totalReload / rounds);
    }

    /** Copies under a hidden name and renames, as an operator dropping a JAR in should. */
    private static void install(Path jar, Path target) throws IOException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        // a new modification time, so the watcher sees a replaced file
        Files.setLastModifiedTime(
                tmp, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        Files.move(
                tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void awaitOnline(SabirServer server, ClassLoader oldLo, ClassLoader oldTc)
            throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            ClassLoader lo = server.plugins().classLoaderOf("loopback");
            ClassLoader tc = server.plugins().classLoaderOf("torchat");
            boolean fresh = lo != null && tc != null && lo != oldLo && tc != oldTc;
            List<AccountStatus> st = server.accounts().statuses();
            if (fresh && st.stream().allMatch(s -> s.state().equals("online"))) {
                return;
            }
            Thread.sleep(10);
        }
        throw new IllegalStateException("plugins did not come back: " + server.plugins().plugins());
    }

    /** A loopback user says something in the linked room; the TorChat side carries it. */
    private static void traffic(int port) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                BufferedReader in =
                        new BufferedReader(
                                new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                out.write(
                        "NICK reloader\nJOIN lobby\nMSG lobby through a fresh plugin\n"
                                .getBytes(StandardCharsets.UTF_8));
                out.flush();
                String line;
                while ((line = in.readLine()) != null && !line.startsWith("OK ")) {
                    // the NICK answer and the join echo come first
                }
                return;
            } catch (IOException e) {
                if (attempt >= 50) {
                    throw e;
                }
                try {
                    Thread.sleep(100); // the listener of the new copy is still binding
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void sample(int round, long reloadMs, List<WeakReference<ClassLoader>> replaced)
            throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
        }
        long alive = replaced.stream().filter(w -> w.get() != null).count();
        long metaspace = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getName().equals("Metaspace")) {
                metaspace = pool.getUsage().getUsed();
            }
        }
        long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
        System.out.printf(
                "%5d  %9d  %14d  %13.1f  %8.1f  %d of %d%n",
                round,
                reloadMs,
                ManagementFactory.getClassLoadingMXBean().getLoadedClassCount(),
                metaspace / 1048576.0,
                heap / 1048576.0,
                alive,
                replaced.size());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
