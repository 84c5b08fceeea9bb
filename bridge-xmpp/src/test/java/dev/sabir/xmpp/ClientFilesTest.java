package dev.sabir.xmpp;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.FileOffer;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.element.OobElement;
import dev.sabir.xmpp.files.IncomingFiles;
import dev.sabir.xmpp.support.LocalHost;
import dev.sabir.xmpp.support.Sink;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.httpfileupload.HttpFileUploadManager;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.slf4j.LoggerFactory;

/**
 * Files in client mode, both ways, against a real Prosody with its http_file_share service: the
 * relay account uploads offers with its own connection, and fetches what occupants upload.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientFilesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final AtomicLong ids = new AtomicLong();
    private final BlockingQueue<Message> got = new LinkedBlockingQueue<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private Prosody prosody;
    private WireMockServer web;
    private LocalHost host;
    private Sink sink;
    private Session relay;
    private Address room;
    private XMPPTCPConnection alice;
    private MultiUserChat chat;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody = XmppFixture.prosody();
        for (String u : List.of("relay", "plain", "slow", "alice")) {
            prosody.register(u, "pw");
        }
        web =
                new WireMockServer(
                        WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        web.start();
        logs.start();
        ((Logger) LoggerFactory.getLogger(IncomingFiles.class)).addAppender(logs);
        host = new LocalHost(tmp);
        sink = new Sink();
        AccountConfig cfg =
                account(
                        "relay",
                        Map.of(
                                "download_hosts",
                                List.of("127.0.0.1:" + prosody.httpPort()),
                                "max_download_bytes",
                                1000));
        room = cfg.address().withId("chat@" + Prosody.MUC);
        relay = XmppFixture.open(cfg, host, sink);
        relay.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        relay.join(room).toCompletableFuture().get(10, TimeUnit.SECONDS);
        alice = XmppFixture.user(prosody, "alice");
        chat = join("chat@" + Prosody.MUC);
    }

    @AfterAll
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(IncomingFiles.class)).detachAppender(logs);
        if (alice != null) {
            alice.disconnect();
        }
        if (relay != null) {
            relay.close();
        }
        if (host != null) {
            host.close();
        }
        if (web != null) {
            web.stop();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    private AccountConfig account(String user, Map<String, Object> extra) {
        AccountConfig base = XmppFixture.clientAccount(user, prosody, user, user + "bot");
        Map<String, Object> s = new LinkedHashMap<>(base.settings());
        s.put("http_timeout_seconds", 2);
        s.put("transfer_timeout_seconds", 5);
        s.putAll(extra);
        return new AccountConfig(base.name(), "xmpp", true, s);
    }

    private MultiUserChat join(String jid) throws Exception {
        MultiUserChat muc =
                MultiUserChatManager.getInstanceFor(alice)
                        .getMultiUserChat(JidCreate.entityBareFrom(jid));
        muc.addMessageListener(got::add);
        muc.join(
                muc.getEnterConfigurationBuilder(Resourcepart.from("alice"))
                        .requestNoHistory()
                        .build());
        return muc;
    }

    private String deliverFile(Session s, Address to, String name, byte[] data, String text)
            throws Exception {
        var f = host.spool().put(name, data, "application/octet-stream");
        FileOffer fo =
                new FileOffer(
                        to,
                        Sender.of("bob"),
                        "o" + ids.incrementAndGet(),
                        name,
                        f.size(),
                        f.sha256(),
                        "application/octet-stream",
                        f.spoolId());
        String id =
                s.deliver(
                                new Delivery(
                                        ids.incrementAndGet(),
                                        to,
                                        fo,
                                        new Address("irc", "libera", "#sabir"),
                                        text))
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
        assertThat(id).isNotBlank();
        return f.spoolId();
    }

    /** What alice uploads to the server herself, as her client would. */
    private URL upload(String name, byte[] data) throws Exception {
        Path dir = Files.createTempDirectory("alice");
        Path file = dir.resolve(name);
        Files.write(file, data);
        try {
            return HttpFileUploadManager.getInstanceFor(alice).uploadFile(file.toFile());
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
    }

    private void sendWithOob(MultiUserChat muc, String url) throws Exception {
        muc.sendMessage(
                muc.buildMessage().setBody(url).addExtension(new OobElement(url, null)).build());
    }

    private static byte[] bytes(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * seed);
        }
        return b;
    }

    @Test
    void offerIsUploadedWithTheAccountsConnectionAndSentWithOob() throws Exception {
        byte[] data = bytes(1500, 7);
        deliverFile(relay, room, "report.bin", data, "<bob> report.bin");
        String base = "http://127.0.0.1:" + prosody.httpPort() + "/";
        Message intro = poll(x -> "<bob> report.bin".equals(x.getBody()));
        assertThat(intro.getFrom().getResourceOrEmpty().toString()).isEqualTo("relaybot");
        Message m =
                poll(
                        x ->
                                x.getBody() != null
                                        && x.getBody().endsWith("report.bin")
                                        && x.getFrom()
                                                .getResourceOrEmpty()
                                                .toString()
                                                .equals("relaybot"));
        assertThat(m.getBody()).startsWith(base);
        assertThat(m.getBody()).endsWith("/report.bin");
        OobElement oob = m.getExtension(OobElement.class);
        assertThat(oob).isNotNull();
        assertThat(oob.url()).isEqualTo(m.getBody());
        assertThat(XmppFixture.fetch(m.getBody())).isEqualTo(data);
        // the room reflects the link: the session reports neither a message nor a file for it
        assertThat(sink.events())
                .noneMatch(e -> e instanceof FileOffer f && f.name().equals("report.bin"));
    }

    @Test
    void withUploadsOffTheSpoolLinkGoesOut() throws Exception {
        AccountConfig cfg = account("plain", Map.of("upload_service", "none"));
        Address side = cfg.address().withId("side@" + Prosody.MUC);
        Session plain = XmppFixture.open(cfg, host, new Sink());
        MultiUserChat sideRoom = null;
        try {
            plain.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
            plain.join(side).toCompletableFuture().get(10, TimeUnit.SECONDS);
            sideRoom = join(side.id());
            String id = deliverFile(plain, side, "notes.txt", "hello".getBytes(), "");
            String link = host.spool().link(id).toString();
            Message m =
                    poll(
                            x ->
                                    x.getFrom().asBareJid().toString().equals(side.id())
                                            && link.equals(x.getBody()));
            assertThat(m.getExtension(OobElement.class).url()).isEqualTo(link);
        } finally {
            if (sideRoom != null) {
                sideRoom.leave();
            }
            plain.close();
        }
    }

    @Test
    void fileOverTheServicesLimitFallsBackToTheSpoolLink() throws Exception {
        // Prosody's limit is 1 MiB: the upload is refused before any bytes are sent
        String id = deliverFile(relay, room, "huge.bin", new byte[1024 * 1024 + 1], "");
        String link = host.spool().link(id).toString();
        Message m = poll(x -> link.equals(x.getBody()));
        assertThat(m.getFrom().getResourceOrEmpty().toString()).isEqualTo("relaybot");
        assertThat(m.getExtension(OobElement.class).url()).isEqualTo(link);
    }

    @Test
    void occupantsUploadBecomesAnOfferAndUntrustedHostsAreNotContacted() throws Exception {
        web.stubFor(get("/elsewhere.txt").willReturn(aResponse().withBody("nope")));
        String untrusted = "http://127.0.0.1:" + web.port() + "/elsewhere.txt";
        sendWithOob(chat, untrusted);

        byte[] data = bytes(700, 31);
        URL url = upload("holiday.bin", data);
        sendWithOob(chat, url.toString());
        FileOffer offer =
                sink.awaitEvent(FileOffer.class, o -> o.name().equals("holiday.bin"), WAIT);
        assertThat(offer.conversation()).isEqualTo(room);
        assertThat(offer.sender().nick()).isEqualTo("alice");
        assertThat(offer.sender().self()).isFalse();
        assertThat(offer.size()).isEqualTo(data.length);
        assertThat(Files.readAllBytes(host.spool().find(offer.spoolId()).orElseThrow().path()))
                .isEqualTo(data);
        // the text is still reported, for both messages
        sink.awaitMessage(c -> c.text().equals(url.toString()));
        sink.awaitMessage(c -> c.text().equals(untrusted));
        // the untrusted link came first and was decided on before the good one was fetched
        web.verify(0, getRequestedFor(urlEqualTo("/elsewhere.txt")));
        assertThat(sink.events())
                .noneMatch(e -> e instanceof FileOffer f && f.name().equals("elsewhere.txt"));
    }

    @Test
    void oversizeLinkIsRefusedButTheTextIsReported() throws Exception {
        URL url = upload("big.bin", bytes(2000, 3));
        // a plain body that is just the link counts as a file link too
        chat.sendMessage(url.toString());
        ChatMessage text = sink.awaitMessage(c -> c.text().equals(url.toString()));
        assertThat(text.conversation()).isEqualTo(room);
        await().atMost(WAIT)
                .untilAsserted(
                        () ->
                                assertThat(logs.list)
                                        .map(ILoggingEvent::getFormattedMessage)
                                        .anySatisfy(
                                                l ->
                                                        assertThat(l)
                                                                .contains("/big.bin")
                                                                .contains("over the limit")));
        assertThat(sink.events())
                .noneMatch(e -> e instanceof FileOffer f && f.name().equals("big.bin"));
    }

    @Test
    void closingCancelsADownloadInFlightAndLeavesNoThreads() throws Exception {
        web.stubFor(
                get("/slow.bin")
                        .willReturn(
                                aResponse()
                                        .withBody(new byte[400])
                                        .withChunkedDribbleDelay(40, 4000)));
        Sink slowSink = new Sink();
        AccountConfig cfg =
                account("slow", Map.of("download_hosts", List.of("127.0.0.1:" + web.port())));
        Address hall = cfg.address().withId("slowhall@" + Prosody.MUC);
        Session s = XmppFixture.open(cfg, host, slowSink);
        MultiUserChat hallRoom = null;
        try {
            s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
            s.join(hall).toCompletableFuture().get(10, TimeUnit.SECONDS);
            hallRoom = join(hall.id());
            hallRoom.sendMessage("http://127.0.0.1:" + web.port() + "/slow.bin");
            await().atMost(WAIT)
                    .until(() -> !web.findAll(getRequestedFor(urlEqualTo("/slow.bin"))).isEmpty());
            assertThat(threads("sabir-xmpp-slow-http")).isNotEmpty();
        } finally {
            if (hallRoom != null) {
                hallRoom.leave();
            }
            s.close();
        }
        await().atMost(WAIT).until(() -> threads("sabir-xmpp-slow-http").isEmpty());
        assertThat(slowSink.events()).noneMatch(FileOffer.class::isInstance);
    }

    private static List<String> threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .map(Thread::getName)
                .filter(n -> n.startsWith(prefix))
                .toList();
    }

    private Message poll(Predicate<Message> p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Message m = got.poll(100, TimeUnit.MILLISECONDS);
            if (m != null && p.test(m)) {
                return m;
            }
        }
        throw new AssertionError("no matching message");
    }
}
