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
import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.FileOffer;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.element.OobElement;
import dev.sabir.xmpp.files.IncomingFiles;
import dev.sabir.xmpp.support.LocalHost;
import dev.sabir.xmpp.support.Sink;
import java.io.File;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
 * Files both ways in MUC rooms, against a real Prosody with its http_file_share service and a
 * WireMock server for the ways downloads fail.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FilesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String PLAIN = "plain.localhost";
    private final AtomicLong ids = new AtomicLong();

    private Prosody prosody;
    private WireMockServer web;
    private LocalHost host;
    private Sink sink;
    private Session session;
    private Session plain;
    private Address account;
    private XMPPTCPConnection alice;
    private MultiUserChat lobby;
    private final BlockingQueue<Message> got = new LinkedBlockingQueue<>();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody =
                Prosody.builder()
                        .component(XmppFixture.COMPONENT, XmppFixture.SECRET)
                        .component(PLAIN, XmppFixture.SECRET)
                        .uploadSizeLimit(1024 * 1024)
                        .start();
        prosody.register("alice", "pw");
        web =
                new WireMockServer(
                        WireMockConfiguration.options().dynamicPort().bindAddress("127.0.0.1"));
        web.start();
        logs.start();
        ((Logger) LoggerFactory.getLogger(IncomingFiles.class)).addAppender(logs);
        host = new LocalHost(tmp);
        sink = new Sink();
        var cfg =
                XmppFixture.componentAccount(
                        "comp",
                        prosody,
                        XmppFixture.SECRET,
                        Map.of(
                                "download_hosts",
                                List.of(
                                        "127.0.0.1:" + prosody.httpPort(),
                                        "127.0.0.1:" + web.port()),
                                "max_download_bytes",
                                1000,
                                "http_timeout_seconds",
                                1,
                                "transfer_timeout_seconds",
                                3,
                                "download_concurrency",
                                8));
        account = cfg.address();
        session = XmppFixture.open(cfg, host, sink);
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        session.join(account.withId("lobby")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        // a second component whose configured upload service does not exist: files fall back to
        // the host's spool link
        plain =
                XmppFixture.open(
                        XmppFixture.componentAccount(
                                "plain",
                                prosody,
                                XmppFixture.SECRET,
                                Map.of("domain", PLAIN, "upload_service", "nosuch.localhost")),
                        host,
                        new Sink());
        plain.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        plain.join(Address.parse("xmpp:plain/hall")).toCompletableFuture().get(5, TimeUnit.SECONDS);

        alice = XmppFixture.user(prosody, "alice");
        lobby = join("lobby@" + XmppFixture.COMPONENT);
    }

    private MultiUserChat join(String room) throws Exception {
        MultiUserChat muc =
                MultiUserChatManager.getInstanceFor(alice)
                        .getMultiUserChat(JidCreate.entityBareFrom(room));
        muc.addMessageListener(got::add);
        muc.join(
                muc.getEnterConfigurationBuilder(Resourcepart.from("alice"))
                        .requestNoHistory()
                        .build());
        return muc;
    }

    @AfterAll
    void stop() throws Exception {
        ((Logger) LoggerFactory.getLogger(IncomingFiles.class)).detachAppender(logs);
        if (alice != null) {
            alice.disconnect();
        }
        for (Session s : new Session[] {session, plain}) {
            if (s != null) {
                s.close();
            }
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

    private String deliverFile(Address room, String name, byte[] data) throws Exception {
        var f = host.spool().put(name, data, "text/plain");
        Address src = new Address("irc", "libera", "#sabir");
        FileOffer fo =
                new FileOffer(
                        room,
                        Sender.of("bob"),
                        "o" + ids.incrementAndGet(),
                        name,
                        f.size(),
                        f.sha256(),
                        "text/plain",
                        f.spoolId());
        session(room)
                .deliver(new Delivery(ids.incrementAndGet(), room, fo, src, ""))
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return f.spoolId();
    }

    private Session session(Address room) {
        return room.account().equals("plain") ? plain : session;
    }

    @Test
    void fileIntoRoomIsUploadedToTheServerAndSentWithOob() throws Exception {
        byte[] data = "the minutes of the meeting\n".repeat(20).getBytes();
        deliverFile(account.withId("lobby"), "minutes.txt", data);
        String base = "http://127.0.0.1:" + prosody.httpPort() + "/";
        Message m = poll(x -> x.getBody() != null && x.getBody().startsWith(base));
        assertThat(m.getFrom().getResourceOrEmpty().toString()).isEqualTo("bob (irc)");
        assertThat(m.getBody()).endsWith("/minutes.txt");
        OobElement oob = m.getExtension(OobElement.class);
        assertThat(oob).isNotNull();
        assertThat(oob.url()).isEqualTo(m.getBody());
        assertThat(XmppFixture.fetch(m.getBody())).isEqualTo(data);
    }

    @Test
    void withoutAWorkingUploadServiceTheSpoolLinkIsSent() throws Exception {
        MultiUserChat hall = join("hall@" + PLAIN);
        try {
            String id =
                    deliverFile(Address.parse("xmpp:plain/hall"), "notes.txt", "hello".getBytes());
            Message m =
                    poll(
                            x ->
                                    x.getFrom().asBareJid().toString().equals("hall@" + PLAIN)
                                            && x.getBody() != null
                                            && x.getBody().contains("/files/"));
            assertThat(m.getBody()).isEqualTo(host.spool().link(id).toString());
            assertThat(m.getExtension(OobElement.class).url()).isEqualTo(m.getBody());
        } finally {
            hall.leave();
        }
    }

    @Test
    void fileUploadedByAnXmppUserIsFetchedIntoTheSpool() throws Exception {
        byte[] data = new byte[700];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        Path file = Files.createTempFile("holiday", ".bin");
        Files.write(file, data);
        URL url;
        try {
            File f = file.toFile();
            url = HttpFileUploadManager.getInstanceFor(alice).uploadFile(f);
        } finally {
            Files.deleteIfExists(file);
        }
        lobby.sendMessage(url.toString());
        FileOffer offer =
                sink.awaitEvent(
                        FileOffer.class, o -> o.name().equals(file.getFileName().toString()), WAIT);
        assertThat(offer.conversation()).isEqualTo(account.withId("lobby"));
        assertThat(offer.sender().id()).isEqualTo("alice@localhost");
        assertThat(offer.size()).isEqualTo(data.length);
        assertThat(Files.readAllBytes(host.spool().find(offer.spoolId()).orElseThrow().path()))
                .isEqualTo(data);
        // the text message itself is relayed too
        sink.awaitMessage(c -> c.text().equals(url.toString()));
    }

    @Test
    void failedDownloadsOfferNothingLogClearlyAndKeepTheSessionWorking() throws Exception {
        String base = "http://127.0.0.1:" + web.port();
        web.stubFor(
                get("/slow.txt").willReturn(aResponse().withFixedDelay(2500).withBody("too late")));
        web.stubFor(
                get("/dribble.txt")
                        .willReturn(
                                aResponse()
                                        .withBody("x".repeat(400))
                                        .withChunkedDribbleDelay(40, 6000)));
        web.stubFor(get("/broken.txt").willReturn(aResponse().withStatus(503)));
        web.stubFor(
                get("/short.txt")
                        .willReturn(
                                aResponse()
                                        .withHeader("Content-Length", "500")
                                        .withBody("only a few bytes")));
        web.stubFor(get("/huge.bin").willReturn(aResponse().withBody(new byte[5000])));
        // no Content-Length (chunked): the limit is enforced while the bytes arrive
        web.stubFor(
                get("/endless.bin")
                        .willReturn(
                                aResponse()
                                        .withBody(new byte[5000])
                                        .withChunkedDribbleDelay(10, 300)));
        web.stubFor(get("/untrusted.txt").willReturn(aResponse().withBody("nope")));
        web.stubFor(
                get("/fine.txt")
                        .willReturn(
                                aResponse()
                                        .withHeader("Content-Type", "text/plain; charset=utf-8")
                                        .withBody("all good")));

        int offersBefore = offers().size();
        for (String path :
                List.of(
                        "/slow.txt",
                        "/dribble.txt",
                        "/broken.txt",
                        "/short.txt",
                        "/huge.bin",
                        "/endless.bin")) {
            lobby.sendMessage("look: " + base + path);
        }
        // a host nobody configured is never contacted, even when it is the same server
        lobby.sendMessage("http://127.0.0.2:" + web.port() + "/untrusted.txt");
        // an OOB link with a non-http scheme is ignored
        Message ftp =
                lobby.buildMessage()
                        .setBody("ftp")
                        .addExtension(new OobElement("ftp://127.0.0.1/x", null))
                        .build();
        lobby.sendMessage(ftp);

        await().atMost(WAIT)
                .untilAsserted(
                        () -> {
                            List<String> lines =
                                    logs.list.stream()
                                            .map(ILoggingEvent::getFormattedMessage)
                                            .toList();
                            assertThat(lines)
                                    .anySatisfy(
                                            l ->
                                                    assertThat(l)
                                                            .contains("/slow.txt")
                                                            .contains("not fetched")
                                                            .containsIgnoringCase("timed out"));
                            assertThat(lines)
                                    .anySatisfy(
                                            l ->
                                                    assertThat(l)
                                                            .contains("/dribble.txt")
                                                            .contains("timed out after 3 s"));
                            assertThat(lines)
                                    .anySatisfy(
                                            l ->
                                                    assertThat(l)
                                                            .contains("/broken.txt")
                                                            .contains("HTTP 503"));
                            assertThat(lines)
                                    .anySatisfy(
                                            l ->
                                                    assertThat(l)
                                                            .contains("/short.txt")
                                                            .contains("not fetched"));
                            assertThat(lines)
                                    .anySatisfy(
                                            l ->
                                                    assertThat(l)
                                                            .contains("/huge.bin")
                                                            .contains("over the limit"));
                            assertThat(lines)
                                    .anySatisfy(
                                            l ->
                                                    assertThat(l)
                                                            .contains("/endless.bin")
                                                            .contains("over the limit"));
                        });
        web.verify(0, getRequestedFor(urlEqualTo("/untrusted.txt")));
        assertThat(offers()).hasSize(offersBefore);

        // the session still works: a good link after all that is fetched
        lobby.sendMessage(base + "/fine.txt");
        FileOffer ok = sink.awaitEvent(FileOffer.class, o -> o.name().equals("fine.txt"), WAIT);
        assertThat(ok.mediaType()).isEqualTo("text/plain");
        assertThat(Files.readString(host.spool().find(ok.spoolId()).orElseThrow().path()))
                .isEqualTo("all good");
        assertThat(offers()).hasSize(offersBefore + 1);
        sink.awaitMessage(c -> c.text().endsWith("/huge.bin"));
    }

    private List<FileOffer> offers() {
        return sink.events().stream()
                .filter(FileOffer.class::isInstance)
                .map(FileOffer.class::cast)
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
