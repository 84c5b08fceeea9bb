package dev.sabir.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.gateway.PuppetJids;
import dev.sabir.xmpp.support.LocalHost;
import dev.sabir.xmpp.support.Sink;
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
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Rooms of personal accounts against a real Prosody: a room conversation becomes a MUC room only
 * its owner sees and joins, with remote members as occupants, history, subject, and the owner's
 * messages going back through the gateway; 1:1 contacts stay puppets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PersonalRoomsTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ACCOUNT = "loopback-alice";
    private final AtomicLong ids = new AtomicLong();
    private Prosody prosody;
    private LocalHost host;
    private Session session;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody = XmppFixture.prosody();
        prosody.register("alice", "pw");
        prosody.register("mallory", "pw");
        host = new LocalHost(tmp);
        session =
                XmppFixture.open(
                        XmppFixture.componentAccount(
                                "comp",
                                prosody,
                                XmppFixture.SECRET,
                                Map.of(
                                        "allow",
                                        List.of("alice@localhost", "mallory@localhost"),
                                        "history_on_join",
                                        5)),
                        host,
                        new Sink());
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        host.gateway().register("comp", "alice@localhost", "loopback", Map.of());
        host.gateway().register("comp", "mallory@localhost", "loopback", Map.of());
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

    private static EntityBareJid jidOf(String id) throws Exception {
        return JidCreate.entityBareFrom(
                PuppetJids.localpart(id, ACCOUNT) + "@" + XmppFixture.COMPONENT);
    }

    @Test
    void roomOfPersonalAccountIsAMucRoomForItsOwnerOnly() throws Exception {
        Address lobby = new Address("loopback", ACCOUNT, "lobby");
        EntityBareJid roomJid = jidOf("lobby");
        // a message from a member (sender id != conversation id) reveals a room
        deliver(lobby, ChatMessage.of(lobby, Sender.of("bob"), "r1", "before you came"));
        deliver(lobby, RoomUpdate.topic(lobby, Sender.of("bob"), "lobby talk"));

        XMPPTCPConnection alice = XmppFixture.user(prosody, "alice");
        XMPPTCPConnection mallory = XmppFixture.user(prosody, "mallory");
        try {
            // listed for the owner, hidden from others
            DiscoverItems items =
                    ServiceDiscoveryManager.getInstanceFor(alice)
                            .discoverItems(JidCreate.from(XmppFixture.COMPONENT));
            assertThat(items.getItems())
                    .anyMatch(i -> i.getEntityID().equals(roomJid) && "lobby".equals(i.getName()));
            DiscoverItems others =
                    ServiceDiscoveryManager.getInstanceFor(mallory)
                            .discoverItems(JidCreate.from(XmppFixture.COMPONENT));
            assertThat(others.getItems()).noneMatch(i -> i.getEntityID().equals(roomJid));

            // the owner joins: remote member as occupant, history and subject
            BlockingQueue<Message> got = new LinkedBlockingQueue<>();
            BlockingQueue<Presence> presences = new LinkedBlockingQueue<>();
            MultiUserChat muc =
                    MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(roomJid);
            muc.addMessageListener(got::add);
            muc.addParticipantListener(presences::add);
            muc.join(
                    muc.getEnterConfigurationBuilder(Resourcepart.from("alice"))
                            .requestMaxStanzasHistory(10)
                            .build());
            assertThat(muc.getOccupants())
                    .anyMatch(j -> j.getResourceOrEmpty().toString().equals("bob (loopback)"));
            Message history = poll(got, m -> "before you came".equals(m.getBody()));
            assertThat(DelayInformation.from(history)).isNotNull();
            await().atMost(WAIT).until(() -> "lobby talk".equals(muc.getSubject()));

            // a member joining shows as an occupant presence
            deliver(lobby, RoomUpdate.joined(lobby, Sender.of("carol")));
            Presence joined =
                    poll(
                            presences,
                            p ->
                                    p.getType() == Presence.Type.available
                                            && p.getFrom()
                                                    .getResourceOrEmpty()
                                                    .toString()
                                                    .equals("carol (loopback)"));
            assertThat(joined.getFrom().asBareJid().toString()).isEqualTo(roomJid.toString());

            // a member's message is groupchat from that occupant
            String id = deliver(lobby, ChatMessage.of(lobby, Sender.of("carol"), "r2", "hi alice"));
            Message live = poll(got, m -> "hi alice".equals(m.getBody()));
            assertThat(live.getType()).isEqualTo(Message.Type.groupchat);
            assertThat(live.getFrom().toString()).isEqualTo(roomJid + "/carol (loopback)");
            assertThat(live.getStanzaId()).isEqualTo(id);

            // the owner's message goes to the personal account's conversation
            muc.sendMessage("hello room");
            Map.Entry<String, BridgeEvent> sent =
                    await().atMost(WAIT)
                            .until(
                                    () ->
                                            host.gateway().sent.stream()
                                                    .filter(
                                                            e ->
                                                                    e.getValue()
                                                                                    instanceof
                                                                                    ChatMessage c
                                                                            && c.text()
                                                                                    .equals(
                                                                                            "hello room"))
                                                    .findFirst()
                                                    .orElse(null),
                                    e -> e != null);
            assertThat(sent.getKey()).isEqualTo("alice@localhost");
            ChatMessage out = (ChatMessage) sent.getValue();
            assertThat(out.conversation()).isEqualTo(lobby);
            assertThat(out.sender().id()).isEqualTo("alice@localhost");
            poll(got, m -> "hello room".equals(m.getBody()));

            // someone else cannot join
            MultiUserChat intruder =
                    MultiUserChatManager.getInstanceFor(mallory).getMultiUserChat(roomJid);
            assertThatThrownBy(() -> intruder.join(Resourcepart.from("mallory")))
                    .isInstanceOfSatisfying(
                            XMPPException.XMPPErrorException.class,
                            e ->
                                    assertThat(e.getStanzaError().getCondition())
                                            .isEqualTo(
                                                    StanzaError.Condition.registration_required));
            muc.leave();
        } finally {
            alice.disconnect();
            mallory.disconnect();
        }
    }

    @Test
    void oneToOneContactsStayPuppets() throws Exception {
        Address dave = new Address("loopback", ACCOUNT, "dave");
        XMPPTCPConnection alice = XmppFixture.user(prosody, "alice");
        try {
            BlockingQueue<Message> got = new LinkedBlockingQueue<>();
            alice.addAsyncStanzaListener(
                    s -> got.add((Message) s),
                    s -> s instanceof Message m && "hi from dave".equals(m.getBody()));
            deliver(dave, ChatMessage.of(dave, Sender.of("dave"), "d1", "hi from dave"));
            Message m = poll(got, x -> true);
            assertThat(m.getType()).isEqualTo(Message.Type.chat);
            assertThat(m.getFrom().asBareJid().toString()).isEqualTo(jidOf("dave").toString());
            EntityBareJid puppet = jidOf("dave");
            DiscoverItems items =
                    ServiceDiscoveryManager.getInstanceFor(alice)
                            .discoverItems(JidCreate.from(XmppFixture.COMPONENT));
            assertThat(items.getItems()).noneMatch(i -> i.getEntityID().equals(puppet));
        } finally {
            alice.disconnect();
        }
    }

    private String deliver(Address dest, BridgeEvent ev) throws Exception {
        return session.deliver(new Delivery(ids.incrementAndGet(), dest, ev, dest, ""))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    private static <T> T poll(BlockingQueue<T> q, Predicate<T> p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            T s = q.poll(100, TimeUnit.MILLISECONDS);
            if (s != null && p.test(s)) {
                return s;
            }
        }
        throw new AssertionError("nothing matching arrived");
    }
}
