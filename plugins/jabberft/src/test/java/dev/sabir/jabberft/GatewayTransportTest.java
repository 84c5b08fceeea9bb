package dev.sabir.jabberft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.DirectFileTransport;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.api.FileTransports;
import dev.sabir.api.Sender;
import dev.sabir.jabberft.codec.FtQuery;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import dev.sabir.testkit.servers.Prosody;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jivesoftware.smack.xml.SmackXmlParser;
import org.jivesoftware.smack.xml.xpp3.Xpp3XmlPullParserFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jabberft account as a {@link DirectFileTransport} for the XMPP gateway: one session with its
 * own registry on a real Prosody, and XMPP users logged in with Smack — one whose client speaks the
 * proposal (a small receiver in {@link FtClient}) and one whose client does not.
 */
class GatewayTransportTest {
    private static final String SECRET = "gw-secret";
    private static final int COMPONENTS = 8;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final AtomicInteger RESOURCES = new AtomicInteger();

    static Prosody prosody;

    @TempDir Path dir;
    EventLoopGroup loops;
    FileTransports registry;
    TestHost host;
    RecordingSink sink = new RecordingSink();
    String domain;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeAll
    static void startServer() throws IOException {
        SmackXmlParser.setXmlPullParserFactory(new Xpp3XmlPullParserFactory());
        // a fresh component domain per test, so a stream Prosody is still closing never collides
        Prosody.Builder b = Prosody.builder();
        for (int i = 0; i < COMPONENTS; i++) {
            b.component("gw" + i + ".localhost", SECRET);
        }
        prosody = b.start();
        prosody.register("carol", "pw");
        prosody.register("dave", "pw");
    }

    @AfterAll
    static void stopServer() {
        if (prosody != null) {
            prosody.close();
        }
    }

