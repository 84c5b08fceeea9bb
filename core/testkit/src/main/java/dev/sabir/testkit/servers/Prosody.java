package dev.sabir.testkit.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Prosody for tests: generated config in a temporary folder, free loopback ports, started as
 * the {@code prosody} user in the foreground, stopped by pid, restartable on the same ports.
 *
 * <p>The virtual host is {@code localhost} with {@code conference.localhost} (MUC) and {@code
 * upload.localhost} (XEP-0363 http_file_share); each {@link Builder#component} adds an XEP-0114
 * component. A missing {@code prosody} binary is an {@link IllegalStateException} that names the
 * install command.
 */
public final class Prosody implements AutoCloseable {
    /** The virtual host. */
    public static final String DOMAIN = "localhost";

    /** The MUC service. */
    public static final String MUC = "conference.localhost";

    /** The upload service. */
    public static final String UPLOAD = "upload.localhost";

    /** The command that installs Prosody. */
    public static final String INSTALL = "apt-get update && apt-get install -y prosody";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);

    private final Path dir;
    private final Path config;
    private final int c2sPort;
    private final int componentPort;
    private final int httpPort;
    private Process process;
    private long pid = -1;

    /** Settings for a new server. */
    public static final class Builder {
        private final Map<String, String> components = new LinkedHashMap<>();
        private final List<String> extraHostLines = new ArrayList<>();
        private long uploadSizeLimit = 10 * 1024 * 1024;

        private Builder() {}

        /** Adds an XEP-0114 component (domain and secret). */
        public Builder component(String domain, String secret) {
            components.put(domain, secret);
            return this;
        }

        /** The largest file the upload service accepts. */
        public Builder uploadSizeLimit(long bytes) {
            uploadSizeLimit = bytes;
            return this;
        }

        /** Adds a line to the global section (before the virtual host). */
        public Builder globalLine(String lua) {
            extraHostLines.add(lua);
            return this;
        }

        /** Writes the config and starts the server; waits until its ports accept connections. */
        public Prosody start() throws IOException {
            Prosody p = new Prosody(this);
            try {
                p.startProcess();
            } catch (IOException | RuntimeException e) {
                p.close();
                throw e;
            }
            return p;
        }
    }

    /** A new builder. */
    public static Builder builder() {
        return new Builder();
    }

    private Prosody(Builder b) throws IOException {
        Path binary = findBinary("prosody");
        if (binary == null) {
            throw new IllegalStateException(
                    "prosody is not installed; install it with: " + INSTALL);
        }
        dir = Files.createTempDirectory("sabir-prosody-");
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("certs"));
        Files.createDirectories(dir.resolve("share"));
        int[] ports = freePorts(3);
        c2sPort = ports[0];
        componentPort = ports[1];
        httpPort = ports[2];
        config = dir.resolve("prosody.cfg.lua");
        Files.writeString(config, render(b), StandardCharsets.UTF_8);
        chownToProsody(dir);
    }

    private String render(Builder b) {
        String tmp = dir.toString();
        StringBuilder s = new StringBuilder();
        s.append("pidfile = \"")
                .append(tmp)
                .append("/prosody.pid\"; data_path = \"")
                .append(tmp)
                .append("/data\"\n");
        s.append("certificates = \"").append(tmp).append("/certs\"\n");
        s.append("log = { info = \"").append(tmp).append("/prosody.log\" }\n");
        s.append("interfaces = { \"127.0.0.1\" }\n");
        s.append("c2s_ports = { ")
                .append(c2sPort)
                .append(" }; c2s_direct_tls_ports = { }; s2s_ports = { }\n");
        s.append("component_ports = { ")
                .append(componentPort)
                .append(" }; component_interfaces = { \"127.0.0.1\" }\n");
        s.append("http_ports = { ")
                .append(httpPort)
                .append(" }; http_interfaces = { \"127.0.0.1\" }; https_ports = { }\n");
        s.append(
                "modules_enabled = { \"roster\"; \"saslauth\"; \"disco\"; \"ping\"; \"register\"; \"presence\"; \"message\"; \"iq\"; \"http\" }\n");
        s.append("modules_disabled = { \"s2s\"; \"tls\" }\n");
        s.append("c2s_require_encryption = false; allow_unencrypted_plain_auth = true\n");
        s.append("allow_registration = true; min_seconds_between_registrations = 0\n");
        s.append("authentication = \"internal_plain\"; storage = \"internal\"\n");
        for (String line : b.extraHostLines) {
            s.append(line).append('\n');
        }
        s.append("VirtualHost \"").append(DOMAIN).append("\"\n");
        s.append("Component \"").append(MUC).append("\" \"muc\"\n");
        s.append("    restrict_room_creation = false; muc_room_locking = false\n");
        s.append("Component \"").append(UPLOAD).append("\" \"http_file_share\"\n");
        s.append("    http_file_share_path = \"")
                .append(tmp)
                .append("/share\"; http_host = \"127.0.0.1\"; ");
        s.append("http_external_url = \"http://127.0.0.1:").append(httpPort).append("/\"\n");
        s.append("    http_file_share_size_limit = ").append(b.uploadSizeLimit).append('\n');
        for (Map.Entry<String, String> c : b.components.entrySet()) {
            s.append("Component \"").append(c.getKey()).append("\"\n");
            s.append("    component_secret = \"")
                    .append(c.getValue().replace("\\", "\\\\").replace("\"", "\\\""))
                    .append("\"\n");
        }
        return s.toString();
    }

    /** The client-to-server port. */
    public int c2sPort() {
        return c2sPort;
    }

    /** The component port. */
    public int componentPort() {
        return componentPort;
    }

    /** The HTTP port (upload service). */
    public int httpPort() {
        return httpPort;
    }

    /** {@code 127.0.0.1:<component port>}. */
    public String componentAddress() {
        return "127.0.0.1:" + componentPort;
    }

    /** The folder with config, data and log. */
    public Path directory() {
        return dir;
    }

    /** The server's log so far (for assertion messages). */
    public String log() {
        try {
            Path log = dir.resolve("prosody.log");
            return Files.exists(log) ? Files.readString(log) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /** Registers a user on {@code localhost}. */
    public void register(String user, String password) throws IOException {
        run(
                List.of(
                        "prosodyctl",
                        "--config",
                        config.toString(),
                        "register",
                        user,
                        DOMAIN,
                        password),
                Duration.ofSeconds(20));
    }

    /** Stops the server and starts it again on the same ports with the same data. */
    public void restart() throws IOException {
        stop();
        startProcess();
    }

    /** Stops the server (by pid); harmless when it is not running. */
    public void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        long target = pid > 0 ? pid : p.pid();
        ProcessHandle.of(target).ifPresent(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                ProcessHandle.of(target).ifPresent(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (ProcessHandle.of(target).map(ProcessHandle::isAlive).orElse(false)
                    && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
        pid = -1;
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort
        }
    }

    private void startProcess() throws IOException {
        List<String> cmd = new ArrayList<>();
        if (isRoot()) {
            cmd.addAll(List.of("runuser", "-u", "prosody", "--"));
        }
        cmd.addAll(List.of("prosody", "-F", "--config", config.toString()));
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .directory(dir.toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("stdout.log").toFile());
        process = pb.start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        int[] ports = {c2sPort, componentPort, httpPort};
        for (int port : ports) {
            while (!accepts(port)) {
                if (!process.isAlive()) {
                    throw new IllegalStateException(
                            "prosody exited with " + process.exitValue() + ":\n" + output());
                }
                if (System.nanoTime() > deadline) {
                    stop();
                    throw new IllegalStateException(
                            "prosody did not open port " + port + " in time:\n" + output());
                }
                sleep(25);
            }
        }
        pid = readPid().orElse(process.pid());
    }

    private Optional<Long> readPid() {
        Path f = dir.resolve("prosody.pid");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline) {
            try {
                if (Files.exists(f)) {
                    String s = Files.readString(f).trim();
                    if (!s.isEmpty()) {
                        return Optional.of(Long.parseLong(s));
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // not written yet
            }
            sleep(20);
        }
        return Optional.empty();
    }

    private String output() {
        String out = "";
        try {
            Path f = dir.resolve("stdout.log");
            out = Files.exists(f) ? Files.readString(f) : "";
        } catch (IOException e) {
            out = "";
        }
        return out + log();
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int[] freePorts(int n) throws IOException {
        int[] ports = new int[n];
        List<ServerSocket> open = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                open.add(s);
                ports[i] = s.getLocalPort();
            }
        } finally {
            for (ServerSocket s : open) {
                s.close();
            }
        }
        return ports;
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void chownToProsody(Path dir) throws IOException {
        if (isRoot()) {
            run(List.of("chown", "-R", "prosody:prosody", dir.toString()), Duration.ofSeconds(10));
        }
    }

    private static void run(List<String> command, Duration timeout) throws IOException {
        List<String> cmd = new ArrayList<>();
        if (isRoot() && command.get(0).startsWith("prosody")) {
            cmd.addAll(List.of("runuser", "-u", "prosody", "--"));
        }
        cmd.addAll(command);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IOException("timed out: " + String.join(" ", command));
            }
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException(
                        String.join(" ", command.subList(0, Math.min(4, command.size())))
                                + " failed ("
                                + p.exitValue()
                                + "): "
                                + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static Path findBinary(String name) {
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String d : path.split(":")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String d : List.of("/usr/bin", "/usr/sbin", "/usr/local/bin")) {
            Path p = Path.of(d, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
