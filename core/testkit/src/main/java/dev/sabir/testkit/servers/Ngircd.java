package dev.sabir.testkit.servers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a real ngircd on a free loopback port for tests, from a config written into a temporary
 * folder, and stops it by pid.
 *
 * <p>A missing {@code ngircd} binary is a failure naming the install command, never a skip. The
 * server can be stopped and started again on the same port to test reconnects.
 *
 * <pre>{@code
 * try (Ngircd irc = Ngircd.start(tempDir)) {
 *     connect to 127.0.0.1:irc.port()
 * }
 * }</pre>
 */
public final class Ngircd implements AutoCloseable {
    /** Where Debian installs the binary. */
    public static final String INSTALL_HINT = "apt-get update && apt-get install -y ngircd";

    private final Path dir;
    private final Path config;
    private final int port;
    private final int tlsPort;
    private final Options options;
    private Process process;

    /**
     * Settings of a test server.
     *
     * @param penalties true keeps ngircd's flood penalties on ({@code MaxPenaltyTime = -1}), false
     *     turns them off ({@code MaxPenaltyTime = 0})
     * @param maxNickLength {@code MaxNickLength}
     * @param pingTimeout {@code PingTimeout} in seconds
     * @param tls true adds a TLS port with a self-signed certificate for {@code 127.0.0.1} and
     *     {@code localhost} (made with the {@code openssl} command)
     */
    public record Options(boolean penalties, int maxNickLength, int pingTimeout, boolean tls) {
        /** Penalties off, 30-character nicks, 120 s ping timeout, no TLS. */
        public static Options defaults() {
            return new Options(false, 30, 120, false);
        }

        /** The same options with penalties on or off. */
        public Options withPenalties(boolean on) {
            return new Options(on, maxNickLength, pingTimeout, tls);
        }

        /** The same options with or without a TLS port. */
        public Options withTls(boolean on) {
            return new Options(penalties, maxNickLength, pingTimeout, on);
        }
    }

    private Ngircd(Path dir, int port, int tlsPort, Options options) {
        this.dir = dir;
        this.config = dir.resolve("ngircd.conf");
        this.port = port;
        this.tlsPort = tlsPort;
        this.options = options;
    }

    /** Starts a server with default options in a new folder under {@code parent}. */
    public static Ngircd start(Path parent) throws IOException {
        return start(parent, Options.defaults());
    }

    /** Starts a server in a new folder under {@code parent}. */
    public static Ngircd start(Path parent, Options options) throws IOException {
        Path bin = findBinary();
        if (bin == null) {
            throw new IllegalStateException(
                    "ngircd is not installed; install it with: " + INSTALL_HINT);
        }
        Path dir = Files.createTempDirectory(parent, "ngircd");
        // ngircd started as root drops to nobody: its files must stay readable
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Ngircd server = new Ngircd(dir, freePort(), options.tls() ? freePort() : -1, options);
        server.writeConfig();
        server.startProcess(bin);
        return server;
    }

    /** The port clients connect to on 127.0.0.1. */
    public int port() {
        return port;
    }

    /** The TLS port on 127.0.0.1, or -1 without {@link Options#tls()}. */
    public int tlsPort() {
        return tlsPort;
    }

    /** The server's self-signed certificate (PEM), to trust in clients; only with TLS. */
    public Path certificate() {
        return dir.resolve("cert.pem");
    }

    /** {@code 127.0.0.1:port}. */
    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    /** The server name clients see in prefixes. */
    public String serverName() {
        return "irc.localhost";
    }

    /** True while the process runs. */
    public synchronized boolean running() {
        return process != null && process.isAlive();
    }

    /** Stops the server (all clients are disconnected); {@link #restart()} starts it again. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        process = null;
    }

    /** Starts the stopped server again on the same port. */
    public synchronized void restart() throws IOException {
        stop();
        startProcess(findBinary());
    }

    @Override
    public void close() {
        stop();
    }

    /** The server's combined output so far (for failure messages). */
    public String log() {
        try {
            return Files.readString(dir.resolve("ngircd.out"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void writeConfig() throws IOException {
        Path motd = dir.resolve("motd");
        Files.writeString(motd, "sabir test server\n");
        String text =
                String.join(
                        "\n",
                        "[Global]",
                        "    Name = irc.localhost",
                        "    Info = sabir test server",
                        "    Listen = 127.0.0.1",
                        "    Ports = " + port,
                        "    MotdFile = " + motd,
                        "    AdminInfo1 = test",
                        "    AdminInfo2 = loopback",
                        "    AdminEMail = root@localhost",
                        "[Limits]",
                        "    MaxConnectionsIP = 0",
                        "    MaxNickLength = " + options.maxNickLength(),
                        "    PingTimeout = " + options.pingTimeout(),
                        "    PongTimeout = 20",
                        "    MaxPenaltyTime = " + (options.penalties() ? "-1" : "0"),
                        "[Options]",
                        "    DNS = no",
                        "    Ident = no",
                        "    PAM = no",
                        "");
        if (options.tls()) {
            makeCertificate();
            text +=
                    String.join(
                            "\n",
                            "[SSL]",
                            "    CertFile = " + certificate(),
                            "    KeyFile = " + dir.resolve("key.pem"),
                            "    Ports = " + tlsPort,
                            "");
        }
        Files.writeString(config, text);
    }

    private void makeCertificate() throws IOException {
        ProcessBuilder pb =
                new ProcessBuilder(
                        "openssl",
                        "req",
                        "-x509",
                        "-newkey",
                        "rsa:2048",
                        "-nodes",
                        "-keyout",
                        dir.resolve("key.pem").toString(),
                        "-out",
                        certificate().toString(),
                        "-days",
                        "2",
                        "-subj",
                        "/CN=localhost",
                        "-addext",
                        "subjectAltName=IP:127.0.0.1,DNS:localhost");
        pb.redirectErrorStream(true);
        pb.redirectOutput(dir.resolve("openssl.out").toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(
                        "openssl could not make a test certificate: "
                                + Files.readString(dir.resolve("openssl.out")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        // the server drops to nobody before it reads the key
        Files.setPosixFilePermissions(
                dir.resolve("key.pem"), PosixFilePermissions.fromString("rw-r--r--"));
    }

    private void startProcess(Path bin) throws IOException {
        ProcessBuilder pb =
                new ProcessBuilder(List.of(bin.toString(), "-n", "-f", config.toString()));
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("ngircd.out").toFile()));
        process = pb.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("ngircd exited with " + process.exitValue() + ":\n" + log());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while waiting for ngircd", e);
                }
            }
        }
        stop();
        throw new IOException("ngircd did not open port " + port + " within 10 s:\n" + log());
    }

    private static Path findBinary() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String p : path.split(":")) {
                if (!p.isEmpty()) {
                    candidates.add(Path.of(p, "ngircd"));
                }
            }
        }
        candidates.add(Path.of("/usr/sbin/ngircd"));
        candidates.add(Path.of("/usr/local/sbin/ngircd"));
        for (Path c : candidates) {
            if (Files.isExecutable(c)) {
                return c;
            }
        }
        return null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
