package dev.sabir.ipcfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.FileOffer;
import dev.sabir.api.Sender;
import dev.sabir.api.SessionState;
import dev.sabir.ipcfile.codec.IpcFrame;
import dev.sabir.ipcfile.codec.IpcMessage;
import dev.sabir.ipcfile.codec.IpcMessage.FileEntry;
import dev.sabir.ipcfile.codec.IpcMessage.Response;
import dev.sabir.ipcfile.codec.IpcMessages;
import dev.sabir.ipcfile.json.IpcJson;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The upload service as its clients see it, over both transports. */
class IpcFileSessionTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    enum Transport {
        TCP,
        SEQPACKET
    }

    @TempDir Path dir;
    private TestHost host;
    private RecordingSink sink;
    private IpcFileSession session;
    private IpcJson json;

    @BeforeEach
    void start() throws Exception {
        host = new TestHost(dir.resolve("host"));
        sink = new RecordingSink();
        Map<String, Object> cfg = new LinkedHashMap<>();
        cfg.put("rundir", dir.resolve("run").toString());
        cfg.put("tcp_listen", "127.0.0.1:0");
        cfg.put("max_chunk", 4096);
        cfg.put("max_file_size", "64k");
        cfg.put(
                "jwt",
                Map.of(
                        "hs256_secret",
                        Tokens.SECRET,
                        "issuer",
                        Tokens.ISSUER,
                        "audience",
                        Tokens.AUDIENCE));
        session =
                (IpcFileSession)
                        new IpcFileConnector()
                                .open(new AccountConfig("up", "ipcfile", true, cfg), host, sink);
        session.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
        sink.awaitState(SessionState.State.ONLINE, WAIT);
        json = new IpcJson(IpcJson.Limits.forChunk(4096));
    }

    @AfterEach
    void stop() {
        session.close();
        host.close();
    }

    private IpcConnection connect(Transport t) throws IOException {
        int max = json.limits().maxPayload();
        return t == Transport.TCP
                ? IpcConnection.tcp(session.tcpAddress(), max)
                : IpcConnection.unix(session.socketPath(), max);
    }

    /**
     * Whether the connection ended: an orderly close, or a reset when the listener closed before it
     * had accepted the connection from the kernel's queue. A frame or a timeout is not an end.
     */
    private static boolean sawEnd(IpcConnection c) throws Exception {
        try {
            return c.receive(WAIT) == null;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private Response call(IpcConnection c, IpcMessage m) throws Exception {
        c.send(json.encode(m));
        IpcFrame f = c.receive(WAIT);
        assertThat(f).as("a response").isNotNull();
        return (Response) json.decode(f);
    }

    private Path file(String name, int size, long seed) throws IOException {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path p = dir.resolve("src").resolve(name);
        Files.createDirectories(p.getParent());
        return Files.write(p, b);
    }

    private FileOffer awaitOffer(String name) {
        return sink.awaitEvent(FileOffer.class, o -> o.name().equals(name), WAIT);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void severalFilesInOneAuthenticationBecomeOffers(Transport t) throws Exception {
        List<Path> files =
                List.of(file("a.bin", 3000, 1), file("b.txt", 1, 2), file("c.dat", 2500, 3));
        try (IpcConnection c = connect(t)) {
            UploadClient client =
                    new UploadClient(c, Tokens.hs256("alice"), List.of("room:lobby"), 1024, null);
            UploadClient.Result r = client.upload("fid-" + t, files);
            assertThat(r.complete()).isTrue();
            assertThat(r.chunksSent()).isEqualTo(3 + 1 + 3);
        }
        for (Path f : files) {
            FileOffer o = awaitOffer(f.getFileName().toString());
            assertThat(o.conversation()).isEqualTo(Address.parse("ipcfile:up/room:lobby"));
            assertThat(o.sender().id()).isEqualTo("alice");
            assertThat(o.sender().self()).isFalse();
            assertThat(o.sha256()).isEqualTo(UploadClient.sha256(f));
            assertThat(o.size()).isEqualTo(Files.size(f));
            assertThat(Files.readAllBytes(host.spool().find(o.spoolId()).orElseThrow().path()))
                    .isEqualTo(Files.readAllBytes(f));
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void anUploadCutMidWayResumesOnANewConnection(Transport t) throws Exception {
        Path f = file("big.bin", 10_000, 7);
        String token = Tokens.hs256("bob");
        try (IpcConnection c = connect(t)) {
            UploadClient.Result r =
                    new UploadClient(c, token, List.of("to:irc:libera/#x"), 1024, null)
                            .upload("resume-" + t, List.of(f), 4);
            assertThat(r.complete()).isFalse();
        }
        // a fresh connection: the server tells the offset it has
        try (IpcConnection c = connect(t)) {
            Response auth =
                    call(
                            c,
                            IpcMessages.authentication(
                                    "m1",
                                    token,
                                    List.of(
                                            new FileEntry(
                                                    "big.bin", 10_000, UploadClient.sha256(f))),
                                    "resume-" + t,
                                    List.of()));
            assertThat(auth.ok()).isTrue();
            assertThat(auth.file()).isEqualTo(0);
            assertThat(auth.offset()).isEqualTo(4096L);
        }
        java.io.ByteArrayOutputStream progress = new java.io.ByteArrayOutputStream();
        try (IpcConnection c = connect(t)) {
            UploadClient.Result r =
                    new UploadClient(
                                    c,
                                    token,
                                    List.of("to:irc:libera/#x"),
                                    1024,
                                    new java.io.PrintStream(progress, true, StandardCharsets.UTF_8))
                            .upload("resume-" + t, List.of(f));
            assertThat(r.complete()).isTrue();
            assertThat(r.chunksSent()).isEqualTo(6);
        }
        assertThat(progress.toString(StandardCharsets.UTF_8))
                .contains("resuming at 4096")
                .contains("100%");
        FileOffer o = awaitOffer("big.bin");
        assertThat(o.conversation()).isEqualTo(Address.parse("ipcfile:up/to:irc:libera/#x"));
        assertThat(o.sha256()).isEqualTo(UploadClient.sha256(f));
        assertThat(sink.events().stream().filter(e -> e instanceof FileOffer).count()).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void specStyleChunksAreAppendedAndARepeatedChunkIsHarmless(Transport t) throws Exception {
        byte[] content = "hello, libipc world".getBytes(StandardCharsets.UTF_8);
        try (IpcConnection c = connect(t)) {
            IpcMessage.Authentication a =
                    new IpcMessage.Authentication(
                            "1",
                            IpcMessage.IdKey.MID,
                            Tokens.hs256("carol"),
                            List.of(new FileEntry("hello.txt", content.length, null)),
                            "f1",
                            List.of("room:lobby", "label"));
            Response r = call(c, a);
            assertThat(r.ok()).isTrue();
            assertThat(r.idKey()).isEqualTo(IpcMessage.IdKey.MID);
            assertThat(r.messageId()).isEqualTo("1");
            byte[] first = java.util.Arrays.copyOf(content, 10);
            assertThat(call(c, IpcMessages.transfer("2", "chunk-a", first)).offset())
                    .isEqualTo(10L);
            // the client did not see the answer and sends the same chunk again
            assertThat(call(c, IpcMessages.transfer("3", "chunk-a", first)).offset())
                    .isEqualTo(10L);
            Response last =
                    call(
                            c,
                            IpcMessages.transfer(
                                    "4",
                                    "chunk-b",
                                    java.util.Arrays.copyOfRange(content, 10, content.length)));
            assertThat(last.ok()).isTrue();
            assertThat(last.complete()).isTrue();
            Response extra = call(c, IpcMessages.transfer("5", "chunk-c", new byte[] {1}));
            assertThat(extra.ok()).isFalse();
            assertThat(extra.reason()).contains("file too big");
        }
        FileOffer o = awaitOffer("hello.txt");
        assertThat(Files.readString(host.spool().find(o.spoolId()).orElseThrow().path()))
                .isEqualTo("hello, libipc world");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void badTokensAreRefusedAndTheConnectionClosed(Transport t) throws Exception {
        List<String> bad =
                List.of(
                        Tokens.hs256(
                                Tokens.claims("alice")
                                        .expirationTime(
                                                new java.util.Date(
                                                        System.currentTimeMillis() - 3_600_000))
                                        .build()),
                        Tokens.tampered(Tokens.hs256("alice")),
                        Tokens.none("alice"));
        for (String token : bad) {
            try (IpcConnection c = connect(t)) {
                Response r =
                        call(
                                c,
                                IpcMessages.authentication(
                                        "m",
                                        token,
                                        List.of(new FileEntry("x", 1, null)),
                                        "f",
                                        List.of()));
                assertThat(r.ok()).isFalse();
                assertThat(r.reason()).startsWith("bad token");
                assertThat(c.receive(WAIT)).as("closed after a bad token").isNull();
            }
        }
        assertThat(host.metrics().toString()).isNotNull();
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void badNamesOversizeAndUnknownTransfersGetReasons(Transport t) throws Exception {
        String token = Tokens.hs256("dave");
        try (IpcConnection c = connect(t)) {
            Response early = call(c, IpcMessages.transfer("0", "x", new byte[] {1}));
            assertThat(early.ok()).isFalse();
            assertThat(early.reason()).contains("unknown transfer");
            for (String name :
                    List.of(
                            "../../etc/passwd",
                            "a/b",
                            "..",
                            "bell\u0007.txt",
                            "evil\u202Etxt.exe",
                            "line\nbreak",
                            "")) {
                Response r =
                        call(
                                c,
                                IpcMessages.authentication(
                                        "n",
                                        token,
                                        List.of(new FileEntry(name, 1, null)),
                                        "f",
                                        List.of()));
                assertThat(r.ok()).as(name).isFalse();
                assertThat(r.reason()).as(name).startsWith("bad name");
            }
            Response big =
                    call(
                            c,
                            IpcMessages.authentication(
                                    "b",
                                    token,
                                    List.of(new FileEntry("big", 65537, null)),
                                    "f",
                                    List.of()));
            assertThat(big.reason()).startsWith("file too big");
            Response ok =
                    call(
                            c,
                            IpcMessages.authentication(
                                    "o",
                                    token,
                                    List.of(new FileEntry("small", 4, null)),
                                    "f2",
                                    List.of()));
            assertThat(ok.ok()).isTrue();
            Response over = call(c, IpcMessages.transfer("p", "c1", new byte[5], "f2", 0, 0));
            assertThat(over.reason()).contains("file too big");
            Response other = call(c, IpcMessages.transfer("q", "c2", new byte[1], "nope", 0, 0));
            assertThat(other.reason()).contains("unknown transfer");
            // the connection is still usable after these errors
            Response done = call(c, IpcMessages.transfer("r", "c3", new byte[4], "f2", 0, 0));
            assertThat(done.complete()).isTrue();
        }
        assertThat(Files.list(dir).map(Path::getFileName).map(Path::toString))
                .doesNotContain("passwd");
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void garbageDisconnectsOnlyTheBadClient(Transport t) throws Exception {
        Path f = file("ok.bin", 2048, 11);
        try (IpcConnection good = connect(t);
                IpcConnection bad = connect(t)) {
            Response auth =
                    call(
                            good,
                            IpcMessages.authentication(
                                    "1",
                                    Tokens.hs256("erin"),
                                    List.of(new FileEntry("ok.bin", 2048, null)),
                                    "g",
                                    List.of("room:lobby")));
            assertThat(auth.ok()).isTrue();
            // a length field far over the limit
            bad.sendRaw(new byte[] {2, (byte) 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 1});
            IpcFrame err = bad.receive(WAIT);
            assertThat(err).isNotNull();
            assertThat(((Response) json.decode(err)).reason()).contains("bad message");
            assertThat(bad.receive(WAIT)).as("bad client closed").isNull();
            byte[] data = Files.readAllBytes(f);
            assertThat(
                            call(
                                            good,
                                            IpcMessages.transfer(
                                                    "2",
                                                    "a",
                                                    java.util.Arrays.copyOf(data, 1024),
                                                    "g",
                                                    0,
                                                    0))
                                    .ok())
                    .isTrue();
            assertThat(
                            call(
                                            good,
                                            IpcMessages.transfer(
                                                    "3",
                                                    "b",
                                                    java.util.Arrays.copyOfRange(data, 1024, 2048),
                                                    "g",
                                                    0,
                                                    1024))
                                    .complete())
                    .isTrue();
        }
        assertThat(awaitOffer("ok.bin").sha256()).isEqualTo(UploadClient.sha256(f));
        try (IpcConnection json2 = connect(t)) {
            json2.send(
                    IpcFrame.data(
                            IpcFrame.AUTHENTICATION, "{not json".getBytes(StandardCharsets.UTF_8)));
            assertThat(((Response) json.decode(json2.receive(WAIT))).ok()).isFalse();
            assertThat(json2.receive(WAIT)).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void twoClientsUploadAtOnce(Transport t) throws Exception {
        Path a = file("one.bin", 20_000, 21);
        Path b = file("two.bin", 20_000, 22);
        List<CompletableFuture<UploadClient.Result>> runs = new ArrayList<>();
        for (Object[] job : new Object[][] {{a, "frank"}, {b, "grace"}}) {
            runs.add(
                    CompletableFuture.supplyAsync(
                            () -> {
                                try (IpcConnection c = connect(t)) {
                                    return new UploadClient(
                                                    c,
                                                    Tokens.hs256((String) job[1]),
                                                    List.of("room:lobby"),
                                                    1024,
                                                    null)
                                            .upload("same-fid", List.of((Path) job[0]));
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            }));
        }
        for (CompletableFuture<UploadClient.Result> r : runs) {
            assertThat(r.get(20, TimeUnit.SECONDS).complete()).isTrue();
        }
        FileOffer one = awaitOffer("one.bin");
        FileOffer two = awaitOffer("two.bin");
        assertThat(one.sender().id()).isEqualTo("frank");
        assertThat(two.sender().id()).isEqualTo("grace");
        assertThat(one.sha256()).isEqualTo(UploadClient.sha256(a));
        assertThat(two.sha256()).isEqualTo(UploadClient.sha256(b));
        assertThat(one.spoolId()).isNotEqualTo(two.spoolId());
    }

    @ParameterizedTest
    @EnumSource(Transport.class)
    void deliveriesAreRefusedAsUploadsOnly(Transport t) {
        Address lobby = Address.parse("ipcfile:up/room:lobby");
        ChatMessage m =
                new ChatMessage(
                        lobby,
                        Sender.of("x"),
                        "1",
                        "hi",
                        ChatMessage.MessageKind.NORMAL,
                        null,
                        null,
                        null,
                        java.time.Instant.now());
        assertThatThrownBy(
                        () ->
                                session.deliver(
                                                new Delivery(
                                                        1,
                                                        lobby,
                                                        m,
                                                        Address.parse("irc:l/#x"),
                                                        "hi"))
                                        .toCompletableFuture()
                                        .join())
                .hasCauseInstanceOf(DeliveryException.class)
                .hasMessageContaining("uploads only");
    }

    @org.junit.jupiter.api.Test
    void aFileThatDoesNotMatchItsSha256IsRefusedAndCanBeSentAgain() throws Exception {
        byte[] good = "the right bytes".getBytes(StandardCharsets.UTF_8);
        String sha = UploadClient.sha256(Files.write(dir.resolve("good"), good));
        try (IpcConnection c = connect(Transport.TCP)) {
            assertThat(
                            call(
                                            c,
                                            IpcMessages.authentication(
                                                    "1",
                                                    Tokens.hs256("hal"),
                                                    List.of(
                                                            new FileEntry(
                                                                    "s.txt", good.length, sha)),
                                                    "s",
                                                    List.of("room:lobby")))
                                    .ok())
                    .isTrue();
            Response bad =
                    call(
                            c,
                            IpcMessages.transfer(
                                    "2",
                                    "x",
                                    "the wrong bytes".getBytes(StandardCharsets.UTF_8),
                                    "s",
                                    0,
                                    0));
            assertThat(bad.ok()).isFalse();
            assertThat(bad.reason()).contains("sha256 mismatch");
            Response again = call(c, IpcMessages.transfer("3", "y", good, "s", 0, 0));
            assertThat(again.complete()).isTrue();
        }
        assertThat(awaitOffer("s.txt").sha256()).isEqualTo(sha);
    }

    @org.junit.jupiter.api.Test
    void closeRemovesTheSocketFileAndFreesThePort() throws Exception {
        Path socket = session.socketPath();
        InetSocketAddress tcp = session.tcpAddress();
        assertThat(Files.exists(socket)).isTrue();
        IpcConnection idle1 = connect(Transport.SEQPACKET);
        IpcConnection idle2 = connect(Transport.TCP);
        session.close();
        session.close();
        assertThat(Files.exists(socket)).isFalse();
        // the idle clients see the end of their connections and close them, as clients do
        assertThat(sawEnd(idle1)).isTrue();
        assertThat(sawEnd(idle2)).isTrue();
        idle1.close();
        idle2.close();
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .ignoreExceptions()
                .until(
                        () -> {
                            try (ServerSocket s = new ServerSocket()) {
                                s.setReuseAddress(true);
                                s.bind(tcp);
                                return s.isBound();
                            }
                        });
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(
                        () ->
                                Thread.getAllStackTraces().keySet().stream()
                                        .noneMatch(th -> th.getName().startsWith("ipcfile-")));
        assertThat(host.liveTasks()).isZero();
        assertThat(
                        session.deliver(
                                        new Delivery(
                                                2,
                                                Address.parse("ipcfile:up/room:a"),
                                                new ChatMessage(
                                                        Address.parse("ipcfile:up/room:a"),
                                                        Sender.of("x"),
                                                        "1",
                                                        "t",
                                                        ChatMessage.MessageKind.NORMAL,
                                                        null,
                                                        null,
                                                        null,
                                                        java.time.Instant.now()),
                                                Address.parse("irc:l/#x"),
                                                "t"))
                                .toCompletableFuture()
                                .isCompletedExceptionally())
                .isTrue();
    }
}
