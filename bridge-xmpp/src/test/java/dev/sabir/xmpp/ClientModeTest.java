package dev.sabir.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.support.LocalHost;
import dev.sabir.xmpp.support.Sink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Client mode (Smack) as a relay account in an existing MUC room on Prosody, and a client-mode
 * account in a room served by the component (the two modes talking through the real server).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientModeTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private Prosody prosody;
    private LocalHost host;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody = XmppFixture.prosody();
        prosody.register("relay", "pw");
        prosody.register("alice", "pw");
        host = new LocalHost(tmp);
    }

    @AfterAll
    void stop() throws Exception {
        if (host != null) {
            host.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    @Test
    void relaysInAProsodyRoomWithoutEchoes() throws Exception {
        Sink sink = new Sink();
        var cfg = XmppFixture.clientAccount("relay", prosody, "relay", "sabir");
        Address room = cfg.address().withId("chat@" + Prosody.MUC);
        Session s = XmppFixture.open(cfg, host, sink);
        XMPPTCPConnection alice = XmppFixture.user(prosody, "alice");
        try {
            s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
            s.join(room).toCompletableFuture().get(10, TimeUnit.SECONDS);
            sink.awaitEvent(
                    SessionState.class, st -> st.state() == SessionState.State.ONLINE, WAIT);

            BlockingQueue<Message> got = new LinkedBlockingQueue<>();
            MultiUserChat muc =
                    MultiUserChatManager.getInstanceFor(alice)
                            .getMultiUserChat(JidCreate.entityBareFrom(room.id()));
            muc.addMessageListener(got::add);
            muc.join(
                    muc.getEnterConfigurationBuilder(Resourcepart.from("alice"))
                            .requestNoHistory()
                            .build());
            sink.awaitEvent(
                    RoomUpdate.class,
                    r ->
                            r.change() == RoomUpdate.Change.JOINED
                                    && r.member().nick().equals("alice"),
                    WAIT);

            muc.sendMessage("hi relay");
            ChatMessage in = sink.awaitMessage(m -> m.text().equals("hi relay"));
            assertThat(in.conversation()).isEqualTo(room);
            assertThat(in.sender().nick()).isEqualTo("alice");

            Address src = new Address("irc", "libera", "#x");
            String id =
                    s.deliver(
                                    new Delivery(
                                            1,
                                            room,
                                            ChatMessage.of(room, Sender.of("bob"), "i1", "yo"),
                                            src,
                                            "<bob> yo"))
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS);
            Message m = poll(got, x -> "<bob> yo".equals(x.getBody()));
            assertThat(m.getFrom().getResourceOrEmpty().toString()).isEqualTo("sabir");
            assertThat(id).isNotBlank();
            // the room reflects our own message; the session must not report it
            Thread.sleep(300);
            assertThat(sink.events())
                    .noneMatch(e -> e instanceof ChatMessage c && c.text().contains("yo"));
        } finally {
            alice.disconnect();
            s.close();
        }
        assertThatThrownBy(
                        () ->
                                s.deliver(
                                                new Delivery(
                                                        2,
                                                        room,
                                                        ChatMessage.of(
                                                                room,
                                                                Sender.of("bob"),
                                                                "i2",
                                                                "late"),
                                                        room,
                                                        "late"))
                                        .toCompletableFuture()
                                        .get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(DeliveryException.class);
    }

    @Test
    void componentRoomAndClientAccountTalkThroughTheServer() throws Exception {
        Sink compSink = new Sink();
        Sink clientSink = new Sink();
        var compCfg = XmppFixture.componentAccount("comp", prosody, XmppFixture.SECRET, Map.of());
        var clientCfg = XmppFixture.clientAccount("relay", prosody, "relay", "relaybot");
        Session comp = XmppFixture.open(compCfg, host, compSink);
        Session client = XmppFixture.open(clientCfg, host, clientSink);
        try {
            comp.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Address compRoom = compCfg.address().withId("hall");
            comp.join(compRoom).toCompletableFuture().get(5, TimeUnit.SECONDS);
            client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
            Address clientRoom = clientCfg.address().withId("hall@" + XmppFixture.COMPONENT);
            client.join(clientRoom).toCompletableFuture().get(10, TimeUnit.SECONDS);

            Address src = new Address("irc", "libera", "#x");
            comp.deliver(
                            new Delivery(
                                    1,
                                    compRoom,
                                    ChatMessage.of(
                                            compRoom, Sender.of("bob"), "a", "from the component"),
                                    src,
                                    ""))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            ChatMessage atClient =
                    clientSink.awaitMessage(m -> m.text().equals("from the component"));
            assertThat(atClient.sender().nick()).isEqualTo("bob (irc)");
            assertThat(atClient.sender().self()).isFalse();

            client.deliver(
                            new Delivery(
                                    2,
                                    clientRoom,
                                    ChatMessage.of(clientRoom, Sender.of("carol"), "b", "x"),
                                    src,
                                    "<carol> from the client"))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            ChatMessage atComp =
                    compSink.awaitMessage(m -> m.text().equals("<carol> from the client"));
            assertThat(atComp.conversation()).isEqualTo(compRoom);
            assertThat(atComp.sender().nick()).isEqualTo("relaybot");
            assertThat(clientSink.events())
                    .noneMatch(
                            e ->
                                    e instanceof ChatMessage c
                                            && c.text().contains("from the client"));
        } finally {
            client.close();
            comp.close();
        }
    }

    private static Message poll(BlockingQueue<Message> q, java.util.function.Predicate<Message> p)
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
}
