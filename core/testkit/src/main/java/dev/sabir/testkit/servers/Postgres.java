package dev.sabir.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for tests: a throwaway cluster in a temporary folder, listening only on
 * 127.0.0.1 at a free port (its unix socket stays in the folder), with password authentication for
 * the user {@value #USER}.
 *
 * <p>The binaries come from the newest {@code /usr/lib/postgresql/<version>/bin} (Debian's layout).
 * When the tests run as root the server runs as the {@code postgres} system user (initdb and
 * postgres refuse root), through {@code runuser}. A missing installation is an {@link
 * IllegalStateException} that names the install command. Durability is traded for speed ({@code
 * fsync=off}): a cluster lives only as long as the test that started it.
 *
 * <pre>{@code
 * try (Postgres pg = Postgres.start()) {
 *     String url = pg.createDatabase("t1");
 *     Database.open(url, pg.user(), pg.password());
 * }
 * }</pre>
 */
public final class Postgres implements AutoCloseable {
    /** The command that installs PostgreSQL on Debian and Ubuntu. */
    public static final String INSTALL = "apt-get update && apt-get install -y postgresql";

    /** The superuser the cluster is made with. */
    public static final String USER = "sabir";

    /** The database created at start, named by {@link #jdbcUrl()}. */
    public static final String DEFAULT_DATABASE = "sabir";

    private static final Path INSTALL_ROOT = Path.of("/usr/lib/postgresql");
    private static final String SYSTEM_USER = "postgres";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern DATABASE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final String password;
    private final boolean root;
    private Process process;

    private Postgres(Path bin, Path dir, int port, String password, boolean root) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.password = password;
        this.root = root;
    }

    /**
     * Makes a cluster in a new temporary folder, starts it and creates the database {@value
     * #DEFAULT_DATABASE}; returns once the server accepts connections.
     *
     * @throws IllegalStateException when PostgreSQL is not installed
     * @throws IOException when the cluster cannot be made or does not start in time
     */
    public static Postgres start() throws IOException {
        Path bin = findBinaries();
        if (bin == null) {
            throw new IllegalStateException(
                    "PostgreSQL is not installed (no "
                            + INSTALL_ROOT
                            + "/<version>/bin/postgres); install it with: "
                            + INSTALL);
        }
        byte[] secret = new byte[12];
        new SecureRandom().nextBytes(secret);
        Path dir = Files.createTempDirectory("sabir-postgres-");
        Postgres pg =
                new Postgres(
                        bin, dir, freePort(), "pw-" + HexFormat.of().formatHex(secret), isRoot());
        try {
            pg.initCluster();
            pg.startProcess();
            pg.createDatabase(DEFAULT_DATABASE);
        } catch (IOException | RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    /** The JDBC URL of the database {@value #DEFAULT_DATABASE}. */
    public String jdbcUrl() {
        return jdbcUrl(DEFAULT_DATABASE);
    }

    /** The JDBC URL of a database of this server (it must exist; see {@link #createDatabase}). */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** The user to connect as. */
    public String user() {
        return USER;
    }

    /** The user's password (random per server). */
    public String password() {
        return password;
    }

    /** The TCP port on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The folder with the cluster, socket and log. */
    public Path directory() {
        return dir;
    }

    /**
     * Creates an empty database owned by {@link #user()} and returns its JDBC URL.
     *
     * @param name lower-case letters, digits and underscores, at most 63 characters
     * @throws IOException when {@code createdb} fails (e.g. the name is taken)
     */
    public String createDatabase(String name) throws IOException {
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("unsuitable database name: " + name);
        }
        run(
                false,
                List.of(
                        bin.resolve("createdb").toString(),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        Integer.toString(port),
                        "-U",
                        USER,
                        "-E",
                        "UTF8",
                        name));
        return jdbcUrl(name);
    }

    /** True while the server process runs. */
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** The server's log so far (for failure messages). */
    public String log() {
        try {
            Path log = dir.resolve("postgres.log");
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Stops the server (fast shutdown: open connections are ended); harmless when stopped. */
    public synchronized void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        process = null;
        if (p.isAlive()) {
            try {
                run(
                        true,
                        List.of(
                                bin.resolve("pg_ctl").toString(),
                                "stop",
                                "-D",
                                data.toString(),
                                "-m",
                                "fast",
                                "-w",
                                "-t",
                                "10"));
            } catch (IOException | RuntimeException e) {
                // fall through to the signal below
            }
        }
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** Stops the server and removes its folder. */
    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: the folder is in the temporary area anyway
        }
    }

    private void initCluster() throws IOException {
        Path pwfile = dir.resolve("pwfile");
        Files.writeString(pwfile, password + "\n", StandardCharsets.UTF_8);
        if (root) {
            run(false, List.of("chown", "-R", SYSTEM_USER + ":", dir.toString()));
        }
        run(
                true,
                List.of(
                        bin.resolve("initdb").toString(),
                        "-D",
                        data.toString(),
                        "-U",
                        USER,
                        "--pwfile=" + pwfile,
                        "--auth-host=scram-sha-256",
                        "--auth-local=scram-sha-256",
                        "--encoding=UTF8",
                        "--locale=C",
                        "--no-sync",
                        "--no-instructions"));
        Files.deleteIfExists(pwfile);
    }

    private synchronized void startProcess() throws IOException {
        List<String> cmd = new ArrayList<>(asServerUser());
        cmd.addAll(
                List.of(
                        bin.resolve("postgres").toString(),
                        "-D",
                        data.toString(),
                        "-p",
                        Integer.toString(port),
                        "-c",
                        "listen_addresses=127.0.0.1",
                        "-c",
                        "unix_socket_directories=" + dir,
                        "-c",
                        "fsync=off",
                        "-c",
                        "synchronous_commit=off",
                        "-c",
                        "full_page_writes=off",
                        "-c",
                        "max_connections=60",
                        "-c",
                        "shared_buffers=32MB"));
        process =
                new ProcessBuilder(cmd)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(
                                ProcessBuilder.Redirect.appendTo(
                                        dir.resolve("postgres.log").toFile()))
                        .start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                int code = process.exitValue();
                process = null;
                throw new IOException("postgres exited with " + code + ":\n" + log());
            }
            if (ready()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                stop();
                throw new IOException(
                        "postgres did not accept connections within "
                                + START_TIMEOUT.toSeconds()
                                + " s:\n"
                                + log());
            }
            sleep(25);
        }
    }

    private boolean ready() throws IOException {
        Process p =
                new ProcessBuilder(
                                bin.resolve("pg_isready").toString(),
                                "-q",
                                "-h",
                                "127.0.0.1",
                                "-p",
                                Integer.toString(port),
                                "-t",
                                "1")
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .start();
        try {
            if (!p.waitFor(3, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted while waiting for postgres", e);
        }
    }

    /**
     * Runs a command to its end; as the server's user when {@code asServer} and running as root.
     */
    private void run(boolean asServer, List<String> command) throws IOException {
        List<String> cmd = new ArrayList<>(asServer ? asServerUser() : List.of());
        cmd.addAll(command);
        Path out = Files.createTempFile(dir, "command", ".out");
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(out.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Map<String, String> env = pb.environment();
        env.put("PGPASSWORD", password);
        env.put("LC_ALL", "C");
        Process p = pb.start();
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + command.get(0));
            }
            if (p.exitValue() != 0) {
                throw new IOException(
                        Path.of(command.get(0)).getFileName()
                                + " failed ("
                                + p.exitValue()
                                + "): "
                                + new String(Files.readAllBytes(out), StandardCharsets.UTF_8)
                                        .strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted: " + command.get(0), e);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    private List<String> asServerUser() {
        return root ? List.of("runuser", "-u", SYSTEM_USER, "--") : List.of();
    }

    /** The newest {@code /usr/lib/postgresql/<version>/bin} that has a server, or null. */
    private static Path findBinaries() {
        if (!Files.isDirectory(INSTALL_ROOT)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(INSTALL_ROOT)) {
            return versions.filter(v -> v.getFileName().toString().matches("\\d+(\\.\\d+)?"))
                    .filter(v -> Files.isExecutable(v.resolve("bin/postgres")))
                    .filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(
                            Comparator.comparingDouble(
                                    v -> Double.parseDouble(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isRoot() {
        try {
            return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }
}
