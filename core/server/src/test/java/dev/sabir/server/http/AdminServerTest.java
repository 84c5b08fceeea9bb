package dev.sabir.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.api.Address;
import dev.sabir.api.FileSpool;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.plugin.AccountStatus;
import dev.sabir.server.plugin.PluginStatus;
import dev.sabir.server.spool.DiskFileSpool;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdminServerTest {
    private static EventLoopGroup loops;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir Path dir;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<SabirConfig.LinkEntry> links = new CopyOnWriteArrayList<>();
    private final List<String> restarted = new CopyOnWriteArrayList<>();
    private PrometheusMeterRegistry registry;
    private DiskFileSpool spool;
    private AdminServer server;
    private String base;

    @BeforeAll
    static void loops() {
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopLoops() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @BeforeEach
    void start() throws Exception {
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.counter("sabir_test_events").increment(3);
        spool =
                new DiskFileSpool(
                        new SabirConfig.Spool(dir, 1 << 20, 1 << 20, 1 << 20),
                        () -> URI.create(base + "/"),
                        e -> {});
        AdminServer.Actions actions =
                new AdminServer.Actions() {
                    @Override
                    public List<SabirConfig.LinkEntry> links() {
                        return new ArrayList<>(links);
                    }

                    @Override
                    public void createLink(SabirConfig.LinkEntry link) {
                        if (link.members().stream().anyMatch(a -> a.account().equals("ghost"))) {
                            throw new IllegalArgumentException("no account named 'ghost'");
                        }
                        links.add(link);
                    }

                    @Override
                    public boolean removeLink(String name) {
                        return links.removeIf(l -> l.name().equals(name));
                    }

                    @Override
                    public boolean restartAccount(String name) {
                        if (!name.equals("lobby")) {
                            return false;
                        }
                        restarted.add(name);
                        return true;
                    }
                };
        server =
                new AdminServer(
                        new InetSocketAddress("127.0.0.1", 0),
                        loops,
                        new AdminServer.Sources(
                                () ->
                                        List.of(
                                                new PluginStatus(
                                                        "loopback",
                                                        "0.1.0",
                                                        "started",
                                                        List.of("loopback"),
                                                        "")),
                                () ->
                                        List.of(
                                                new AccountStatus(
                                                        "lobby", "loopback", "online", ""),
                                                new AccountStatus(
                                                        "irc1",
                                                        "irc",
                                                        "waiting",
                                                        "plugin irc not loaded")),
                                registry,
                                spool,
                                "s3cret",
                                actions));
        InetSocketAddress bound = server.start();
        base = "http://127.0.0.1:" + bound.getPort();
    }

    @AfterEach
    void stop() {
        server.close();
        spool.close();
        registry.close();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(5));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body, boolean auth)
            throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(URI.create(base + path))
                        .timeout(Duration.ofSeconds(5))
                        .method(
                                method,
                                body == null
                                        ? HttpRequest.BodyPublishers.noBody()
                                        : HttpRequest.BodyPublishers.ofString(body));
        if (auth) {
            b.header("Authorization", "Bearer s3cret");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthShowsPluginsAndAccounts() throws Exception {
        HttpResponse<String> res = get("/health");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type")).contains("application/json");
        JsonNode body = JSON.readTree(res.body());
        assertThat(body.get("status").asText()).isEqualTo("up");
        JsonNode plugin = body.get("plugins").get(0);
        assertThat(plugin.get("id").asText()).isEqualTo("loopback");
        assertThat(plugin.get("state").asText()).isEqualTo("started");
        assertThat(plugin.get("protocols").get(0).asText()).isEqualTo("loopback");
        JsonNode accounts = body.get("accounts");
        assertThat(accounts).hasSize(2);
        assertThat(accounts.get(1).get("name").asText()).isEqualTo("irc1");
        assertThat(accounts.get(1).get("plugin").asText()).isEqualTo("irc");
        assertThat(accounts.get(1).get("state").asText()).isEqualTo("waiting");
        assertThat(accounts.get(1).get("reason").asText()).isEqualTo("plugin irc not loaded");
    }

    @Test
    void metricsInPrometheusFormat() throws Exception {
        HttpResponse<String> res = get("/metrics");
        assertThat(res.statusCode()).isEqualTo(200);
        assertThat(res.headers().firstValue("content-type").orElse("")).startsWith("text/plain");
        assertThat(res.body())
                .contains("# TYPE sabir_test_events_total counter")
                .contains("sabir_test_events_total 3.0");
    }

    @Test
    void unknownPathsAndMethods() throws Exception {
        assertThat(get("/nope").statusCode()).isEqualTo(404);
        assertThat(get("/health/extra").statusCode()).isEqualTo(404);
        assertThat(get("/files/0123456789abcdef0123456789abcdef/x").statusCode()).isEqualTo(404);
        assertThat(get("/files/..%2F..%2Fetc%2Fpasswd/x").statusCode()).isEqualTo(404);
        HttpResponse<String> post = send("POST", "/health", "{}", false);
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("allow")).contains("GET, HEAD");
        assertThat(send("PUT", "/api/links", "{}", true).statusCode()).isEqualTo(405);
        assertThat(get("/api/nothing", "Authorization", "Bearer s3cret").statusCode())
                .isEqualTo(404);
    }

    @Test
    void apiNeedsTheToken() throws Exception {
        HttpResponse<String> none = get("/api/links");
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("www-authenticate"))
                .contains("Bearer realm=\"sabir\"");
        assertThat(get("/api/links", "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(get("/api/links", "Authorization", "Basic czNjcmV0").statusCode())
                .isEqualTo(401);
        assertThat(send("POST", "/api/accounts/lobby/restart", null, false).statusCode())
                .isEqualTo(401);
        assertThat(restarted).isEmpty();
        assertThat(get("/api/links", "Authorization", "Bearer s3cret").statusCode()).isEqualTo(200);
    }

    @Test
    void linksCanBeListedCreatedAndRemoved() throws Exception {
        String body =
                "{\"name\":\"hall\",\"members\":[\"loopback:lobby/#a\",\"irc:libera/#b\"],\"format\":\"[{nick}] {text}\"}";
        HttpResponse<String> created = send("POST", "/api/links", body, true);
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("location")).contains("/api/links/hall");
        assertThat(links).hasSize(1);
        assertThat(links.get(0).members())
                .containsExactly(
                        Address.parse("loopback:lobby/#a"), Address.parse("irc:libera/#b"));
        assertThat(links.get(0).format()).isEqualTo("[{nick}] {text}");

        assertThat(send("POST", "/api/links", body, true).statusCode()).isEqualTo(409);
        HttpResponse<String> bad =
                send(
                        "POST",
                        "/api/links",
                        "{\"name\":\"x\",\"members\":[\"loopback:lobby/#a\",\"nonsense\"]}",
                        true);
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(bad.body()).get("error").asText()).contains("bad member");
        HttpResponse<String> refused =
                send(
                        "POST",
                        "/api/links",
                        "{\"name\":\"y\",\"members\":[\"loopback:lobby/#a\",\"irc:ghost/#b\"]}",
                        true);
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("ghost");
        assertThat(send("POST", "/api/links", "not json", true).statusCode()).isEqualTo(400);

        JsonNode list = JSON.readTree(get("/api/links", "Authorization", "Bearer s3cret").body());
        assertThat(list).hasSize(1);
        assertThat(list.get(0).get("name").asText()).isEqualTo("hall");
        assertThat(list.get(0).get("members").get(1).asText()).isEqualTo("irc:libera/#b");

        assertThat(send("DELETE", "/api/links/hall", null, true).statusCode()).isEqualTo(204);
        assertThat(links).isEmpty();
        assertThat(send("DELETE", "/api/links/hall", null, true).statusCode()).isEqualTo(404);
    }

    @Test
    void accountRestart() throws Exception {
        HttpResponse<String> ok = send("POST", "/api/accounts/lobby/restart", null, true);
        assertThat(ok.statusCode()).isEqualTo(202);
        assertThat(restarted).containsExactly("lobby");
        assertThat(send("POST", "/api/accounts/ghost/restart", null, true).statusCode())
                .isEqualTo(404);
        assertThat(
                        get("/api/accounts/lobby/restart", "Authorization", "Bearer s3cret")
                                .statusCode())
                .isEqualTo(405);
        JsonNode accounts =
                JSON.readTree(get("/api/accounts", "Authorization", "Bearer s3cret").body());
        assertThat(accounts.get(0).get("state").asText()).isEqualTo("online");
    }

    @Test
    void servesSpooledFilesWithRanges() throws Exception {
        byte[] content = "hello, spooled world\n".getBytes(StandardCharsets.UTF_8);
        FileSpool.Upload up =
                spool.receive(
                        Address.parse("loopback:lobby/alice"),
                        "o1",
                        "hello world.txt",
                        content.length,
                        null);
        up.write(0, content, 0, content.length);
        FileSpool.SpooledFile f = up.complete();

        URI link = spool.link(f.spoolId());
        assertThat(link.toString()).startsWith(base + "/files/" + f.spoolId() + "/");
        HttpResponse<byte[]> whole =
                http.send(
                        HttpRequest.newBuilder(link).GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(whole.statusCode()).isEqualTo(200);
        assertThat(whole.body()).isEqualTo(content);
        assertThat(whole.headers().firstValue("content-length"))
                .contains(String.valueOf(content.length));
        assertThat(whole.headers().firstValue("content-type")).contains("text/plain");
        assertThat(whole.headers().firstValue("content-disposition"))
                .contains("attachment; filename*=UTF-8''hello%20world.txt");

        HttpResponse<String> part = get(link.getRawPath(), "Range", "bytes=7-13");
        assertThat(part.statusCode()).isEqualTo(206);
        assertThat(part.body()).isEqualTo("spooled");
        assertThat(part.headers().firstValue("content-range"))
                .contains("bytes 7-13/" + content.length);

        HttpResponse<String> tail = get(link.getRawPath(), "Range", "bytes=-6");
        assertThat(tail.body()).isEqualTo("world\n");
        assertThat(get(link.getRawPath(), "Range", "bytes=999-").statusCode()).isEqualTo(416);
    }

    @Test
    void oversizedAndMalformedRequestsAreRefused() throws Exception {
        String huge = "{\"name\":\"" + "x".repeat(AdminServer.MAX_BODY + 10) + "\"}";
        assertThat(send("POST", "/api/links", huge, true).statusCode()).isEqualTo(413);

        InetSocketAddress address = server.address();
        try (Socket s = new Socket(address.getAddress(), address.getPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(
                    ("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.US_ASCII);
            assertThat(status).startsWith("HTTP/1.1 4");
        }
        // the server still answers others
        assertThat(get("/health").statusCode()).isEqualTo(200);
    }
}
