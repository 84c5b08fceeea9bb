package dev.sabir.soulseek.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.PresenceUpdate;
import dev.sabir.soulseek.SoulseekConnector;
import dev.sabir.soulseek.support.Events;
import dev.sabir.soulseek.support.Fixtures;
import dev.sabir.soulseek.support.LiteHost;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An independent Soulseek client, the npm package {@code slsk-client}, logs into server mode. The
 * package is installed by this test into {@code target/npm} with {@code npm install --prefix
 * target/npm slsk-client@1.1.0} (once; later runs reuse it).
 */
class SlskClientInteropTest {
    static final Path MODULE = Path.of("").toAbsolutePath();
    static final Path NPM = MODULE.resolve("target/npm");

    @TempDir Path tmp;
    LiteHost host;
    ServerSession server;
    int port;
    final Events events = new Events();

    @BeforeAll
    static void installSlskClient() throws Exception {
        if (Files.isDirectory(NPM.resolve("node_modules/slsk-client"))) {
            return;
        }
        Files.createDirectories(NPM);
        Process p =
                new ProcessBuilder(
                                "npm",
                                "install",
                                "--prefix",
                                NPM.toString(),
                                "--no-audit",
                                "--no-fund",
                                "slsk-client@1.1.0")
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("npm install slsk-client: %s", out).isZero();
    }

    @BeforeEach
    void start() throws Exception {
        host = new LiteHost(tmp);
        port = Fixtures.freePort();
        server =
                (ServerSession)
                        new SoulseekConnector().open(Fixtures.server("srv", port), host, events);
        server.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        host.close();
    }

    private String runLogin(String user, String pass) throws IOException, InterruptedException {
        ProcessBuilder pb =
                new ProcessBuilder(
                        "node",
                        MODULE.resolve("src/test/node/login.js").toString(),
                        "127.0.0.1",
                        Integer.toString(port),
                        user,
                        pass,
                        Integer.toString(Fixtures.freePort()));
        pb.environment().put("NODE_PATH", NPM.resolve("node_modules").toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return out.strip() + " (exit " + p.exitValue() + ")";
    }

    @Test
    void slskClientLogsInAndIsRegistered() throws Exception {
        assertThat(runLogin("nodeuser", "nodepass")).contains("LOGGED_IN").endsWith("(exit 0)");
        assertThat(host.store().get("account/nodeuser")).isPresent();
        events.await(PresenceUpdate.class, u -> u.who().id().equals("nodeuser"));
        assertThat(runLogin("nodeuser", "wrong")).contains("ERR INVALIDPASS").endsWith("(exit 2)");
        assertThat(List.of(runLogin("nodeuser", "nodepass")))
                .allMatch(s -> s.contains("LOGGED_IN"));
    }
}