    @BeforeEach
    void host() {
        int n = NEXT.getAndIncrement();
        if (n >= COMPONENTS) {
            throw new IllegalStateException("more tests than component domains: raise COMPONENTS");
        }
        domain = "gw" + n + ".localhost";
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        registry = FileTransports.inMemory();
        host = new TestHost(dir.resolve("host"), loops, registry);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        host.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Opens the account; its {@code peers} list names only another gateway. */
    JabberFtSession open() throws Exception {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("server", prosody.componentAddress());
        s.put("domain", domain);
        s.put("secret", SECRET);
        s.put("listen", "127.0.0.1:0");
        s.put("timeout_seconds", 2);
        s.put("resume_seconds", 0);
        s.put("peers", List.of("other-gateway.example"));
        JabberFtSession session =
                (JabberFtSession)
                        new JabberFtConnector()
                                .open(new AccountConfig("gw", "jabberft", true, s), host, sink);
        toClose.add(session);
        session.connect().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        return session;
    }

    FtClient client(String user, boolean speaksFt) throws Exception {
        FtClient c = new FtClient(prosody, user, "r" + RESOURCES.incrementAndGet(), speaksFt);
        toClose.add(c);
        return c;
    }

    /** The one transport in the registry, once the component is online. */
    DirectFileTransport transport() {
        await().atMost(WAIT).until(() -> registry.find(FileTransports.XMPP).size() == 1);
        return registry.find(FileTransports.XMPP).get(0);
    }

    FileOffer spooled(String name, byte[] data) throws Exception {
        FileSpool.SpooledFile f = host.spool().add(name, data);
        return new FileOffer(
                new Address("irc", "libera", "#room"),
                Sender.of("alice"),
                "o-" + f.spoolId(),
                f.name(),
                f.size(),
                f.sha256(),
                null,
                f.spoolId());
    }

    static <T> T get(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    }

    static Throwable failure(CompletionStage<?> stage) throws Exception {
        try {
            stage.toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            while (c.getCause() != null && !(c instanceof DeliveryException)) {
                c = c.getCause();
            }
            return c;
        }
        throw new AssertionError("completed normally but should have failed");
    }

    @Test
    void transportIsRegisteredWhileOnlineAndWithdrawnOnClose() throws Exception {
        JabberFtSession session = open();
        DirectFileTransport t = transport();
        assertThat(t.name()).isEqualTo("jabberft:gw");

        session.close();

        assertThat(registry.find(FileTransports.XMPP)).isEmpty();
        session.close();
        assertThat(registry.find(FileTransports.XMPP)).isEmpty();
        await().atMost(WAIT).until(() -> host.liveTasks() == 0);
    }

    @Test
    void acceptsOnlyClientsThatAdvertiseTheNamespace() throws Exception {
        JabberFtSession session = open();
        FtClient carol = client("carol", true);
        FtClient dave = client("dave", false);
        DirectFileTransport t = transport();

        assertThat(get(t.accepts(carol.jid()))).isTrue();
        assertThat(get(t.accepts(dave.jid()))).isFalse();
        // no such resource: the server answers the disco with an error
        assertThat(get(t.accepts("carol@" + Prosody.DOMAIN + "/gone"))).isFalse();
        assertThat(get(t.accepts("not a jid"))).isFalse();

        session.close();
        assertThat(failure(t.accepts(carol.jid()))).isInstanceOf(DeliveryException.class);
    }

    @Test
    void offeredFileArrivesByteIdenticalWithTheDescription() throws Exception {
        open();
        FtClient carol = client("carol", true);
        byte[] data = FileTransferTest.content(200_000, 21);
        FileOffer offer = spooled("report.pdf", data);

        DirectFileTransport.Transfer tr =
                transport().offer(carol.jid(), offer, "alice on irc sends report.pdf");

        assertThat(get(tr.accepted())).isTrue();
        get(tr.finished());
        assertThat(carol.proposals).hasSize(1);
        FtClient.Proposal p = carol.proposals.get(0);
        assertThat(p.sid()).isEqualTo(tr.id());
        assertThat(p.desc()).isEqualTo("alice on irc sends report.pdf");
        assertThat(p.filename()).isEqualTo("report.pdf");
        assertThat(p.size()).isEqualTo(data.length);
        assertThat(carol.headers).containsExactly("SABIRFT/0 " + tr.id() + " 0");
        assertThat(carol.received.get(tr.id())).isEqualTo(data);
        FileProgress running =
                sink.awaitEvent(
                        FileProgress.class,
                        x -> x.state() == FileProgress.State.TRANSFERRING,
                        WAIT);
        assertThat(running.offerId()).isEqualTo(tr.id());
        assertThat(running.conversation()).isEqualTo(new Address("jabberft", "gw", carol.jid()));
    }

    @Test
    void decliningClientGivesAcceptedFalse() throws Exception {
        open();
        FtClient carol = client("carol", true);
        carol.mode = FtClient.Mode.DECLINE;
        FileOffer offer = spooled("no.bin", FileTransferTest.content(5000, 22));

        DirectFileTransport.Transfer tr = transport().offer(carol.jid(), offer, "x".repeat(3000));

        assertThat(get(tr.accepted())).isFalse();
        assertThat(failure(tr.finished())).hasMessage("declined by peer");
        assertThat(carol.proposals).hasSize(1);
        assertThat(carol.proposals.get(0).desc()).hasSize(FtQuery.MAX_DESC);
        assertThat(carol.headers).isEmpty();
        sink.awaitEvent(
                FileProgress.class,
                x -> x.offerId().equals(tr.id()) && x.state() == FileProgress.State.FAILED,
                WAIT);
    }

    @Test
    void refusingIqErrorCountsAsDeclined() throws Exception {
        open();
        FtClient carol = client("carol", true);
        carol.mode = FtClient.Mode.REFUSE;
        FileOffer offer = spooled("refused.bin", FileTransferTest.content(5000, 25));

        DirectFileTransport.Transfer tr = transport().offer(carol.jid(), offer, "");

        assertThat(get(tr.accepted())).isFalse();
        assertThat(failure(tr.finished())).hasMessageContaining("forbidden");
        assertThat(carol.proposals).hasSize(1);
        assertThat(carol.proposals.get(0).desc()).as("empty description: no <desc/>").isNull();
    }

    @Test
    void clientWithoutTheFeatureFailsTheOfferSoTheGatewayFallsBack() throws Exception {
        open();
        FtClient dave = client("dave", false);
        FileOffer offer = spooled("plain.bin", FileTransferTest.content(5000, 23));

        DirectFileTransport.Transfer tr = transport().offer(dave.jid(), offer, "");

        // an error such as service-unavailable is not a decline: accepted() fails
        assertThat(failure(tr.accepted()))
                .isInstanceOf(DeliveryException.class)
                .hasMessageContaining("service-unavailable");
        assertThat(failure(tr.finished())).isInstanceOf(DeliveryException.class);
    }

    @Test
    void clientThatNeverReadsTheDataFailsWithinTheTimeout() throws Exception {
        open();
        FtClient carol = client("carol", true);
        carol.mode = FtClient.Mode.STALL;
        FileOffer offer = spooled("stuck.bin", FileTransferTest.content(100_000, 24));

        DirectFileTransport.Transfer tr = transport().offer(carol.jid(), offer, "stuck");
        assertThat(get(tr.accepted())).isTrue();
        long start = System.nanoTime();

        Throwable e = failure(tr.finished());

        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertThat(e).isInstanceOf(DeliveryException.class);
        assertThat(e.getMessage()).contains("timeout");
        assertThat(ms).as("configured timeout is 2 s").isLessThan(6_000);
        await().atMost(WAIT).until(() -> carol.aborts.contains(tr.id()));
        assertThat(carol.received).isEmpty();
    }
}
