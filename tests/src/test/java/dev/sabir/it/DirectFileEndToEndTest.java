package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.testkit.servers.Prosody;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smack.xml.SmackXmlParser;
import org.jivesoftware.smack.xml.xpp3.Xpp3XmlPullParserFactory;
import org.jivesoftware.smackx.iqregister.packet.Registration;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;

/**
 * How a file from another network reaches an XMPP user, Sabir in its own process with a gateway
 * component ({@code sabir.localhost}) and a jabberft component ({@code ft.localhost}) on a real
 * Prosody. Two users registered personal loopback accounts: {@code xena}, whose client advertises
 * Sabir's p2p transfer namespace ({@link P2pReceiver}), and {@code yves}, whose client does not.
 * {@code bob} on the loopback network sends each of them a file: xena's arrives by p2p transfer
 * from the jabberft component, yves's as an HTTP-upload link on Prosody's upload service.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectFileEndToEndTest {
    private static final String GATEWAY = "sabir.localhost";
    private static final String FT = "ft.localhost";
    private static final Duration WAIT = Duration.ofSeconds(20);

    private Prosody prosody;
    private SabirProcess sabir;
    private User xena;
    private User yves;
    private P2pReceiver receiver;

    /** A logged-in XMPP user and what the gateway sent it. */
    private final class User implements AutoCloseable {
        final String name;
        final int loopbackPort;
        final XMPPTCPConnection connection;
        final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
        final List<Message> seen = new ArrayList<>();

        User(String name) throws Exception {
            this.name = name;
            this.loopbackPort = SabirProcess.freePort();
            prosody.register(name, "pw");
            connection =
                    new XMPPTCPConnection(
                            XMPPTCPConnectionConfiguration.builder()
                                    .setXmppAddressAndPassword(name + "@" + Prosody.DOMAIN, "pw")
                                    .setHost("127.0.0.1")
                                    .setPort(prosody.c2sPort())
                                    .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled)
                                    .setResource("desk")
                                    .setConnectTimeout(5000)
                                    .build());
            connection.setReplyTimeout(10_000);
            // the user approves the gateway's presence subscription, as a client asks its user to
            Roster.getInstanceFor(connection)
                    .setSubscriptionMode(Roster.SubscriptionMode.accept_all);
            connection.addSyncStanzaListener(
                    s -> messages.add((Message) s), StanzaTypeFilter.MESSAGE);
        }

        void login() throws Exception {
            connection.connect().login();
        }

        /** Registers a personal loopback account listening on {@link #loopbackPort}. */
        void register() throws Exception {
            DataForm.Builder form =
                    DataForm.builder(DataForm.Type.submit)
                            .addField(
                                    FormField.hiddenBuilder("FORM_TYPE")
                                            .setValue("jabber:iq:register")
                                            .build())
                            .addField(text("protocol", "loopback"))
                            .addField(text("listen", "127.0.0.1:" + loopbackPort))
                            .addField(text("nick", name));
            Registration r = new Registration();
            r.setType(IQ.Type.set);
            r.setTo(JidCreate.from(GATEWAY));
            r.addExtension(form.build());
            assertThat(connection.sendIqRequestAndWaitForResponse(r).getType())
                    .isEqualTo(IQ.Type.result);
            String account = "loopback-" + name + "@" + Prosody.DOMAIN;
            await().atMost(WAIT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> "online".equals(sabir.accountState(account)));
            // the gateway asked for the user's presence and got it
            Roster roster = Roster.getInstanceFor(connection);
            await().atMost(WAIT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(
                            () -> {
                                RosterEntry e = roster.getEntry(JidCreate.bareFrom(GATEWAY));
                                return e != null && e.canSeeMyPresence();
                            });
        }

        /** Waits for a message not taken before; skipped ones stay for later. */
        Message next(Predicate<Message> match) throws InterruptedException {
            for (int i = 0; i < seen.size(); i++) {
                if (match.test(seen.get(i))) {
                    return seen.remove(i);
                }
            }
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                Message m =
                        messages.poll(
                                Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new AssertionError(
                            name
                                    + " got nothing matching within "
                                    + WAIT
                                    + "; saw "
                                    + seen.stream().map(x -> x.toXML().toString()).toList());
                }
                if (match.test(m)) {
                    return m;
                }
                seen.add(m);
            }
        }

        @Override
        public void close() {
            connection.disconnect();
        }
    }

    private static FormField text(String name, String value) {
        return FormField.textSingleBuilder(name).setValue(value).build();
    }

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        SmackXmlParser.setXmlPullParserFactory(new Xpp3XmlPullParserFactory());
        prosody =
                Prosody.builder()
                        .component(GATEWAY, "gw-secret")
                        .component(FT, "ft-secret")
                        .start();
        int admin = SabirProcess.freePort();
        Files.writeString(
                dir.resolve("sabir.yml"),
                SabirProcess.baseConfig(dir, admin, false)
                        + """
                accounts:
                  jabber:
                    plugin: xmpp
                    mode: component
                    server: "%s"
                    domain: %s
                    secret: gw-secret
                    allow: [ %s ]
                  p2p:
                    plugin: jabberft
                    server: "%s"
                    domain: %s
                    secret: ft-secret
                    listen: "127.0.0.1:0"
                    timeout_seconds: 10
                """
                                .formatted(
                                        prosody.componentAddress(),
                                        GATEWAY,
                                        Prosody.DOMAIN,
                                        prosody.componentAddress(),
                                        FT));
        Files.createDirectories(dir.resolve("plugins"));
        sabir = new SabirProcess(dir.resolve("sabir.yml"), dir.resolve("sabir.log"), admin).start();
        await().atMost(WAIT).until(() -> "online".equals(sabir.accountState("p2p")));
        xena = new User("xena");
        receiver = new P2pReceiver(xena.connection);
        xena.login();
        yves = new User("yves");
        yves.login();
        xena.register();
        yves.register();
    }

    @AfterAll
    void stop() throws Exception {
        if (sabir != null) {
            sabir.output()
                    .lines()
                    .filter(
                            l ->
                                    l.contains(" WARN ")
                                            || l.contains(" ERROR ")
                                            || l.contains("d.s.x.")
                                            || l.contains("d.s.j."))
                    .forEach(l -> System.out.println("sabir log: " + l));
        }
        for (AutoCloseable c : new AutoCloseable[] {receiver, xena, yves, sabir, prosody}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.out.println("closing " + c + ": " + e);
                }
            }
        }
    }

    private static byte[] content(String seed, int size) {
        byte[] b = new byte[size];
        byte[] s = seed.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (s[i % s.length] + i / 251);
        }
        return b;
    }

    @Test
    void aClientThatAdvertisesTheNamespaceGetsTheFileByP2pTransfer() throws Exception {
        byte[] bytes = content("memo for xena ", 70_000);
        try (LineClient bob = new LineClient(xena.loopbackPort, "bob")) {
            long t0 = System.nanoTime();
            bob.say("FILE @xena memo.bin " + Base64.getEncoder().encodeToString(bytes));
            bob.await(l -> l.startsWith("OK "));
            P2pReceiver.Received got = receiver.next(WAIT);
            System.out.printf(
                    "loopback file -> XMPP client by p2p transfer: %d bytes in %d ms%n",
                    got.bytes().length, (System.nanoTime() - t0) / 1_000_000);
            assertThat(got.from()).isEqualTo(FT);
            assertThat(got.proposal().get("filename")).isEqualTo("memo.bin");
            assertThat(got.proposal().get("desc")).contains("bob");
            assertThat(got.bytes()).isEqualTo(bytes);
            // the contact's conversation says what is coming
            Message notice =
                    xena.next(m -> m.getBody() != null && m.getBody().contains("memo.bin"));
            assertThat(notice.getFrom().toString()).endsWith("@" + GATEWAY);

            // and no upload link follows: the next thing from bob is his next message
            bob.say("DM xena did it arrive?");
            xena.next(m -> m.getBody() != null && m.getBody().contains("did it arrive?"));
            assertThat(xena.seen)
                    .noneMatch(m -> m.getBody() != null && m.getBody().contains("http"));
        }
    }

    @Test
    void registrationsLeaveNoFormWarningsInTheLog() throws Exception {
        // both users registered in start(); Smack knows the form's fields, so it parsed them
        // quietly
        assertThat(sabir.output()).contains("registered loopback account loopback-yves@localhost");
        assertThat(sabir.output().lines().filter(l -> l.contains(" WARN ")))
                .noneMatch(l -> l.contains("DataFormProvider"));
    }

    @Test
    void aClientWithoutItGetsAnHttpUploadLink() throws Exception {
        byte[] bytes = content("notes for yves ", 20_000);
        try (LineClient bob = new LineClient(yves.loopbackPort, "bob")) {
            bob.say("FILE @yves notes.bin " + Base64.getEncoder().encodeToString(bytes));
            bob.await(l -> l.startsWith("OK "));
            Message link = yves.next(m -> m.getBody() != null && m.getBody().startsWith("http"));
            assertThat(link.getFrom().toString()).endsWith("@" + GATEWAY);
            assertThat(link.getBody())
                    .startsWith("http://127.0.0.1:" + prosody.httpPort() + "/")
                    .endsWith("notes.bin");
            HttpResponse<byte[]> r =
                    HttpClient.newHttpClient()
                            .send(
                                    HttpRequest.newBuilder(URI.create(link.getBody()))
                                            .timeout(WAIT)
                                            .build(),
                                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo(bytes);
            assertThat(receiver.proposals().values())
                    .noneMatch(p -> "notes.bin".equals(p.get("filename")));
        }
    }
}
