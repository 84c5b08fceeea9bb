package dev.sabir.jabberft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Sender;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import dev.sabir.testkit.servers.Prosody;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proposal's flows between two jabberft components on a real Prosody: component A's account
 * sends files to component B's account over raw TCP data connections.
 */
class FileTransferTest {
    static final String A = "ft-a.localhost";
    static final String B = "ft-b.localhost";
    private static final int PAIRS = 16;
    private static final java.util.concurrent.atomic.AtomicInteger NEXT_PAIR =
            new java.util.concurrent.atomic.AtomicInteger();
    static final String SECRET = "test-secret";
    static final Duration WAIT = Duration.ofSeconds(15);
    private static final AtomicLong IDS = new AtomicLong();

    static Prosody prosody;

    @TempDir Path dir;
    EventLoopGroup loops;
    TestHost hostA;
    TestHost hostB;
    RecordingSink sinkA = new RecordingSink();
    RecordingSink sinkB = new RecordingSink();
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startServer() throws IOException {
        // a fresh pair of component domains per test, so a component stream the server has not
        // finished closing after the previous test can never collide with the next one
        Prosody.Builder b = Prosody.builder();
        for (int i = 0; i < PAIRS; i++) {
            b.component("ft-a" + i + ".localhost", SECRET)
                    .component("ft-b" + i + ".localhost", SECRET);
        }
        prosody = b.start();
    }

    @AfterAll
    static void stopServer() {
        if (prosody != null) {
            prosody.close();
        }
    }

    /** This test's component domains. */
    String compA;

    String compB;

    @BeforeEach
    void hosts() {
        int pair = NEXT_PAIR.getAndIncrement();
        if (pair >= PAIRS) {
            throw new IllegalStateException("more tests than component pairs: raise PAIRS");
        }
        compA = "ft-a" + pair + ".localhost";
        compB = "ft-b" + pair + ".localhost";
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        hostA = new TestHost(dir.resolve("a"), loops);
        hostB = new TestHost(dir.resolve("b"), loops);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        hostA.close();
        hostB.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    Map<String, Object> account(String domain, Integer listenPort) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("server", prosody.componentAddress());
        s.put("domain", domain);
        s.put("secret", SECRET);
        if (listenPort != null) {
            s.put("listen", "127.0.0.1:" + listenPort);
        }
        s.put("timeout_seconds", 5);
        s.put("resume_seconds", 0);
        return s;
    }

    JabberFtSession open(
            String name, TestHost host, RecordingSink sink, Map<String, Object> settings)
            throws Exception {
        JabberFtSession s =
                (JabberFtSession)
                        new JabberFtConnector()
                                .open(
                                        new AccountConfig(name, "jabberft", true, settings),
                                        host,
                                        sink);
        toClose.add(s);
        s.connect().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return s;
    }

    static byte[] content(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Delivers a spooled file from account "a" to B, as the router would. */
    static CompletableFuture<String> offer(
            JabberFtSession from, FileSpool.SpooledFile f, String peer) {
        Address dest = new Address("jabberft", "a", peer);
        FileOffer o =
                new FileOffer(
                        dest,
                        Sender.of("alice@example"),
                        "o-" + f.spoolId(),
                        f.name(),
                        f.size(),
                        f.sha256(),
                        null,
                        f.spoolId());
        Delivery d =
                new Delivery(
                        IDS.incrementAndGet(), dest, o, new Address("loopback", "t", "room"), "");
        return from.deliver(d).toCompletableFuture();
    }

    static DeliveryException failure(CompletableFuture<String> f) throws Exception {
        try {
            f.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c != null && !(c instanceof DeliveryException)) {
                c = c.getCause();
            }
            assertThat(c).as("a DeliveryException, got " + e.getCause()).isNotNull();
            return (DeliveryException) c;
        }
        throw new AssertionError("delivery succeeded but should have failed");
    }

