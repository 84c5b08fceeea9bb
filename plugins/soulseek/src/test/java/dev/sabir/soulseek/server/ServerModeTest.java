package dev.sabir.soulseek.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.soulseek.SoulseekConnector;
import dev.sabir.soulseek.codec.ServerMessage.*;
import dev.sabir.soulseek.codec.ServerMessages;
import dev.sabir.soulseek.support.Events;
import dev.sabir.soulseek.support.Fixtures;
import dev.sabir.soulseek.support.LiteHost;
import dev.sabir.soulseek.support.RawClient;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Server mode against raw clients speaking the wire protocol. */
class ServerModeTest {
    @TempDir Path tmp;
    LiteHost host;
    Events events = new Events();
    ServerSession server;
    InetSocketAddress addr;

    @BeforeEach
    void start() throws Exception {
        host = new LiteHost(tmp);
        int port = Fixtures.freePort();
        server =
                (ServerSession)
                        new SoulseekConnector().open(Fixtures.server("srv", port), host, events);
        server.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
        addr = new InetSocketAddress("127.0.0.1", port);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        host.close();
    }

    @Test
    void registersOnFirstLoginStoresPbkdf2AndChecksThePasswordLater() throws Exception {
        try (RawClient c = new RawClient(addr)) {
            c.send(ServerMessages.login("alice", "secret"));
            LoginReply r = c.expect(LoginReply.class, x -> true);
            assertThat(r.ok()).isTrue();
            assertThat(r.passwordHash()).isEqualTo(ServerMessages.md5Hex("secret"));
            assertThat(r.ip()).isEqualTo(0x7f000001);
            RoomList list = c.expect(RoomList.class, x -> true);
            assertThat(list.rooms()).contains("lobby");
        }
        String stored = host.store().get("account/alice").orElseThrow();
        assertThat(stored).startsWith("pbkdf2-sha256$1000$").doesNotContain("secret");
        try (RawClient c = new RawClient(addr)) {
            c.send(ServerMessages.login("alice", "wrong"));
            LoginReply r = c.expect(LoginReply.class, x -> true);
            assertThat(r.ok()).isFalse();
            assertThat(r.reason()).isEqualTo("INVALIDPASS");
            assertTrue(c.closedWithin(2000));
        }
    }

    @Test
    void joinOrderRoomMessagesToEveryoneAndEvents() throws Exception {
        try (RawClient a = RawClient.login(addr, "alice", "pw");
                RawClient b = RawClient.login(addr, "bob", "pw")) {
            a.send(ServerMessages.joinRoom("lobby"));
            a.expect(RoomTickers.class, x -> x.room().equals("lobby"));
            b.send(ServerMessages.joinRoom("lobby"));
            // joiner sees: UserJoinedRoom (itself), then JoinRoom with members, then RoomTickers
            UserJoinedRoom self = b.expect(UserJoinedRoom.class, x -> true);
            assertThat(self.user()).isEqualTo("bob");
            FromServer next = b.next();
            assertThat(next).isInstanceOf(JoinRoomReply.class);
            assertThat(((JoinRoomReply) next).members())
                    .extracting(RoomMember::user)
                    .containsExactly("alice", "bob");
            assertThat(b.next()).isInstanceOf(RoomTickers.class);
            a.expect(UserJoinedRoom.class, x -> x.user().equals("bob"));

            b.send(ServerMessages.say("lobby", "hello all"));
            assertThat(a.expect(ChatRoomMessage.class, x -> true))
                    .isEqualTo(new ChatRoomMessage("lobby", "bob", "hello all"));
            assertThat(b.expect(ChatRoomMessage.class, x -> true).user()).isEqualTo("bob");
            ChatMessage ev = events.await(ChatMessage.class, m -> m.text().equals("hello all"));
            assertThat(ev.conversation()).isEqualTo(Address.parse("soulseek:srv/room:lobby"));
            assertThat(ev.sender().self()).isFalse();

            b.send(new LeaveRoom("lobby"));
            b.expect(LeaveRoomReply.class, x -> x.room().equals("lobby"));
            a.expect(UserLeftRoom.class, x -> x.user().equals("bob"));
            events.await(
                    RoomUpdate.class,
                    u -> u.change() == RoomUpdate.Change.LEFT && u.member().id().equals("bob"));
        }
    }

