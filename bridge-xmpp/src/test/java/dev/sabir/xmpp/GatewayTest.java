package dev.sabir.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.Gateway;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.Typing;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.element.OobElement;
import dev.sabir.xmpp.element.ReplyElement;
import dev.sabir.xmpp.element.RetractElement;
import dev.sabir.xmpp.gateway.PuppetJids;
import dev.sabir.xmpp.support.LocalHost;
import dev.sabir.xmpp.support.Sink;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.iqregister.packet.Registration;
import org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;

/**
 * The gateway against a real Prosody: registration form, puppet contacts, presence, 1:1 messages,
 * files.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class GatewayTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final AtomicLong ids = new AtomicLong();
    private Prosody prosody;
    private LocalHost host;
    private Sink sink;
    private Session session;
    private XMPPTCPConnection alice;
    private final BlockingQueue<Stanza> inbox = new LinkedBlockingQueue<>();

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody = XmppFixture.prosody();
        prosody.register("alice", "pw");
        prosody.register("mallory", "pw");
        host = new LocalHost(tmp);
        sink = new Sink();
        session =
                XmppFixture.open(
                        XmppFixture.componentAccount(
                                "comp",
                                prosody,
                                XmppFixture.SECRET,
                                Map.of("allow", List.of("alice@localhost"))),
                        host,
                        sink);
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        alice = XmppFixture.user(prosody, "alice");
        alice.addAsyncStanzaListener(
                inbox::add,
                s ->
                        s.getFrom() != null
                                && s.getFrom()
                                        .getDomain()
                                        .toString()
                                        .equals(XmppFixture.COMPONENT));
    }

    @AfterAll
    void stop() throws Exception {
        if (alice != null) {
            alice.disconnect();
        }
        if (session != null) {
            session.close();
        }
        if (host != null) {
            host.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    private static Registration registerIq(IQ.Type type) throws Exception {
        Registration r = new Registration();
        r.setType(type);
        r.setTo(JidCreate.from(XmppFixture.COMPONENT));
        return r;
    }

    private String registerAlice() throws Exception {
        Registration submit = registerIq(IQ.Type.set);
        submit.addExtension(
                DataForm.builder(DataForm.Type.submit)
                        .addField(
                                FormField.hiddenBuilder("FORM_TYPE")
                                        .setValue("jabber:iq:register")
                                        .build())
                        .addField(
                                FormField.textSingleBuilder("protocol")
                                        .setValue("loopback")
                                        .build())
                        .addField(FormField.textSingleBuilder("nick").setValue("alice").build())
                        .build());
        alice.sendIqRequestAndWaitForResponse(submit);
        return "loopback-alice";
    }

    @Test
    void registrationFormListsProtocolsAndSubmitCreatesThePersonalAccount() throws Exception {
        IQ form = alice.sendIqRequestAndWaitForResponse(registerIq(IQ.Type.get));
        DataForm df = DataForm.from(form);
        assertThat(df).isNotNull();
        assertThat(df.getField("protocol")).isNotNull();
        assertThat(df.getField("nick")).isNotNull();
        assertThat(df.getField("password").getType()).isEqualTo(FormField.Type.text_private);

        registerAlice();
        Gateway.PersonalAccount pa = host.gateway().personal("loopback-alice").orElseThrow();
        assertThat(pa.owner()).isEqualTo("alice@localhost");
        assertThat(pa.gatewayAccount()).isEqualTo("comp");

        // refused settings and unknown networks are XMPP errors
        Registration bad = registerIq(IQ.Type.set);
        bad.addExtension(
                DataForm.builder(DataForm.Type.submit)
                        .addField(
                                FormField.textSingleBuilder("protocol").setValue("nosuch").build())
                        .build());
        assertThatThrownBy(() -> alice.sendIqRequestAndWaitForResponse(bad))
                .isInstanceOfSatisfying(
                        XMPPException.XMPPErrorException.class,
                        e ->
                                assertThat(e.getStanzaError().getCondition())
                                        .isEqualTo(StanzaError.Condition.not_acceptable));
    }

    @Test
    void registrationIsRefusedForJidsNotAllowed() throws Exception {
        XMPPTCPConnection mallory = XmppFixture.user(prosody, "mallory");
        try {
            assertThatThrownBy(
                            () -> mallory.sendIqRequestAndWaitForResponse(registerIq(IQ.Type.get)))
                    .isInstanceOfSatisfying(
                            XMPPException.XMPPErrorException.class,
                            e ->
                                    assertThat(e.getStanzaError().getCondition())
                                            .isEqualTo(StanzaError.Condition.forbidden));
        } finally {
            mallory.disconnect();
        }
    }

    @Test
    void contactPresenceAndMessagesFlowBothWays() throws Exception {
        String account = registerAlice();
        Address bob = new Address("loopback", account, "Bob Smith");
        EntityBareJid puppet =
                JidCreate.entityBareFrom(
                        PuppetJids.localpart("Bob Smith", account) + "@" + XmppFixture.COMPONENT);

        // network -> XMPP: a message from the contact (this also teaches the gateway the contact's
        // spelling)
        String id = deliver(bob, ChatMessage.of(bob, Sender.of("Bob Smith"), "n1", "hi alice"));
        Message m = (Message) poll(s -> s instanceof Message x && "hi alice".equals(x.getBody()));
        assertThat(m.getFrom().asBareJid().toString()).isEqualTo(puppet.toString());
        assertThat(m.getType()).isEqualTo(Message.Type.chat);
        assertThat(m.getStanzaId()).isEqualTo(id);

        // subscription: the user subscribes, the puppet approves and reports its presence
        alice.sendStanza(
                alice.getStanzaFactory()
                        .buildPresenceStanza()
                        .ofType(Presence.Type.subscribe)
                        .to(puppet)
                        .build());
        poll(
                s ->
                        s instanceof Presence p
                                && p.getType() == Presence.Type.subscribed
                                && p.getFrom().asBareJid().equals(puppet));
        deliver(
                bob,
                new PresenceUpdate(
                        bob, Sender.of("Bob Smith"), PresenceUpdate.Status.AWAY, "lunch"));
        Presence p =
                (Presence)
                        poll(
                                s ->
                                        s instanceof Presence x
                                                && x.getType() == Presence.Type.available
                                                && x.getFrom().asBareJid().equals(puppet));
        assertThat(p.getMode()).isEqualTo(Presence.Mode.away);
        assertThat(p.getStatus()).isEqualTo("lunch");

        // XMPP -> network: a message to the puppet goes to the personal account's conversation
        alice.sendStanza(
                alice.getStanzaFactory()
                        .buildMessageStanza()
                        .ofType(Message.Type.chat)
                        .to(puppet)
                        .setBody("hello bob")
                        .addExtension(new ReplyElement(puppet.toString(), "n1"))
                        .build());
        ChatMessage out = awaitSent(ChatMessage.class, c -> c.text().equals("hello bob"));
        assertThat(out.conversation()).isEqualTo(bob);
        assertThat(out.sender().id()).isEqualTo("alice@localhost");
        assertThat(out.replyTo()).isEqualTo("n1");

        // correction, retraction and chat state
        alice.sendStanza(
                alice.getStanzaFactory()
                        .buildMessageStanza()
                        .ofType(Message.Type.chat)
                        .to(puppet)
                        .setBody("hello bob!")
                        .addExtension(new MessageCorrectExtension(out.id()))
                        .build());
        assertThat(awaitSent(ChatMessage.class, c -> c.text().equals("hello bob!")).editOf())
                .isEqualTo(out.id());
        alice.sendStanza(
                alice.getStanzaFactory()
                        .buildMessageStanza()
                        .ofType(Message.Type.chat)
                        .to(puppet)
                        .setBody("retracted")
                        .addExtension(new RetractElement(out.id()))
                        .build());
        assertThat(awaitSent(ChatMessage.class, c -> c.isRetraction()).retractOf())
                .isEqualTo(out.id());
        alice.sendStanza(
                alice.getStanzaFactory()
                        .buildMessageStanza()
                        .ofType(Message.Type.chat)
                        .to(puppet)
                        .addExtension(new ChatStateExtension(ChatState.composing))
                        .build());
        awaitSent(Typing.class, t -> t.state() == Typing.State.TYPING);

        // network typing and a correction reach the user
        deliver(bob, new Typing(bob, Sender.of("Bob Smith"), Typing.State.TYPING));
        poll(
                s ->
                        s instanceof Message x
                                && x.getBody() == null
                                && x.hasExtension("http://jabber.org/protocol/chatstates"));
        deliver(
                bob,
                ChatMessage.of(bob, Sender.of("Bob Smith"), "n2", "hi alice!")
                        .withReferences(null, id, null));
        Message fix =
                (Message) poll(s -> s instanceof Message x && "hi alice!".equals(x.getBody()));
        assertThat(MessageCorrectExtension.from(fix).getIdInitialMessage()).isEqualTo(id);
    }

    @Test
    void fileOfferIsUploadedAndSentWithOobAndLinksBackBecomeOffers() throws Exception {
        String account = registerAlice();
        Address bob = new Address("loopback", account, "bob");
        var f =
                host.spool()
                        .put(
                                "notes.txt",
                                "hello file".getBytes(StandardCharsets.UTF_8),
                                "text/plain");
        deliver(
                bob,
                new dev.sabir.api.FileOffer(
                        bob,
                        Sender.of("bob"),
                        "o1",
                        "notes.txt",
                        f.size(),
                        f.sha256(),
                        "text/plain",
                        f.spoolId()));
        // uploaded to the server's XEP-0363 service (Prosody's http_file_share) and sent with OOB
        String base = "http://127.0.0.1:" + prosody.httpPort() + "/";
        Message m =
                (Message)
                        poll(
                                s ->
                                        s instanceof Message x
                                                && x.getBody() != null
                                                && x.getBody().startsWith(base));
        OobElement oob = m.getExtension(OobElement.class);
        assertThat(oob).isNotNull();
        assertThat(oob.url()).isEqualTo(m.getBody());
        assertThat(oob.desc()).isEqualTo("notes.txt");
        assertThat(XmppFixture.fetch(m.getBody()))
                .isEqualTo("hello file".getBytes(StandardCharsets.UTF_8));

        // and the same link sent back by the XMPP user is fetched and offered to the network
        EntityBareJid puppet = m.getFrom().asEntityBareJidIfPossible();
        alice.sendStanza(
                alice.getStanzaFactory()
                        .buildMessageStanza()
                        .ofType(Message.Type.chat)
                        .to(puppet)
                        .setBody(m.getBody())
                        .addExtension(new OobElement(m.getBody(), null))
                        .build());
        dev.sabir.api.FileOffer in =
                awaitSent(dev.sabir.api.FileOffer.class, o -> o.name().equals("notes.txt"));
        assertThat(in.conversation()).isEqualTo(bob);
        assertThat(in.sender().id()).isEqualTo("alice@localhost");
        assertThat(
                        java.nio.file.Files.readAllBytes(
                                host.spool().find(in.spoolId()).orElseThrow().path()))
                .isEqualTo("hello file".getBytes(StandardCharsets.UTF_8));
        assertThat(in.sha256()).isEqualTo(f.sha256());
    }

    @Test
    void messagesToSomeoneElsesPuppetAreForbidden() throws Exception {
        registerAlice();
        XMPPTCPConnection mallory = XmppFixture.user(prosody, "mallory");
        try {
            EntityBareJid puppet =
                    JidCreate.entityBareFrom(
                            PuppetJids.localpart("bob", "loopback-alice")
                                    + "@"
                                    + XmppFixture.COMPONENT);
            var collector =
                    mallory.createStanzaCollector(
                            s -> s instanceof Message x && x.getType() == Message.Type.error);
            mallory.sendStanza(
                    mallory.getStanzaFactory()
                            .buildMessageStanza()
                            .ofType(Message.Type.chat)
                            .to(puppet)
                            .setBody("sneaky")
                            .build());
            Message err = collector.nextResult(5000);
            collector.cancel();
            assertThat(err).isNotNull();
            assertThat(err.getError().getCondition()).isEqualTo(StanzaError.Condition.forbidden);
            assertThat(host.gateway().sent)
                    .noneMatch(
                            e ->
                                    e.getValue() instanceof ChatMessage c
                                            && c.text().equals("sneaky"));
        } finally {
            mallory.disconnect();
        }
    }

    private String deliver(Address dest, BridgeEvent ev) throws Exception {
        return session.deliver(new Delivery(ids.incrementAndGet(), dest, ev, dest, ""))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    private Stanza poll(Predicate<Stanza> p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Stanza s = inbox.poll(100, TimeUnit.MILLISECONDS);
            if (s != null && p.test(s)) {
                return s;
            }
        }
        throw new AssertionError("no matching stanza");
    }

    private <T extends BridgeEvent> T awaitSent(Class<T> type, Predicate<T> p) {
        return await().atMost(WAIT)
                .until(
                        () ->
                                host.gateway().sent.stream()
                                        .map(Map.Entry::getValue)
                                        .filter(type::isInstance)
                                        .map(type::cast)
                                        .filter(p)
                                        .findFirst()
                                        .orElse(null),
                        e -> e != null);
    }
}