    FileOffer arrived(String sha) throws Exception {
        FileOffer got = sinkB.awaitEvent(FileOffer.class, o -> sha.equals(o.sha256()), WAIT);
        assertThat(got.conversation()).isEqualTo(new Address("jabberft", "b", compA));
        assertThat(got.sender().id()).isEqualTo(compA);
        assertThat(got.sender().self()).isFalse();
        FileSpool.SpooledFile f = hostB.spool().find(got.spoolId()).orElseThrow();
        assertThat(sha256(Files.readAllBytes(f.path()))).isEqualTo(sha);
        return got;
    }

    @Test
    void fileArrivesWithMatchingSha256() throws Exception {
        JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
        open("b", hostB, sinkB, account(compB, 0));
        byte[] data = content(300_000, 1);
        FileSpool.SpooledFile f = hostA.spool().add("photo.jpg", data);

        String sid = offer(a, f, compB).get(WAIT.toSeconds(), TimeUnit.SECONDS);

        FileOffer got = arrived(sha256(data));
        assertThat(got.name()).isEqualTo("photo.jpg");
        assertThat(got.size()).isEqualTo(data.length);
        assertThat(got.offerId()).isEqualTo(sid);
        assertThat(sinkB.events()).filteredOn(FileOffer.class::isInstance).hasSize(1);
    }

    @Test
    void discoAdvertisesTheNamespaceAndPeersWithoutItAreRefused() throws Exception {
        JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
        open("b", hostB, sinkB, account(compB, 0));
        assertThat(a.supports(compB).get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(a.supports(Prosody.DOMAIN).get(10, TimeUnit.SECONDS)).isFalse();

        FileSpool.SpooledFile f = hostA.spool().add("x.bin", content(1000, 2));
        DeliveryException e = failure(offer(a, f, Prosody.DOMAIN));
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).isEqualTo("peer lacks p2p file transfer");
    }

    @Test
    void cutTransferResumesWithAppendWhenOfferedAgain() throws Exception {
        int bPort = Ports.free();
        try (Relay relay = new Relay(bPort)) {
            relay.mode = Relay.Mode.CUT;
            relay.cutAfter = 100_000;
            Map<String, Object> bs = account(compB, bPort);
            bs.put("advertise_port", relay.port());
            JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
            open("b", hostB, sinkB, bs);
            byte[] data = content(400_000, 3);
            FileSpool.SpooledFile f = hostA.spool().add("song.mp3", data);

            DeliveryException cut = failure(offer(a, f, compB));
            assertThat(cut.retryable()).as(cut.getMessage()).isTrue();
            sinkB.awaitEvent(FileProgress.class, p -> p.state() == FileProgress.State.FAILED, WAIT);
            assertThat(sinkB.events()).noneMatch(FileOffer.class::isInstance);

            relay.mode = Relay.Mode.PASS;
            offer(a, f, compB).get(WAIT.toSeconds(), TimeUnit.SECONDS);

            arrived(sha256(data));
            assertThat(relay.headers).hasSize(2);
            assertThat(relay.headers.get(0)).endsWith(" 0");
            long resumedAt = Long.parseLong(relay.headers.get(1).split(" ")[2]);
            assertThat(resumedAt)
                    .as("second connection starts after the bytes already there")
                    .isPositive()
                    .isLessThanOrEqualTo(100_000);
            assertThat(relay.forwarded.get()).isLessThan(2L * data.length - resumedAt + 1);
        }
    }

    @Test
    void receiverAsksForTheRestWithAGetProposal() throws Exception {
        int bPort = Ports.free();
        try (Relay relay = new Relay(bPort)) {
            relay.mode = Relay.Mode.CUT;
            relay.cutAfter = 50_000;
            Map<String, Object> bs = account(compB, bPort);
            bs.put("advertise_port", relay.port());
            bs.put("resume_seconds", 1);
            JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
            open("b", hostB, sinkB, bs);
            byte[] data = content(200_000, 4);
            FileSpool.SpooledFile f = hostA.spool().add("resume.bin", data);

            assertThat(failure(offer(a, f, compB)).retryable()).isTrue();
            // no new offer: B asks A for the rest, A listens (it can) and B connects directly
            FileOffer got = arrived(sha256(data));
            assertThat(got.size()).isEqualTo(data.length);
            assertThat(relay.headers).hasSize(1);
        }
    }

