package dev.sabir.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.api.Address;
import dev.sabir.api.FileSpool;
import dev.sabir.server.config.ConfigLoader;
import dev.sabir.server.config.SabirConfig;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole server in this JVM: real SQLite, the loopback plugin from the class path, real HTTP.
 */
class SabirServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private HttpResponse<String> send(String method, String url, String body) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(url))
                        .timeout(Duration.ofSeconds(10))
                        .header("Authorization", "Bearer tok")
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void startsServesAndStopsCleanly() throws Exception {
        int portA = freePort();
        int portB = freePort();
        Files.createDirectories(dir.resolve("plugins"));
        String yaml =
                """
                admin: { listen: "127.0.0.1:0", token: tok }
                storage: { url: "jdbc:sqlite:data/sabir.db" }
                plugins: { dir: plugins, watch: false }
                spool: { dir: data/spool }
                accounts:
                  neta: { plugin: loopback, listen: "127.0.0.1:%d" }
                  netb: { plugin: loopback, listen: "127.0.0.1:%d" }
                links:
                  lobby: { members: [ "loopback:neta/lobby", "loopback:netb/lobby" ] }
                """
                        .formatted(portA, portB);
        SabirConfig config = ConfigLoader.parse(yaml, dir.resolve("sabir.yml"), Map.of(), dir);

        SabirServer server = new SabirServer(config).start();
        InetSocketAddress admin;
        try {
            admin = server.adminAddress();
            assertThat(admin.getPort()).isPositive();
            String base = "http://127.0.0.1:" + admin.getPort();
            assertThat(Files.exists(dir.resolve("data/sabir.db"))).isTrue();

            await().atMost(Duration.ofSeconds(20))
                    .untilAsserted(
                            () -> {
                                JsonNode health =
                                        JSON.readTree(send("GET", base + "/health", null).body());
                                assertThat(health.get("status").asText()).isEqualTo("up");
                                assertThat(health.get("accounts")).hasSize(2);
                                for (JsonNode a : health.get("accounts")) {
                                    assertThat(a.get("state").asText())
                                            .as(a.toString())
                                            .isEqualTo("online");
                                }
                            });
            // the loopback network really listens
            try (Socket s = new Socket("127.0.0.1", portA)) {
                assertThat(s.isConnected()).isTrue();
            }

            String metrics = send("GET", base + "/metrics", null).body();
            assertThat(metrics).contains("jvm_memory_used_bytes").contains("sabir_spool_bytes");

            assertThat(server.router().links())
                    .extracting(SabirConfig.LinkEntry::name)
                    .containsExactly("lobby");
            HttpResponse<String> refused =
                    send(
                            "POST",
                            base + "/api/links",
                            "{\"name\":\"x\",\"members\":[\"loopback:neta/a\",\"loopback:ghost/a\"]}");
            assertThat(refused.statusCode()).isEqualTo(400);
            assertThat(refused.body()).contains("ghost");
            HttpResponse<String> created =
                    send(
                            "POST",
                            base + "/api/links",
                            "{\"name\":\"side\",\"members\":[\"loopback:neta/side\",\"loopback:netb/side\"]}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(server.router().links())
                    .extracting(SabirConfig.LinkEntry::name)
                    .contains("lobby", "side");
            assertThat(send("POST", base + "/api/accounts/neta/restart", null).statusCode())
                    .isEqualTo(202);

            // spooled files are linked on the bound admin port
            byte[] content = "bytes on their way\n".getBytes(StandardCharsets.UTF_8);
            FileSpool.Upload up =
                    server.spool()
                            .receive(
                                    Address.parse("loopback:neta/lobby"),
                                    "f1",
                                    "note.txt",
                                    content.length,
                                    null);
            up.write(0, content, 0, content.length);
            FileSpool.SpooledFile f = up.complete();
            URI link = server.spool().link(f.spoolId());
            assertThat(link.getPort()).isEqualTo(admin.getPort());
            assertThat(send("GET", link.toString(), null).body()).isEqualTo("bytes on their way\n");
        } finally {
            server.close();
        }
        server.close(); // idempotent

        assertThatThrownBy(() -> new Socket("127.0.0.1", admin.getPort()).close())
                .isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> new Socket("127.0.0.1", portA).close())
                .isInstanceOf(ConnectException.class);
    }

    @Test
    void aFailingStartClosesWhatWasStarted() throws Exception {
        int taken;
        try (ServerSocket blocker =
                new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            taken = blocker.getLocalPort();
            String yaml =
                    """
                    admin: { listen: "127.0.0.1:%d" }
                    storage: { url: "jdbc:sqlite:data/sabir.db" }
                    plugins: { dir: plugins, watch: false }
                    spool: { dir: data/spool }
                    """
                            .formatted(taken);
            SabirConfig config = ConfigLoader.parse(yaml, null, Map.of(), dir);
            SabirServer server = new SabirServer(config);
            assertThatThrownBy(server::start).isNotNull();
            assertThat(server.adminAddress()).isNull();
            server.awaitClosed(); // released: close() ran
        }
    }
}
