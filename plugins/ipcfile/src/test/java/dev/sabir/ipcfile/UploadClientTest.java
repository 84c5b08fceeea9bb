package dev.sabir.ipcfile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.FileOffer;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command-line client against a running service, and account settings. */
class UploadClientTest {
    @TempDir Path dir;
    private TestHost host;
    private IpcFileSession session;
    private final RecordingSink sink = new RecordingSink();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private void start(Map<String, Object> extra) throws Exception {
        host = new TestHost(dir.resolve("host"));
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("rundir", dir.resolve("run").toString());
        cfg.put("tcp_listen", "127.0.0.1:0");
        cfg.put("jwt", Map.of("hs256_secret", Tokens.SECRET));
        cfg.putAll(extra);
        session =
                (IpcFileSession)
                        new IpcFileConnector()
                                .open(new AccountConfig("up", "ipcfile", true, cfg), host, sink);
        session.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() {
        if (session != null) {
            session.close();
        }
        if (host != null) {
            host.close();
        }
    }

    private int run(String... args) {
        return UploadClient.run(
                args,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void uploadsOverTheSocketAndOverTcpPrintingProgress() throws Exception {
        start(Map.of());
        Path f =
                Files.write(
                        dir.resolve("notes.txt"),
                        "x".repeat(5000).getBytes(StandardCharsets.UTF_8));
        assertThat(
                        run(
                                "--socket",
                                session.socketPath().toString(),
                                "--token",
                                Tokens.hs256("zoe"),
                                "--tag",
                                "room:lobby",
                                f.toString()))
                .isEqualTo(0);
        assertThat(out.toString(StandardCharsets.UTF_8))
                .contains("notes.txt: 5000/5000 bytes (100%)")
                .contains("complete");
        FileOffer o = sink.awaitEvent(FileOffer.class, x -> true, Duration.ofSeconds(5));
        assertThat(o.conversation().toString()).isEqualTo("ipcfile:up/room:lobby");
        assertThat(o.sha256()).isEqualTo(UploadClient.sha256(f));

        Path g =
                Files.write(
                        dir.resolve("more.txt"), "y".repeat(100).getBytes(StandardCharsets.UTF_8));
        var a = session.tcpAddress();
        assertThat(
                        run(
                                "--connect",
                                "127.0.0.1:" + a.getPort(),
                                "--token",
                                Tokens.hs256("zoe"),
                                "--tag",
                                "to:xmpp:main/zoe@example.org",
                                "--chunk",
                                "33",
                                g.toString()))
                .isEqualTo(0);
        FileOffer o2 =
                sink.awaitEvent(
                        FileOffer.class, x -> x.name().equals("more.txt"), Duration.ofSeconds(5));
        assertThat(o2.conversation().toString())
                .isEqualTo("ipcfile:up/to:xmpp:main/zoe@example.org");
    }

    @Test
    void theClientUsesTheChunkSizeTheServerSuggests() throws Exception {
        start(Map.of("chunk_size", 512));
        Path f = Files.write(dir.resolve("c.bin"), new byte[5000]);
        try (IpcConnection c = IpcConnection.unix(session.socketPath(), 1 << 16)) {
            UploadClient.Result r =
                    new UploadClient(c, Tokens.hs256("kim"), java.util.List.of(), 0, null)
                            .upload("k", java.util.List.of(f));
            assertThat(r.complete()).isTrue();
            assertThat(r.chunksSent()).isEqualTo(10);
        }
        FileOffer o = sink.awaitEvent(FileOffer.class, x -> true, Duration.ofSeconds(5));
        assertThat(o.conversation().toString())
                .as("no tag: the uploader's own conversation")
                .isEqualTo("ipcfile:up/user:kim");
    }

    @Test
    void reportsRefusalsAndBadUsage() throws Exception {
        start(Map.of("quota", "1k"));
        Path f = Files.write(dir.resolve("big.bin"), new byte[2000]);
        assertThat(
                        run(
                                "--socket",
                                session.socketPath().toString(),
                                "--token",
                                Tokens.hs256("yan"),
                                f.toString()))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("upload refused: quota exceeded");
        assertThat(run("--token", "t", f.toString())).isEqualTo(2);
        assertThat(
                        run(
                                "--socket",
                                "/nonexistent",
                                "--token",
                                "t",
                                dir.resolve("missing").toString()))
                .isEqualTo(2);
        assertThat(
                        run(
                                "--socket",
                                session.socketPath().toString(),
                                "--token",
                                Tokens.none("yan"),
                                f.toString()))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("bad token");
    }

    @Test
    void quotaCountsCompletedUploadsPerUser() throws Exception {
        start(Map.of("quota", "1k"));
        Path f = Files.write(dir.resolve("half.bin"), new byte[600]);
        String sock = session.socketPath().toString();
        assertThat(
                        run(
                                "--socket",
                                sock,
                                "--token",
                                Tokens.hs256("ann"),
                                "--fid",
                                "one",
                                f.toString()))
                .isEqualTo(0);
        assertThat(
                        run(
                                "--socket",
                                sock,
                                "--token",
                                Tokens.hs256("ann"),
                                "--fid",
                                "two",
                                f.toString()))
                .isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("quota exceeded");
        // another user has their own quota; the same transfer again is already complete
        assertThat(
                        run(
                                "--socket",
                                sock,
                                "--token",
                                Tokens.hs256("ben"),
                                "--fid",
                                "one",
                                f.toString()))
                .isEqualTo(0);
        assertThat(
                        run(
                                "--socket",
                                sock,
                                "--token",
                                Tokens.hs256("ann"),
                                "--fid",
                                "one",
                                f.toString()))
                .isEqualTo(0);
        assertThat(sink.events().stream().filter(e -> e instanceof FileOffer).count()).isEqualTo(2);
    }

    @Test
    void accountKeysAreChecked() {
        host = new TestHost(dir.resolve("host"));
        IpcFileConnector c = new IpcFileConnector();
        Map<String, Object> jwt = Map.of("hs256_secret", Tokens.SECRET);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                c.open(
                                        new AccountConfig(
                                                "up",
                                                "ipcfile",
                                                true,
                                                Map.of(
                                                        "jwt",
                                                        jwt,
                                                        "chunk_size",
                                                        5000,
                                                        "max_chunk",
                                                        1024)),
                                        host,
                                        sink))
                .isInstanceOf(InvalidConfigException.class)
                .matches(e -> ((InvalidConfigException) e).key().equals("chunk_size"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                c.open(
                                        new AccountConfig(
                                                "up",
                                                "ipcfile",
                                                true,
                                                Map.of("jwt", jwt, "max_file_size", "lots")),
                                        host,
                                        sink))
                .isInstanceOf(InvalidConfigException.class)
                .matches(e -> ((InvalidConfigException) e).key().equals("max_file_size"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () ->
                                c.open(
                                        new AccountConfig("up", "ipcfile", true, Map.of()),
                                        host,
                                        sink))
                .isInstanceOf(InvalidConfigException.class)
                .matches(e -> ((InvalidConfigException) e).key().equals("jwt"));
    }
}