    @Test
    void receiverThatCannotListenSwitchesRoles() throws Exception {
        JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
        JabberFtSession b = open("b", hostB, sinkB, account(compB, null));
        assertThat(b.dataPort()).isZero();
        byte[] data = content(120_000, 5);
        FileSpool.SpooledFile f = hostA.spool().add("switch.bin", data);

        offer(a, f, compB).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        arrived(sha256(data));
    }

    @Test
    void neitherSideListeningFailsPermanently() throws Exception {
        JabberFtSession a = open("a", hostA, sinkA, account(compA, null));
        open("b", hostB, sinkB, account(compB, null));
        FileSpool.SpooledFile f = hostA.spool().add("nope.bin", content(1000, 6));
        DeliveryException e = failure(offer(a, f, compB));
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).contains("neither side can listen");
    }

    @Test
    void receiverAbortsARunningTransfer() throws Exception {
        int bPort = Ports.free();
        try (Relay relay = new Relay(bPort)) {
            relay.mode = Relay.Mode.SLOW;
            Map<String, Object> bs = account(compB, bPort);
            bs.put("advertise_port", relay.port());
            JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
            JabberFtSession b = open("b", hostB, sinkB, bs);
            FileSpool.SpooledFile f = hostA.spool().add("big.bin", content(2_000_000, 7));
            CompletableFuture<String> sending = offer(a, f, compB);

            FileProgress running =
                    sinkB.awaitEvent(
                            FileProgress.class,
                            p -> p.state() == FileProgress.State.TRANSFERRING,
                            WAIT);
            assertThat(b.abort(running.offerId())).isTrue();

            DeliveryException e = failure(sending);
            assertThat(e.retryable()).isFalse();
            assertThat(e.getMessage()).isEqualTo("aborted by peer");
            assertThat(sinkB.events()).noneMatch(FileOffer.class::isInstance);
            assertThat(b.abort(running.offerId())).as("already gone").isFalse();
        }
    }

    @Test
    void senderClosingMidTransferAbortsAtTheReceiver() throws Exception {
        int bPort = Ports.free();
        try (Relay relay = new Relay(bPort)) {
            relay.mode = Relay.Mode.SLOW;
            Map<String, Object> bs = account(compB, bPort);
            bs.put("advertise_port", relay.port());
            JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
            open("b", hostB, sinkB, bs);
            FileSpool.SpooledFile f = hostA.spool().add("big.bin", content(2_000_000, 8));
            CompletableFuture<String> sending = offer(a, f, compB);
            sinkB.awaitEvent(
                    FileProgress.class, p -> p.state() == FileProgress.State.TRANSFERRING, WAIT);

            a.close();

            assertThat(failure(sending).retryable()).isTrue();
            FileProgress failed =
                    sinkB.awaitEvent(
                            FileProgress.class, p -> p.state() == FileProgress.State.FAILED, WAIT);
            assertThat(failed.transferred()).isLessThan(2_000_000);
        }
    }

    @Test
    void proposalOverTheSizeLimitIsDeclinedWithAbort() throws Exception {
        JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
        Map<String, Object> bs = account(compB, 0);
        bs.put("max_file_size", 10_000);
        open("b", hostB, sinkB, bs);
        FileSpool.SpooledFile f = hostA.spool().add("huge.bin", content(20_000, 9));
        DeliveryException e = failure(offer(a, f, compB));
        assertThat(e.retryable()).isFalse();
        assertThat(e.getMessage()).isEqualTo("declined by peer");
    }

    @Test
    void listeningSideSendsTimeoutWhenNobodyConnects() throws Exception {
        int bPort = Ports.free();
        try (Relay relay = new Relay(bPort)) {
            relay.mode = Relay.Mode.BLACKHOLE;
            Map<String, Object> bs = account(compB, bPort);
            bs.put("advertise_port", relay.port());
            bs.put("timeout_seconds", 1);
            JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
            open("b", hostB, sinkB, bs);
            FileSpool.SpooledFile f = hostA.spool().add("lost.bin", content(5000, 10));

            DeliveryException e = failure(offer(a, f, compB));
            assertThat(e.getMessage()).contains("timeout: peer saw no data connection");
            assertThat(e.retryable()).isTrue();
            FileProgress p =
                    sinkB.awaitEvent(
                            FileProgress.class, x -> x.state() == FileProgress.State.FAILED, WAIT);
            assertThat(p.reason()).contains("timeout");
        }
    }

    @Test
    void garbageOnTheDataPortDoesNotHurtOtherTransfers() throws Exception {
        JabberFtSession a = open("a", hostA, sinkA, account(compA, 0));
        JabberFtSession b = open("b", hostB, sinkB, account(compB, 0));
        List<Socket> junk = new ArrayList<>();
        try {
            for (String g :
                    List.of(
                            "GET / HTTP/1.1\r\n\r\n",
                            "SABIRFT/0 nosuchsid 0\n",
                            "x".repeat(500),
                            "\u0000\u0001\u0002")) {
                Socket s = new Socket(InetAddress.getLoopbackAddress(), b.dataPort());
                junk.add(s);
                OutputStream os = s.getOutputStream();
                os.write(g.getBytes(StandardCharsets.ISO_8859_1));
                os.flush();
            }
            byte[] data = content(150_000, 11);
            FileSpool.SpooledFile f = hostA.spool().add("after-garbage.bin", data);
            offer(a, f, compB).get(WAIT.toSeconds(), TimeUnit.SECONDS);
            arrived(sha256(data));
            for (Socket s : junk.subList(0, 3)) {
                s.setSoTimeout(5000);
                int first;
                try {
                    first = s.getInputStream().read();
                } catch (java.net.SocketException reset) {
                    first = -1; // closed with unread junk in its buffer: a reset, same outcome
                }
                assertThat(first).as("garbage connection closed by the receiver").isEqualTo(-1);
            }
        } finally {
            for (Socket s : junk) {
                s.close();
            }
        }
    }

    @Test
    void wrongSecretFailsTheConnection() throws Exception {
        Map<String, Object> s = account(compA, null);
        s.put("secret", "wrong");
        JabberFtSession a =
                (JabberFtSession)
                        new JabberFtConnector()
                                .open(new AccountConfig("a", "jabberft", true, s), hostA, sinkA);
        toClose.add(a);
        assertThatThrownBy(
                        () ->
                                a.connect()
                                        .toCompletableFuture()
                                        .get(WAIT.toSeconds(), TimeUnit.SECONDS))
                .hasMessageContaining("not-authorized");
        a.close();
        assertThat(hostA.liveTasks()).as("no reconnect after a refused handshake").isZero();
    }

    @Test
    void closeReleasesSocketsAndTimers() throws Exception {
        int aPort = Ports.free();
        JabberFtSession a = open("a", hostA, sinkA, account(compA, aPort));
        JabberFtSession b = open("b", hostB, sinkB, account(compB, null));
        byte[] data = content(10_000, 12);
        offer(a, hostA.spool().add("one.bin", data), compB).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        arrived(sha256(data));

        a.close();
        b.close();
        a.close();

        assertThatThrownBy(
                        () ->
                                offer(a, hostA.spool().add("late.bin", data), compB)
                                        .get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DeliveryException.class);
        org.awaitility.Awaitility.await()
                .atMost(WAIT)
                .until(() -> hostA.liveTasks() + hostB.liveTasks() == 0);
        // the data port is free again
        try (java.net.ServerSocket again =
                new java.net.ServerSocket(aPort, 1, InetAddress.getLoopbackAddress())) {
            assertThat(again.getLocalPort()).isEqualTo(aPort);
        }
        // and the component domain can be taken by a new session; B's component is gone, which
        // the server reports as remote-server-timeout: retryable, nothing cached
        JabberFtSession a2 = open("a", hostA, new RecordingSink(), account(compA, 0));
        assertThatThrownBy(() -> a2.supports(compB).get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOfSatisfying(
                        DeliveryException.class, e -> assertThat(e.retryable()).isTrue());
    }
}
