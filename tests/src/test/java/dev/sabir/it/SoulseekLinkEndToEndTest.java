package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.soulseek.codec.ServerMessage.ChatRoomMessage;
import dev.sabir.soulseek.codec.ServerMessage.JoinRoomReply;
import dev.sabir.soulseek.codec.ServerMessage.RoomMember;
import dev.sabir.soulseek.codec.ServerMessage.UserJoinedRoom;
import dev.sabir.soulseek.codec.ServerMessage.UserLeftRoom;
import dev.sabir.soulseek.codec.ServerMessages;
import dev.sabir.testkit.servers.Ngircd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three networks in one link, Sabir in its own process: Sabir itself is the Soulseek server (room
 * {@code lobby}), an IRC relay account sits in {@code #lobby} on a real ngircd, and a loopback
 * network has room {@code lobby}. The Soulseek side is a raw client speaking the wire protocol.
 */
@Timeout(90)
class SoulseekLinkEndToEndTest {
    @TempDir Path dir;
    private Ngircd ngircd;
    private int slskPort;
    private int loPort;
    private SabirProcess sabir;
    private IrcUser alice;

    @BeforeEach
    void start() throws Exception {
        ngircd = Ngircd.start(dir);
        slskPort = SabirProcess.freePort();
        loPort = SabirProcess.freePort();
        int admin = SabirProcess.freePort();
        // no format: the default template <{nick}@{network}> {text}
        Files.writeString(
                dir.resolve("sabir.yml"),
                SabirProcess.baseConfig(dir, admin, false)
                        + """
                accounts:
                  slsk:
                    plugin: soulseek
                    mode: server
                    listen: "127.0.0.1:%d"
                    rooms: [ lobby ]
                    pbkdf2-iterations: 1000
                  ircnet:
                    plugin: irc
                    server: "%s"
                    nick: sabirbot
                    channels: [ "#lobby" ]
                    flood: { burst: 20, per_second: 20 }
                  lo: { plugin: loopback, listen: "127.0.0.1:%d" }
                links:
                  lobby:
                    members: [ "soulseek:slsk/room:lobby", "irc:ircnet/#lobby", "loopback:lo/lobby" ]
                """
                                .formatted(slskPort, ngircd.hostPort(), loPort));
        Files.createDirectories(dir.resolve("plugins"));
        alice = IrcUser.connect(ngircd.port(), "alice");
        alice.join("#lobby");
        sabir = new SabirProcess(dir.resolve("sabir.yml"), dir.resolve("sabir.log"), admin).start();
        alice.await(m -> m.command().equals("JOIN") && m.sourceNick().equals("sabirbot"));
    }

    @AfterEach
    void stop() throws Exception {
        if (alice != null) {
            alice.close();
        }
        if (sabir != null) {
            sabir.close();
        }
        if (ngircd != null) {
            ngircd.close();
        }
    }

    private SlskUser slsk(String user) throws Exception {
        SlskUser u = SlskUser.login(slskPort, user, "pw-" + user);
        u.send(ServerMessages.joinRoom("lobby"));
        return u;
    }

    private LineClient lucy() throws Exception {
        LineClient lucy = new LineClient(loPort, "lucy");
        lucy.join("lobby", "lucy");
        return lucy;
    }

    @Test
    void aSoulseekRoomMessageReachesIrcAndLoopback() throws Exception {
        try (SlskUser sam = slsk("sam");
                LineClient lucy = lucy()) {
            sam.expect(JoinRoomReply.class, r -> r.room().equals("lobby"));
            sam.send(ServerMessages.say("lobby", "hello from soulseek"));
            // the Soulseek room itself shows it as usual
            assertThat(sam.expect(ChatRoomMessage.class, m -> true))
                    .isEqualTo(new ChatRoomMessage("lobby", "sam", "hello from soulseek"));
            assertThat(alice.awaitPrivmsg("sabirbot", "#lobby").trailing())
                    .isEqualTo("<s\u200Bam@soulseek> hello from soulseek");
            assertThat(lucy.await(l -> l.startsWith("MSG lobby ")))
                    .endsWith(" sabir <sam@soulseek> hello from soulseek");
        }
    }

    @Test
    void anIrcMessageReachesSoulseekFromTheVirtualUserAndLoopback() throws Exception {
        try (SlskUser sam = slsk("sam");
                LineClient lucy = lucy()) {
            sam.expect(JoinRoomReply.class, r -> r.room().equals("lobby"));
            alice.say("#lobby", "hello from irc");
            // raw text from the remote user's virtual name (no template on Soulseek)
            assertThat(sam.expect(ChatRoomMessage.class, m -> m.message().contains("from irc")))
                    .isEqualTo(new ChatRoomMessage("lobby", "alice@irc", "hello from irc"));
            assertThat(lucy.await(l -> l.startsWith("MSG lobby ")))
                    .endsWith(" sabir <alice@irc> hello from irc");
            // and nothing came back to IRC as someone else's message
            assertThat(alice.drain(java.time.Duration.ofMillis(500)))
                    .noneMatch(
                            m ->
                                    m.command().equals("PRIVMSG")
                                            && m.trailing().contains("hello from irc"));
        }
    }

    @Test
    void remoteParticipantsAppearAsRoomMembersOnSoulseek() throws Exception {
        try (SlskUser sam = slsk("sam")) {
            JoinRoomReply first = sam.expect(JoinRoomReply.class, r -> r.room().equals("lobby"));
            List<String> firstMembers = first.members().stream().map(RoomMember::user).toList();
            System.out.println("Soulseek lobby members at sam's join: " + firstMembers);
            // alice was in #lobby before Sabir joined: the IRC names list made her a member
            assertThat(firstMembers).contains("sam", "alice@irc");
            assertThat(firstMembers)
                    .as("the IRC relay bot is not a remote participant")
                    .doesNotContain("sabirbot@irc");

            try (LineClient lucy = lucy()) {
                assertThat(
                                sam.expect(UserJoinedRoom.class, u -> u.user().startsWith("lucy"))
                                        .user())
                        .isEqualTo("lucy@loopback");
                try (IrcUser bob = IrcUser.connect(ngircd.port(), "bob")) {
                    bob.join("#lobby");
                    assertThat(
                                    sam.expect(
                                                    UserJoinedRoom.class,
                                                    u -> u.user().startsWith("bob"))
                                            .user())
                            .isEqualTo("bob@irc");

                    // a Soulseek user joining now gets every remote participant in the member list
                    try (SlskUser tom = slsk("tom")) {
                        JoinRoomReply r =
                                tom.expect(JoinRoomReply.class, x -> x.room().equals("lobby"));
                        assertThat(r.members())
                                .extracting(RoomMember::user)
                                .contains("sam", "tom", "alice@irc", "bob@irc", "lucy@loopback");
                    }
                    bob.send("PART #lobby :later");
                    assertThat(
                                    sam.expect(UserLeftRoom.class, u -> u.user().startsWith("bob"))
                                            .user())
                            .isEqualTo("bob@irc");
                }
            }
            assertThat(sam.expect(UserLeftRoom.class, u -> u.user().startsWith("lucy")).user())
                    .isEqualTo("lucy@loopback");
        }
    }
}
