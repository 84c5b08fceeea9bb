package dev.sabir.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.api.Typing;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.component.ComponentConnection;
import dev.sabir.xmpp.support.LocalHost;
import dev.sabir.xmpp.support.Sink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.muc.ParticipantStatusListener;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * The component against a real Prosody: handshake, MUC rooms for links, history, errors, reconnect.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ComponentMucTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final AtomicLong ids = new AtomicLong();

    private Prosody prosody;
    private LocalHost host;
    private Sink sink;
    private Session session;
    private Address account;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody = XmppFixture.prosody();
        prosody.register("alice", "pw");
        prosody.register("dave", "pw");
        host = new LocalHost(tmp);
        sink = new Sink();
        var cfg =
                XmppFixture.componentAccount(
                        "comp", prosody, XmppFixture.SECRET, Map.of("history_on_join", 5));
        account = cfg.address();
        session = XmppFixture.open(cfg, host, sink);
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        session.join(account.withId("lobby")).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws Exception {
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

    private Delivery delivery(Address room, Object event, Address source) {
        return new Delivery(
                ids.incrementAndGet(), room, (dev.sabir.api.BridgeEvent) event, source, "");
    }

    private String deliverText(String room, String nick, String text) throws Exception {
        Address src = new Address("irc", "libera", "#sabir");
        ChatMessage cm = ChatMessage.of(src, Sender.of(nick), "m" + ids.incrementAndGet(), text);
        return session.deliver(
                        delivery(
                                account.withId(room),
                                cm.withConversation(account.withId(room)),
                                src))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void componentIsOnlineAndBadSecretFailsClearly() throws Exception {
        assertThat(sink.events())
                .anyMatch(
                        e -> e instanceof SessionState s && s.state() == SessionState.State.ONLINE);
        Sink other = new Sink();
        Session bad =
                XmppFixture.open(
                        XmppFixture.componentAccount("bad", prosody, "wrong", Map.of()),
                        host,
                        other);
        try {
            assertThatThrownBy(() -> bad.connect().toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(ComponentConnection.ComponentRefusedException.class)
                    .hasMessageContaining("not-authorized")
                    .hasMessageContaining("secret");
        } finally {
            bad.close();
        }
    }

    @Test
    void discoListsRoomsAndIdentifiesGateway() throws Exception {
        XMPPTCPConnection alice = XmppFixture.user(prosody, "alice");
        try {
            ServiceDiscoveryManager sdm = ServiceDiscoveryManager.getInstanceFor(alice);
            DiscoverItems items = sdm.discoverItems(JidCreate.from(XmppFixture.COMPONENT));
            assertThat(items.getItems())
                    .anyMatch(
                            i ->
                                    i.getEntityID()
                                            .toString()
                                            .equals("lobby@" + XmppFixture.COMPONENT));
            DiscoverInfo info = sdm.discoverInfo(JidCreate.from(XmppFixture.COMPONENT));
            assertThat(info.hasIdentity("gateway", "sabir")).isTrue();
            assertThat(info.containsFeature("jabber:iq:register")).isTrue();
        } finally {
            alice.disconnect();
        }
    }

    @Test
    void joinSeesRemoteOccupantsHistoryAndSubjectThenMessagesFlowBothWays() throws Exception {
        deliverText("lobby", "bob", "before you came");
        XMPPTCPConnection alice = XmppFixture.user(prosody, "alice");
        try {
            BlockingQueue<Message> got = new LinkedBlockingQueue<>();
            EntityBareJid room = JidCreate.entityBareFrom("lobby@" + XmppFixture.COMPONENT);
            MultiUserChat muc = MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(room);
            muc.addMessageListener(got::add);
            muc.join(
                    muc.getEnterConfigurationBuilder(Resourcepart.from("alice"))
                            .requestMaxStanzasHistory(10)
                            .build());

            assertThat(muc.getOccupants())
                    .anyMatch(j -> j.getResourceOrEmpty().toString().equals("bob (irc)"));
            Message history = got.poll(5, TimeUnit.SECONDS);
            assertThat(history).isNotNull();
            assertThat(history.getBody()).isEqualTo("before you came");
            assertThat(DelayInformation.from(history)).isNotNull();
            sink.awaitEvent(
                    RoomUpdate.class,
                    r ->
                            r.change() == RoomUpdate.Change.JOINED
                                    && r.member().nick().equals("alice"),
                    WAIT);

            // XMPP user -> router, reflected back to the user
            muc.sendMessage("hello bridge");
            ChatMessage in = sink.awaitMessage(m -> m.text().equals("hello bridge"));
            assertThat(in.conversation()).isEqualTo(account.withId("lobby"));
            assertThat(in.sender().nick()).isEqualTo("alice");
            assertThat(in.sender().id()).isEqualTo("alice@localhost");
            assertThat(in.sender().self()).isFalse();
            Message reflected = pollUntil(got, m -> "hello bridge".equals(m.getBody()));
            assertThat(reflected.getFrom().getResourceOrEmpty().toString()).isEqualTo("alice");

            // router -> XMPP user, from the remote sender's occupant JID
            String id = deliverText("lobby", "carol", "hi from irc");
            Message out = pollUntil(got, m -> "hi from irc".equals(m.getBody()));
            assertThat(out.getFrom().toString()).isEqualTo("lobby@sabir.localhost/carol (irc)");
            assertThat(out.getStanzaId()).isEqualTo(id);

            // correction and chat state from the user
            Message fix =
                    muc.buildMessage()
                            .setBody("hello bridge!")
                            .addExtension(new MessageCorrectExtension(in.id()))
                            .build();
            muc.sendMessage(fix);
            ChatMessage edit = sink.awaitMessage(m -> m.text().equals("hello bridge!"));
            assertThat(edit.editOf()).isEqualTo(in.id());
            muc.sendMessage(
                    muc.buildMessage()
                            .addExtension(new ChatStateExtension(ChatState.composing))
                            .build());
            sink.awaitEvent(
                    Typing.class,
                    t -> t.state() == Typing.State.TYPING && t.who().nick().equals("alice"),
                    WAIT);

            // leave
            muc.leave();
            sink.awaitEvent(
                    RoomUpdate.class,
                    r -> r.change() == RoomUpdate.Change.LEFT && r.member().nick().equals("alice"),
                    WAIT);
        } finally {
            alice.disconnect();
        }
    }

    @Test
    void occupantsChangeNickAndANickInUseIsAConflict() throws Exception {
        XMPPTCPConnection alice = XmppFixture.user(prosody, "alice");
        XMPPTCPConnection dave = XmppFixture.user(prosody, "dave");
        try {
            EntityBareJid room = JidCreate.entityBareFrom("lobby@" + XmppFixture.COMPONENT);
            MultiUserChat a = MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(room);
            MultiUserChat d = MultiUserChatManager.getInstanceFor(dave).getMultiUserChat(room);
            a.join(Resourcepart.from("ann"));
            d.join(Resourcepart.from("dan"));
            BlockingQueue<String> renames = new LinkedBlockingQueue<>();
            d.addParticipantStatusListener(
                    new ParticipantStatusListener() {
                        @Override
                        public void nicknameChanged(
                                EntityFullJid participant, Resourcepart newNickname) {
                            renames.add(participant.getResourcepart() + "->" + newNickname);
                        }
                    });

            a.changeNickname(Resourcepart.from("anna"));
            assertThat(a.getNickname()).hasToString("anna");
            assertThat(renames.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("ann->anna");
            await().atMost(WAIT)
                    .untilAsserted(
                            () ->
                                    assertThat(d.getOccupants())
                                            .extracting(j -> j.getResourceOrEmpty().toString())
                                            .contains("anna", "dan")
                                            .doesNotContain("ann"));

            // the network sees the new nick on the next message
            a.sendMessage("renamed " + ids.incrementAndGet());
            ChatMessage m = sink.awaitMessage(x -> x.text().startsWith("renamed "));
            assertThat(m.sender().nick()).isEqualTo("anna");

            // taking a nick in use is refused and the old one stays
            assertThatThrownBy(() -> a.changeNickname(Resourcepart.from("dan")))
                    .isInstanceOfSatisfying(
                            XMPPException.XMPPErrorException.class,
                            e ->
                                    assertThat(e.getStanzaError().getCondition())
                                            .isEqualTo(StanzaError.Condition.conflict));
            assertThat(d.getOccupants())
                    .extracting(j -> j.getResourceOrEmpty().toString())
                    .contains("anna")
                    .doesNotContain("ann");
            a.leave();
            d.leave();
        } finally {
            alice.disconnect();
            dave.disconnect();
        }
    }

    @Test
    void unknownRoomAndNickConflictAreXmppErrors() throws Exception {
        XMPPTCPConnection alice = XmppFixture.user(prosody, "alice");
        XMPPTCPConnection dave = XmppFixture.user(prosody, "dave");
        try {
            MultiUserChat nosuch =
                    MultiUserChatManager.getInstanceFor(alice)
                            .getMultiUserChat(
                                    JidCreate.entityBareFrom("nosuch@" + XmppFixture.COMPONENT));
            assertThatThrownBy(() -> nosuch.join(Resourcepart.from("alice")))
                    .isInstanceOfSatisfying(
                            XMPPException.XMPPErrorException.class,
                            e ->
                                    assertThat(e.getStanzaError().getCondition())
                                            .isEqualTo(StanzaError.Condition.item_not_found));

            EntityBareJid room = JidCreate.entityBareFrom("lobby@" + XmppFixture.COMPONENT);
            MultiUserChat a = MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(room);
            a.join(Resourcepart.from("sam"));
            MultiUserChat d = MultiUserChatManager.getInstanceFor(dave).getMultiUserChat(room);
            assertThatThrownBy(() -> d.join(Resourcepart.from("sam")))
                    .isInstanceOfSatisfying(
                            XMPPException.XMPPErrorException.class,
                            e ->
                                    assertThat(e.getStanzaError().getCondition())
                                            .isEqualTo(StanzaError.Condition.conflict));

            // a message to the room without joining is refused with an error
            Message stray =
                    alice.getStanzaFactory()
                            .buildMessageStanza()
                            .ofType(Message.Type.groupchat)
                            .to(JidCreate.entityBareFrom("lobby@" + XmppFixture.COMPONENT))
                            .setBody("x")
                            .build();
            var collector =
                    dave.createStanzaCollector(
                            s -> s instanceof Message m && m.getType() == Message.Type.error);
            dave.sendStanza(
                    alice.getStanzaFactory()
                            .buildMessageStanza()
                            .ofType(Message.Type.groupchat)
                            .to(room)
                            .setBody("not joined")
                            .build());
            Message err = collector.nextResult(5000);
            collector.cancel();
            assertThat(err).isNotNull();
            assertThat(err.getError().getCondition())
                    .isEqualTo(StanzaError.Condition.not_acceptable);
            assertThat(stray.getBody()).isEqualTo("x");
        } finally {
            alice.disconnect();
            dave.disconnect();
        }
    }

    @Test
    void reconnectsAfterServerRestartAndKeepsMessagesDeliveredMeanwhile() throws Exception {
        long onlineBefore = countOnline();
        prosody.restart();
        // delivered while the component may be offline: kept in the room's history
        deliverText("lobby", "erin", "sent during the restart");
        await().atMost(WAIT).until(() -> countOnline() > onlineBefore);
        XMPPTCPConnection alice = XmppFixture.user(prosody, "alice");
        try {
            BlockingQueue<Message> got = new LinkedBlockingQueue<>();
            MultiUserChat muc =
                    MultiUserChatManager.getInstanceFor(alice)
                            .getMultiUserChat(
                                    JidCreate.entityBareFrom("lobby@" + XmppFixture.COMPONENT));
            muc.addMessageListener(got::add);
            muc.join(
                    muc.getEnterConfigurationBuilder(Resourcepart.from("alice2"))
                            .requestMaxStanzasHistory(5)
                            .build());
            Message m = pollUntil(got, x -> "sent during the restart".equals(x.getBody()));
            assertThat(m.getFrom().getResourceOrEmpty().toString()).isEqualTo("erin (irc)");
            // and live traffic flows again
            deliverText("lobby", "erin", "after the restart");
            pollUntil(got, x -> "after the restart".equals(x.getBody()));
        } finally {
            alice.disconnect();
        }
    }

    private long countOnline() {
        return sink.events().stream()
                .filter(e -> e instanceof SessionState s && s.state() == SessionState.State.ONLINE)
                .count();
    }

    private static Message pollUntil(
            BlockingQueue<Message> q, java.util.function.Predicate<Message> p)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Message m = q.poll(100, TimeUnit.MILLISECONDS);
            if (m != null && p.test(m)) {
                return m;
            }
        }
        throw new AssertionError("no matching message");
    }

    @SuppressWarnings("unused")
    private static List<String> unused() {
        return List.of();
    }
}
