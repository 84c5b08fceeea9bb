package dev.sabir.soulseek.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.soulseek.SoulseekConnector;
import dev.sabir.soulseek.server.ServerSession;
import dev.sabir.soulseek.support.Events;
import dev.sabir.soulseek.support.Fixtures;
import dev.sabir.soulseek.support.LiteHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client mode against Sabir's own server mode over loopback. */
class ClientModeTest {
    @TempDir Path tmp;
    LiteHost host;
    int port;
    ServerSession server;
    final Events serverEvents = new Events();
    final List<Session> sessions = new ArrayList<>();
    final SoulseekConnector connector = new SoulseekConnector();

    @BeforeEach
    void start() throws Exception {
        host = new LiteHost(tmp);
        port = Fixtures.freePort();
        server = startServer();
    }

    private ServerSession startServer() throws Exception {
        ServerSession s =
                (ServerSession) connector.open(Fixtures.server("srv", port), host, serverEvents);
        s.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return s;
    }

    private ClientSession client(String user, Events events, String... rooms) throws Exception {
        ClientSession c =
                (ClientSession)
                        connector.open(
                                Fixtures.client(
                                        "c-" + user, port, user, "pw-" + user, List.of(rooms)),
                                host,
                                events);
        sessions.add(c);
        c.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
        return c;
    }

    @AfterEach
    void stop() throws Exception {
        sessions.forEach(Session::close);
        server.close();
        host.close();
    }

    private static Address room(String account, String room) {
        return Address.parse("soulseek:" + account + "/room:" + room);
    }

    private static Delivery chat(Address to, String text) {
        return new Delivery(
                1,
                to,
                ChatMessage.of(to, Sender.of("zed"), "m1", text),
                Address.parse("irc:x/#y"),
                "<zed> " + text);
    }

    @Test
    void roomsMessagesEchoesJoinsAndLeaves() throws Exception {
        Events a = new Events(), b = new Events(), c = new Events();
        ClientSession alice = client("alice", a, "lobby", "music");
        a.await(
                RoomUpdate.class,
                u ->
                        u.change() == RoomUpdate.Change.MEMBERS
                                && u.conversation().id().equals("room:music"));
        client("bob", b, "lobby");
        ClientSession carol = client("carol", c, "music");
        a.await(
                RoomUpdate.class,
                u ->
                        u.change() == RoomUpdate.Change.JOINED
                                && u.member().id().equals("carol")
                                && u.conversation().equals(room("c-alice", "music")));

        alice.deliver(chat(room("c-alice", "lobby"), "hi lobby"))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        ChatMessage atBob = b.await(ChatMessage.class, m -> m.text().equals("<zed> hi lobby"));
        assertThat(atBob.sender()).isEqualTo(Sender.of("alice"));
        assertThat(atBob.conversation()).isEqualTo(room("c-bob", "lobby"));
        // the server's echo reaches alice marked as her own
        ChatMessage echo = a.await(ChatMessage.class, m -> m.text().equals("<zed> hi lobby"));
        assertThat(echo.sender().self()).isTrue();
        // carol is not in the lobby
        carol.deliver(chat(room("c-carol", "music"), "only music"))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        a.await(
                ChatMessage.class,
                m ->
                        m.text().equals("<zed> only music")
                                && m.conversation().id().equals("room:music"));
        assertThat(c.find(ChatMessage.class, m -> m.text().contains("hi lobby"))).isNull();
        assertThat(b.find(ChatMessage.class, m -> m.text().contains("only music"))).isNull();
        // long multi-line text is split into messages the server accepts
        alice.deliver(
                        new Delivery(
                                2,
                                room("c-alice", "lobby"),
                                ChatMessage.of(
                                        room("c-alice", "lobby"), Sender.of("zed"), "m2", "x"),
                                Address.parse("irc:x/#y"),
                                "line one\n" + "z".repeat(3000)))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        b.await(ChatMessage.class, m -> m.text().equals("line one"));
        b.await(ChatMessage.class, m -> m.text().equals("z".repeat(2048)));
        b.await(ChatMessage.class, m -> m.text().equals("z".repeat(952)));

        carol.close();
        a.await(
                RoomUpdate.class,
                u -> u.change() == RoomUpdate.Change.LEFT && u.member().id().equals("carol"));
    }