    @Test
    void limitsComeBackAsAdminMessages() throws Exception {
        try (RawClient a = RawClient.login(addr, "alice", "pw")) {
            a.send(ServerMessages.joinRoom(" bad"));
            assertThat(a.expect(AdminMessage.class, x -> true).message()).contains("spaces");
            a.send(ServerMessages.joinRoom("a  b"));
            a.expect(AdminMessage.class, x -> x.message().contains("spaces"));
            a.send(ServerMessages.joinRoom("x".repeat(25)));
            a.expect(AdminMessage.class, x -> x.message().contains("24"));
            a.send(ServerMessages.joinRoom("caf\u00e9"));
            a.expect(AdminMessage.class, x -> x.message().contains("ASCII"));
            a.send(ServerMessages.joinRoom("lobby"));
            a.expect(RoomTickers.class, x -> true);
            a.send(ServerMessages.say("lobby", "two\nlines"));
            a.expect(AdminMessage.class, x -> x.message().contains("line breaks"));
            a.send(ServerMessages.say("lobby", "y".repeat(2049)));
            a.expect(AdminMessage.class, x -> x.message().contains("2048"));
            a.send(ServerMessages.say("lobby", "fine"));
            assertThat(a.expect(ChatRoomMessage.class, x -> true).message()).isEqualTo("fine");
        }
    }

    @Test
    void privateMessagesQueueForOfflineUsersUntilAcked() throws Exception {
        try (RawClient bob = RawClient.login(addr, "bob", "pw")) {
            bob.send(ServerMessages.setListenPort(1234));
        }
        try (RawClient a = RawClient.login(addr, "alice", "pw")) {
            a.send(ServerMessages.messageUser("bob", "while you were away"));
            a.send(ServerMessages.messageUser("nobody", "hi"));
            a.expect(AdminMessage.class, x -> x.message().contains("nobody"));
        }
        int id;
        try (RawClient bob = RawClient.login(addr, "bob", "pw")) {
            PrivateMessage pm = bob.expect(PrivateMessage.class, x -> true);
            assertThat(pm.user()).isEqualTo("alice");
            assertThat(pm.message()).isEqualTo("while you were away");
            id = pm.id();
            // not acknowledged: comes again next time
        }
        try (RawClient bob = RawClient.login(addr, "bob", "pw")) {
            PrivateMessage pm = bob.expect(PrivateMessage.class, x -> true);
            assertThat(pm.id()).isEqualTo(id);
            bob.send(new MessageAcked(id));
            bob.send(new GetUserStatus("bob"));
            bob.expect(UserStatus.class, x -> true);
        }
        try (RawClient bob = RawClient.login(addr, "bob", "pw")) {
            bob.send(new GetUserStatus("alice"));
            bob.expect(UserStatus.class, x -> x.user().equals("alice"));
            assertThat(bob.seen).noneMatch(m -> m instanceof PrivateMessage);
        }
    }

