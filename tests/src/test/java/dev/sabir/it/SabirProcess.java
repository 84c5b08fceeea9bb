package dev.sabir.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A Sabir server in its own JVM, started from the test class path with a config file, so tests can
 * kill it (-9) and start it again on the same data.
 */
final class SabirProcess implements AutoCloseable {
    private final Path config;
    private final Path log;
    private final int adminPort;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;
    private Predicate<String> classPathFilter = entry -> true;

    SabirProcess(Path config, Path log, int adminPort) {
        this.config = config;
        this.log = log;
        this.adminPort = adminPort;
    }

    /**
     * Keeps only the class path entries (of this test JVM's {@code java.class.path}) that pass the
     * filter, e.g. to start a server without a built-in connector so a plugin JAR has to supply it.
     */
    SabirProcess classPathFilter(Predicate<String> keep) {
        this.classPathFilter = keep;
        return this;
    }

    /** The class path the server is started with. */
    String classPath() {
        return Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(classPathFilter)
                .collect(Collectors.joining(File.pathSeparator));
    }

    /**
     * The part of a test config every scenario shares: the admin listener, and the database, plugin
     * folder and spool under {@code dir}.
     */
    static String baseConfig(Path dir, int adminPort, boolean watchPlugins) {
        return """
                admin: { listen: "127.0.0.1:%d" }
                storage: { url: "jdbc:sqlite:%s" }
                plugins: { dir: "%s", watch: %b }
                spool: { dir: "%s" }
                """
                .formatted(
                        adminPort,
                        dir.resolve("data/sabir.db"),
                        dir.resolve("plugins"),
                        watchPlugins,
                        dir.resolve("spool"));
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts the server and waits until /health answers with every account online. */
    SabirProcess start() throws Exception {
        return start(true);
    }

    /**
     * Starts the server and waits until /health answers; with {@code allAccountsUp} also until no
     * account is connecting or waiting for its plugin.
     */
    SabirProcess start(boolean allAccountsUp) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx256m");
        cmd.add("-cp");
        cmd.add(classPath());
        cmd.add("dev.sabir.server.Main");
        cmd.add("run");
        cmd.add("--config");
        cmd.add(config.toString());
        process =
                new ProcessBuilder(cmd)
                        .directory(config.getParent().toFile())
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
        long started = System.nanoTime();
        long deadline = started + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError(
                        "sabir exited with " + process.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                String body = health();
                if (body.contains("\"status\":\"up\"")
                        && (!allAccountsUp
                                || !body.contains("\"connecting\"")
                                        && !body.contains("\"waiting\""))) {
                    System.out.printf(
                            "Sabir up in %d ms%n",
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
                    return this;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new AssertionError("sabir did not come up:\n" + Files.readString(log));
    }

    String health() throws IOException, InterruptedException {
        return get("/health");
    }

    /** An account's state as /health reports it ({@code online}, {@code waiting}, ...), or null. */
    String accountState(String name) throws IOException, InterruptedException {
        for (JsonNode a : JSON.readTree(health()).path("accounts")) {
            if (a.path("name").asText().equals(name)) {
                return a.path("state").asText();
            }
        }
        return null;
    }

    String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r =
                http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
                                .timeout(Duration.ofSeconds(5))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** kill -9. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM and wait; returns the exit code. */
    int stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    /** What a {@code sabir} command-line run printed and returned. */
    record CliRun(int code, String out, String err) {}

    /** Runs {@code sabir ARGS --config CONFIG} in its own JVM from the test class path. */
    static CliRun cli(Path config, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.sabir.server.Main");
        cmd.addAll(List.of(args));
        cmd.add("--config");
        cmd.add(config.toString());
        Process p = new ProcessBuilder(cmd).directory(config.getParent().toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("sabir " + String.join(" ", args) + " did not finish");
        }
        return new CliRun(p.exitValue(), out.strip(), err.strip());
    }
}