    @Test
    void privateMessagesBothWaysPresenceAndOfflineDelivery() throws Exception {
        Events a = new Events(), b = new Events();
        ClientSession alice = client("alice", a);
        ClientSession bob = client("bob", b);
        Address aliceToBob = Address.parse("soulseek:c-alice/user:bob");
        alice.join(aliceToBob).toCompletableFuture().get(5, TimeUnit.SECONDS);
        a.await(
                PresenceUpdate.class,
                p -> p.who().id().equals("bob") && p.status() == PresenceUpdate.Status.AVAILABLE);

        alice.deliver(chat(aliceToBob, "psst")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        ChatMessage got = b.await(ChatMessage.class, m -> m.text().equals("<zed> psst"));
        assertThat(got.conversation()).isEqualTo(Address.parse("soulseek:c-bob/user:alice"));
        bob.deliver(chat(got.conversation(), "back"))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        a.await(
                ChatMessage.class,
                m -> m.text().equals("<zed> back") && m.conversation().equals(aliceToBob));
        // acked: nothing left queued on the server
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> host.store().list("pm/").isEmpty());

        bob.close();
        a.await(
                PresenceUpdate.class,
                p -> p.who().id().equals("bob") && p.status() == PresenceUpdate.Status.OFFLINE);
        alice.deliver(chat(aliceToBob, "while you were out"))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        Events b2 = new Events();
        client("bob", b2);
        ChatMessage late =
                b2.await(ChatMessage.class, m -> m.text().equals("<zed> while you were out"));
        assertThat(late.sender().id()).isEqualTo("alice");
        Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> host.store().list("pm/").isEmpty());
    }

    @Test
    void tickersBecomeTheTopic() throws Exception {
        Events a = new Events(), b = new Events();
        ClientSession alice = client("alice", a, "lobby");
        client("bob", b, "lobby");
        Address lobby = room("c-alice", "lobby");
        alice.deliver(
                        new Delivery(
                                3,
                                lobby,
                                RoomUpdate.topic(lobby, Sender.of("zed"), "new wall"),
                                Address.parse("irc:x/#y"),
                                ""))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        RoomUpdate topic =
                b.await(
                        RoomUpdate.class,
                        u ->
                                u.change() == RoomUpdate.Change.TOPIC
                                        && u.detail().contains("new wall"));
        assertThat(topic.detail()).isEqualTo("alice: new wall");
    }

    @Test
    void reconnectsWithBackoffAndRejoins() throws Exception {
        Events a = new Events(), b = new Events();
        client("alice", a, "lobby");
        ClientSession bob = client("bob", b, "lobby");
        server.close();
        a.await(
                SessionState.class,
                s -> s.state() == SessionState.State.CONNECTING && s.reason().contains("retrying"));
        assertThatThrownBy(
                        () ->
                                bob.deliver(chat(room("c-bob", "lobby"), "lost"))
                                        .toCompletableFuture()
                                        .get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(DeliveryException.class);
        server = startServer();
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(
                        () ->
                                a.all().stream()
                                                        .filter(
                                                                e ->
                                                                        e instanceof SessionState s
                                                                                && s.state()
                                                                                        == SessionState
                                                                                                .State
                                                                                                .ONLINE)
                                                        .count()
                                                == 2
                                        && b.all().stream()
                                                        .filter(
                                                                e ->
                                                                        e instanceof SessionState s
                                                                                && s.state()
                                                                                        == SessionState
                                                                                                .State
                                                                                                .ONLINE)
                                                        .count()
                                                == 2);
        Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .until(
                        () -> {
                            bob.deliver(chat(room("c-bob", "lobby"), "back again"));
                            return a.find(
                                            ChatMessage.class,
                                            m -> m.text().equals("<zed> back again"))
                                    != null;
                        });
    }

    @Test
    void kickedWhenTheSameUserLogsInElsewhereAndCloseReleasesTimers() throws Exception {
        Events a = new Events(), a2 = new Events();
        ClientSession first = client("alice", a, "lobby");
        client("alice", a2, "lobby");
        a.await(
                SessionState.class,
                s -> s.state() == SessionState.State.OFFLINE && s.reason().contains("kicked"));
        first.close();
        first.close();
        sessions.forEach(Session::close);
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> host.pendingTasks() == 0);
        assertThatThrownBy(
                        () ->
                                first.deliver(chat(room("c-alice", "lobby"), "x"))
                                        .toCompletableFuture()
                                        .get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DeliveryException.class);
    }

    @Test
    void wrongPasswordFailsConnect() throws Exception {
        Events a = new Events();
        client("alice", a).close();
        ClientSession bad =
                (ClientSession)
                        connector.open(
                                Fixtures.client("bad", port, "alice", "nope", List.of()), host, a);
        sessions.add(bad);
        assertThatThrownBy(() -> bad.connect().toCompletableFuture().get(5, TimeUnit.SECONDS))
                .hasMessageContaining("INVALIDPASS");
    }
}