    @Test
    void peerAddressConnectToPeerAndCannotConnectAreRelayed() throws Exception {
        try (RawClient a = RawClient.login(addr, "alice", "pw");
                RawClient b = RawClient.login(addr, "bob", "pw")) {
            a.send(ServerMessages.setListenPort(5555));
            b.send(ServerMessages.setListenPort(6666));
            b.send(
                    new GetUserStatus(
                            "bob")); // a round trip: the port is registered once this answers
            b.expect(UserStatus.class, x -> true);
            a.send(new GetPeerAddress("bob"));
            PeerAddress pa = a.expect(PeerAddress.class, x -> true);
            assertThat(pa.port()).isEqualTo(6666);
            assertThat(pa.ip()).isEqualTo(0x7f000001);
            a.send(new ConnectToPeer(77, "bob", "P"));
            ConnectToPeerRequest req = b.expect(ConnectToPeerRequest.class, x -> true);
            assertThat(req.user()).isEqualTo("alice");
            assertThat(req.port()).isEqualTo(5555);
            assertThat(req.ticket()).isEqualTo(77);
            b.send(new CannotConnect(77, "alice"));
            assertThat(a.expect(CannotConnect.class, x -> true))
                    .isEqualTo(new CannotConnect(77, "bob"));
            a.send(new ConnectToPeer(78, "ghost", "P"));
            assertThat(a.expect(CannotConnect.class, x -> true).ticket()).isEqualTo(78);
            a.send(new GetPeerAddress("ghost"));
            assertThat(a.expect(PeerAddress.class, x -> true).port()).isZero();
        }
    }

    @Test
    void privateRoomsOwnerOperatorsMembers() throws Exception {
        try (RawClient owner = RawClient.login(addr, "olga", "pw");
                RawClient op = RawClient.login(addr, "oscar", "pw");
                RawClient m = RawClient.login(addr, "mia", "pw");
                RawClient out = RawClient.login(addr, "otto", "pw")) {
            owner.send(new JoinRoom("secret", 1));
            JoinRoomReply jr = owner.expect(JoinRoomReply.class, x -> true);
            assertThat(jr.owner()).isEqualTo("olga");
            out.send(ServerMessages.joinRoom("secret"));
            out.expect(AdminMessage.class, x -> x.message().contains("private"));

            owner.send(new PrivateRoomAddUser("secret", "oscar"));
            op.expect(PrivateRoomAdded.class, x -> x.room().equals("secret"));
            owner.send(new PrivateRoomAddOperator("secret", "oscar"));
            op.expect(PrivateRoomOperatorAdded.class, x -> x.room().equals("secret"));
            op.send(new PrivateRoomAddUser("secret", "mia"));
            m.expect(PrivateRoomAdded.class, x -> x.room().equals("secret"));
            m.send(ServerMessages.joinRoom("secret"));
            JoinRoomReply mj = m.expect(JoinRoomReply.class, x -> true);
            assertThat(mj.operators()).containsExactly("oscar");
            // an operator may not remove the owner; the owner may remove a member, who leaves the
            // room
            op.send(new PrivateRoomRemoveUser("secret", "olga"));
            op.expect(AdminMessage.class, x -> true);
            owner.send(new PrivateRoomRemoveUser("secret", "mia"));
            m.expect(LeaveRoomReply.class, x -> x.room().equals("secret"));
            m.expect(PrivateRoomRemoved.class, x -> x.room().equals("secret"));
            owner.expect(UserLeftRoom.class, x -> x.user().equals("mia"));
            assertThat(host.store().get("room/secret").orElseThrow())
                    .contains("oscar")
                    .doesNotContain("mia");
            owner.send(new PrivateRoomDropOwnership("secret"));
            op.expect(PrivateRoomRemoved.class, x -> x.room().equals("secret"));
            assertThat(host.store().get("room/secret")).isEmpty();
        }
    }

    @Test
    void tickersAndStatus() throws Exception {
        try (RawClient a = RawClient.login(addr, "alice", "pw");
                RawClient b = RawClient.login(addr, "bob", "pw")) {
            a.send(ServerMessages.joinRoom("lobby"));
            a.expect(RoomTickers.class, x -> true);
            a.send(new RoomTickerSet("lobby", "now playing"));
            a.expect(RoomTickerAdded.class, x -> x.ticker().equals("now playing"));
            b.send(ServerMessages.joinRoom("lobby"));
            RoomTickers t = b.expect(RoomTickers.class, x -> true);
            assertThat(t.tickers()).containsExactly(new Ticker("alice", "now playing"));
            b.send(new AddUser("alice"));
            assertThat(b.expect(AddUserReply.class, x -> true).exists()).isTrue();
            a.send(new SetStatus(1));
            assertThat(b.expect(UserStatus.class, x -> x.user().equals("alice")).status())
                    .isEqualTo(1);
        }
    }

