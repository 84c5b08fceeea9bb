package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.testkit.servers.Prosody;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smack.xml.SmackXmlParser;
import org.jivesoftware.smack.xml.xpp3.Xpp3XmlPullParserFactory;
import org.jivesoftware.smackx.iqregister.packet.Registration;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.ListSingleFormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The XMPP gateway as a user meets it, Sabir in its own process: a real Prosody, Sabir with only an
 * XMPP component account, and a Smack user {@code xena@localhost} who registers a personal loopback
 * account through the component's XEP-0077 form. The loopback network's people are plain sockets
 * ({@link LineClient}); its 1:1 conversation with {@code bob} is {@code @bob}, which the gateway
 * shows as the puppet JID {@code \40bob%loopback-xena\40localhost@sabir.localhost}.
 *
 * <p>The methods form one story and run in order: register, messages both ways, presence, restart
 * (the account is persisted), unregister (the account and its port are gone, also after another
 * restart).
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class GatewayEndToEndTest {
    private static final String COMPONENT = "sabir.localhost";
    private static final String OWNER = "xena@" + Prosody.DOMAIN;

    /** The personal account's name: protocol, dash, the owner's bare JID. */
    private static final String PERSONAL = "loopback-xena@localhost";

    /** The account part of every puppet's local part ({@code @} escaped as in XEP-0106). */
    private static final String PUPPET_ACCOUNT = "%loopback-xena\\40localhost";

    private static final Duration WAIT = Duration.ofSeconds(15);

    private Prosody prosody;
    private SabirProcess sabir;
    private XMPPTCPConnection xena;
    private int personalPort;
    private final LinkedBlockingQueue<Stanza> fromComponent = new LinkedBlockingQueue<>();
    private final List<Stanza> seen = new ArrayList<>();

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        prosody = Prosody.builder().component(COMPONENT, "gw-secret").start();
        prosody.register("xena", "pw");
        System.out.printf("Prosody up in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        personalPort = SabirProcess.freePort();
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
                """
                                .formatted(prosody.componentAddress(), COMPONENT, Prosody.DOMAIN));
        Files.createDirectories(dir.resolve("plugins"));
        sabir = new SabirProcess(dir.resolve("sabir.yml"), dir.resolve("sabir.log"), admin).start();
        xena = login();
    }

    @AfterAll
    void stop() throws Exception {
        if (sabir != null) {
            sabir.output()
                    .lines()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                    .forEach(l -> System.out.println("sabir log: " + l));
        }
        if (xena != null) {
            xena.disconnect();
        }
        for (AutoCloseable c : new AutoCloseable[] {sabir, prosody}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception e) {
                    System.out.println("closing " + c + ": " + e);
                }
            }
        }
    }

    @Test
    @Order(1)
    void theFormOffersLoopbackAndASubmitStartsThePersonalAccount() throws Exception {
        IQ form = xena.sendIqRequestAndWaitForResponse(registerIq(IQ.Type.get));
        DataForm df = DataForm.from(form);
        assertThat(df).isNotNull();
        assertThat(df.getField("protocol").ifPossibleAs(ListSingleFormField.class).getOptions())
                .anyMatch(o -> "loopback".equals(o.getValueString()));
        assertThat(df.getField("listen")).isNotNull();

        // a required field left out is refused, and nothing is created
        assertThatThrownBy(
                        () -> xena.sendIqRequestAndWaitForResponse(submit(Map.of("nick", "xena"))))
                .isInstanceOfSatisfying(
                        XMPPException.XMPPErrorException.class,
                        e ->
                                assertThat(e.getStanzaError().getCondition())
                                        .isEqualTo(StanzaError.Condition.not_acceptable));
        assertThat(sabir.accountState(PERSONAL)).isNull();

        long t0 = System.nanoTime();
        IQ ok =
                xena.sendIqRequestAndWaitForResponse(
                        submit(Map.of("listen", "127.0.0.1:" + personalPort, "nick", "xena")));
        assertThat(ok.getType()).isEqualTo(IQ.Type.result);
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "online".equals(sabir.accountState(PERSONAL)));
        System.out.printf(
                "personal account online %d ms after the submit%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(sabir.accountState("jabber")).isEqualTo("online");
        // the form now says the user is registered
        assertThat(xena.sendIqRequestAndWaitForResponse(registerIq(IQ.Type.get)).toXML().toString())
                .contains("<registered");
    }

    @Test
    @Order(2)
    void aDirectMessageReachesTheOwnerFromThePuppetAndTheReplyComesBack() throws Exception {
        try (LineClient bob = new LineClient(personalPort, "bob")) {
            long t0 = System.nanoTime();
            bob.say("DM xena hello from loopback");
            bob.await(l -> l.startsWith("OK "));
            Message m = awaitMessage(x -> x.getBody() != null && x.getBody().contains("hello"));
            long t1 = System.nanoTime();
            assertThat(m.getFrom().toString())
                    .isEqualTo("\\40bob" + PUPPET_ACCOUNT + "@" + COMPONENT);
            assertThat(m.getType()).isEqualTo(Message.Type.chat);
            assertThat(m.getBody()).endsWith("hello from loopback");
            System.out.printf("loopback -> XMPP body: '%s'%n", m.getBody());

            Jid puppet = m.getFrom().asBareJid();
            xena.sendStanza(
                    StanzaBuilder.buildMessage()
                            .ofType(Message.Type.chat)
                            .to(puppet)
                            .setBody("reply from xmpp")
                            .build());
            String got = bob.await(l -> l.startsWith("DM ") && l.contains("reply from xmpp"));
            long t2 = System.nanoTime();
            // DM <id> <from nick> <text>: from the owner's nick on the loopback network
            assertThat(got.split(" ", 4)[2]).isEqualTo("xena");
            assertThat(got).endsWith(" reply from xmpp");
            System.out.printf(
                    "loopback -> XMPP %d ms, XMPP -> loopback %d ms%n",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);
        }
    }

    @Test
    @Order(3)
    void aRoomOfThePersonalAccountIsAMucRoomForItsOwner() throws Exception {
        String room = "lobby" + PUPPET_ACCOUNT + "@" + COMPONENT;
        String bobOccupant = room + "/bob (loopback)";
        try (LineClient bob = new LineClient(personalPort, "bob")) {
            bob.join("lobby", "bob");
            bob.say("MSG lobby anyone from xmpp?");
            bob.await(l -> l.startsWith("OK "));

            xena.sendStanza(
                    StanzaBuilder.buildPresence()
                            .to(org.jxmpp.jid.impl.JidCreate.from(room + "/xena"))
                            .addExtension(
                                    new org.jivesoftware.smackx.muc.packet.MUCInitialPresence(
                                            null, -1, -1, -1, null))
                            .build());
            Presence bobThere = awaitPresence(p -> p.getFrom().toString().equals(bobOccupant));
            assertThat(bobThere.getType()).isEqualTo(Presence.Type.available);
            Message history =
                    awaitMessage(
                            m ->
                                    m.getFrom().toString().equals(bobOccupant)
                                            && "anyone from xmpp?".equals(m.getBody()));
            assertThat(history.getType()).isEqualTo(Message.Type.groupchat);

            bob.say("AWAY lunch");
            Presence away =
                    awaitPresence(
                            p ->
                                    p.getFrom().toString().equals(bobOccupant)
                                            && p.getMode() == Presence.Mode.away);
            assertThat(away.getStatus()).isEqualTo("lunch");

            xena.sendStanza(
                    StanzaBuilder.buildMessage()
                            .ofType(Message.Type.groupchat)
                            .to(org.jxmpp.jid.impl.JidCreate.from(room))
                            .setBody("hello lobby")
                            .build());
            assertThat(bob.await(l -> l.startsWith("MSG lobby ") && l.contains("hello lobby")))
                    .endsWith("hello lobby");
        }
    }

    @Test
    @Order(4)
    void afterARestartThePersonalAccountIsBackOnlineAndCarriesMessages() throws Exception {
        assertThat(sabir.stop()).isIn(0, 143);
        long t0 = System.nanoTime();
        sabir.start();
        await().atMost(WAIT)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> "online".equals(sabir.accountState(PERSONAL)));
        System.out.printf(
                "personal account online %d ms after the restart began%n",
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(sabir.output()).contains("restored 1 personal account");
        try (LineClient bob = new LineClient(personalPort, "bob")) {
            bob.say("DM xena after the restart");
            Message m = awaitMessage(x -> x.getBody() != null && x.getBody().contains("restart"));
            assertThat(m.getFrom().toString())
                    .isEqualTo("\\40bob" + PUPPET_ACCOUNT + "@" + COMPONENT);
            xena.sendStanza(
                    StanzaBuilder.buildMessage()
                            .ofType(Message.Type.chat)
                            .to(m.getFrom().asBareJid())
                            .setBody("still here")
                            .build());
            assertThat(bob.await(l -> l.startsWith("DM ") && l.contains("still here")))
                    .endsWith(" xena still here");
        }
    }

    @Test
    @Order(5)
    void unregisteringRemovesTheAccountAndClosesItsPort() throws Exception {
        LineClient bob = new LineClient(personalPort, "bob");
        try {
            Registration remove = new Registration(Map.of("remove", ""));
            remove.setType(IQ.Type.set);
            remove.setTo(JidCreate.from(COMPONENT));
            assertThat(xena.sendIqRequestAndWaitForResponse(remove).getType())
                    .isEqualTo(IQ.Type.result);
            await().atMost(WAIT)
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> sabir.accountState(PERSONAL) == null);
            assertThat(sabir.health()).doesNotContain(PERSONAL);
            // the client connected to it is dropped and the port takes no one new
            assertThatThrownBy(() -> bob.await(l -> false))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("closed");
            assertPortClosed();
        } finally {
            bob.close();
        }
        // and it stays gone across a restart
        assertThat(sabir.stop()).isIn(0, 143);
        sabir.start();
        assertThat(sabir.accountState(PERSONAL)).isNull();
        assertThat(sabir.accountState("jabber")).isEqualTo("online");
        assertPortClosed();
    }

    // ------------------------------------------------------------------ helpers

    private void assertPortClosed() {
        assertThatThrownBy(
                        () -> {
                            try (Socket s = new Socket("127.0.0.1", personalPort)) {
                                s.getInputStream();
                            }
                        })
                .isInstanceOf(IOException.class);
    }

    private XMPPTCPConnection login() throws Exception {
        SmackXmlParser.setXmlPullParserFactory(new Xpp3XmlPullParserFactory());
        XMPPTCPConnection c =
                new XMPPTCPConnection(
                        XMPPTCPConnectionConfiguration.builder()
                                .setXmppAddressAndPassword(OWNER, "pw")
                                .setHost("127.0.0.1")
                                .setPort(prosody.c2sPort())
                                .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled)
                                .setResource("gw")
                                .setConnectTimeout(5000)
                                .build());
        c.setReplyTimeout(10_000);
        c.addSyncStanzaListener(
                s -> {
                    if (s.getFrom() != null
                            && s.getFrom().getDomain().toString().equals(COMPONENT)) {
                        fromComponent.add(s);
                    }
                },
                new org.jivesoftware.smack.filter.OrFilter(
                        StanzaTypeFilter.MESSAGE, StanzaTypeFilter.PRESENCE));
        c.connect().login();
        return c;
    }

    private static Registration registerIq(IQ.Type type) throws Exception {
        Registration r = new Registration();
        r.setType(type);
        r.setTo(JidCreate.from(COMPONENT));
        return r;
    }

    private static Registration submit(Map<String, String> fields) throws Exception {
        DataForm.Builder form =
                DataForm.builder(DataForm.Type.submit)
                        .addField(
                                FormField.hiddenBuilder("FORM_TYPE")
                                        .setValue("jabber:iq:register")
                                        .build())
                        .addField(
                                FormField.textSingleBuilder("protocol")
                                        .setValue("loopback")
                                        .build());
        fields.forEach((k, v) -> form.addField(FormField.textSingleBuilder(k).setValue(v).build()));
        Registration r = registerIq(IQ.Type.set);
        r.addExtension(form.build());
        return r;
    }

    private Message awaitMessage(Predicate<Message> match) {
        return (Message) awaitStanza(s -> s instanceof Message m && match.test(m));
    }

    private Presence awaitPresence(Predicate<Presence> match) {
        return (Presence) awaitStanza(s -> s instanceof Presence p && match.test(p));
    }

    /** Waits for a stanza from the component not taken before; skipped ones stay for later. */
    private Stanza awaitStanza(Predicate<Stanza> match) {
        for (int i = 0; i < seen.size(); i++) {
            if (match.test(seen.get(i))) {
                return seen.remove(i);
            }
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Stanza s;
            try {
                s =
                        fromComponent.poll(
                                Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
            if (s == null) {
                throw new AssertionError(
                        "nothing matching within "
                                + WAIT
                                + "; saw "
                                + seen.stream().map(x -> x.toXML().toString()).toList());
            }
            if (match.test(s)) {
                return s;
            }
            seen.add(s);
        }
    }
}