    @Test
    void bridgedRoomShowsRemoteParticipantsAsVirtualMembers() throws Exception {
        Address room = Address.parse("soulseek:srv/room:lobby");
        server.join(room).toCompletableFuture().get(5, TimeUnit.SECONDS);
        try (RawClient a = RawClient.login(addr, "alice", "pw")) {
            a.send(ServerMessages.joinRoom("lobby"));
            a.expect(RoomTickers.class, x -> true);
            Address src = Address.parse("irc:libera/#sabir");
            ChatMessage m =
                    ChatMessage.of(room, Sender.of("carol"), "x1", "hi from irc\nsecond line");
            server.deliver(new Delivery(1, room, m, src, "<carol> hi from irc"))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            assertThat(a.expect(UserJoinedRoom.class, x -> true).user()).isEqualTo("carol@irc");
            assertThat(a.expect(ChatRoomMessage.class, x -> true))
                    .isEqualTo(new ChatRoomMessage("lobby", "carol@irc", "hi from irc"));
            assertThat(a.expect(ChatRoomMessage.class, x -> true).message())
                    .isEqualTo("second line");
            // the virtual user is not reported back as a message from the network
            assertThat(events.find(ChatMessage.class, x -> x.text().contains("hi from irc")))
                    .isNull();
            // a private message to the virtual user comes out as an event in alice's conversation
            a.send(ServerMessages.messageUser("carol@irc", "psst"));
            ChatMessage pm = events.await(ChatMessage.class, x -> x.text().equals("psst"));
            assertThat(pm.conversation()).isEqualTo(Address.parse("soulseek:srv/user:alice"));
            server.deliver(
                    new Delivery(2, room, RoomUpdate.left(room, Sender.of("carol"), ""), src, ""));
            assertThat(a.expect(UserLeftRoom.class, x -> true).user()).isEqualTo("carol@irc");
        }
    }

    @Test
    void badInputDisconnectsOnlyThatClient() throws Exception {
        try (RawClient good = RawClient.login(addr, "alice", "pw")) {
            good.send(ServerMessages.joinRoom("lobby"));
            good.expect(RoomTickers.class, x -> true);
            // a lying string length inside a frame
            try (RawClient liar = RawClient.login(addr, "liar", "pw")) {
                liar.sendRaw(
                        Unpooled.buffer()
                                .writeIntLE(12)
                                .writeIntLE(13)
                                .writeIntLE(1_000_000)
                                .writeIntLE(0));
                assertTrue(liar.closedWithin(3000));
            }
            // an oversize frame, before any login
            try (RawClient big = new RawClient(addr)) {
                big.sendRaw(Unpooled.buffer().writeIntLE(50_000_000).writeIntLE(1));
                assertTrue(big.closedWithin(3000));
            }
            // garbage: a frame too short for a code
            try (RawClient junk = new RawClient(addr)) {
                junk.sendRaw(Unpooled.buffer().writeIntLE(2).writeShort(0xffff));
                assertTrue(junk.closedWithin(3000));
            }
            good.send(ServerMessages.say("lobby", "still here"));
            assertThat(good.expect(ChatRoomMessage.class, x -> true).message())
                    .isEqualTo("still here");
        }
    }

    @Test
    void secondLoginKicksTheFirst() throws Exception {
        try (RawClient first = RawClient.login(addr, "alice", "pw");
                RawClient second = RawClient.login(addr, "alice", "pw")) {
            first.expect(Kicked.class, x -> true);
            assertTrue(first.closedWithin(3000));
            second.send(new GetUserStatus("alice"));
            assertThat(second.expect(UserStatus.class, x -> true).status()).isEqualTo(2);
        }
        assertThat(List.of()).isEmpty();
    }
}
