package dev.sabir.irc;

import static dev.sabir.irc.IrcTestSupport.account;
import static dev.sabir.irc.IrcTestSupport.fromOtherNetwork;
import static dev.sabir.irc.IrcTestSupport.relay;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.ChatMessage.MessageKind;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.irc.codec.IrcMessage;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import dev.sabir.testkit.servers.Ngircd;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Relay mode against a real ngircd, with a plain-socket client as the IRC user. */
class IrcRelayTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir static Path serverDir;
    @TempDir Path tmp;

    private static Ngircd ngircd;
    private TestHost host;
    private RecordingSink sink;
    private final List<AutoCloseable> closeMe = new ArrayList<>();

    @BeforeAll
    static void startServer() throws Exception {
        ngircd = Ngircd.start(serverDir);
    }

    @AfterAll
    static void stopServer() {
        ngircd.close();
    }

    @BeforeEach
    void setUp() {
        host = new TestHost(tmp);
        sink = new RecordingSink();
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeMe.size() - 1; i >= 0; i--) {
            closeMe.get(i).close();
        }
        host.close();
    }

    private Session open(Map<String, Object> settings) throws Exception {
        Session s = new IrcConnector().open(account("net", settings), host, sink);
        closeMe.add(s);
        s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return s;
    }

    private RawIrcClient raw(String nick) throws Exception {
        RawIrcClient c = RawIrcClient.connect(ngircd.port(), nick);
        closeMe.add(c);
        return c;
    }

    @Test
    void relaysBothWaysWithKindsAndSelfMarking() throws Exception {
        RawIrcClient alice = raw("alice");
        alice.join("#relay");
        Session s = open(relay(ngircd.hostPort(), "sabirbot", List.of("#relay")));
        sink.awaitState(SessionState.State.ONLINE, WAIT);
        alice.await(m -> m.command().equals("JOIN") && m.sourceNick().equals("sabirbot"), WAIT);
        Address room = new Address("irc", "net", "#relay");

        // other network -> IRC, the relayed nick broken by a zero-width space
        s.deliver(fromOtherNetwork(room, "bob", "hello alice"))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        IrcMessage got = alice.awaitPrivmsg("sabirbot", "#relay", WAIT);
        assertThat(got.trailing()).isEqualTo("<b\u200Bob@xmpp> hello alice");

        s.deliver(fromOtherNetwork(room, "bob", "waves", MessageKind.ACTION))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        got = alice.awaitPrivmsg("sabirbot", "#relay", WAIT);
        assertThat(got.trailing()).isEqualTo("\u0001ACTION <b\u200Bob@xmpp> waves\u0001");

        // IRC -> bridge events, formatting stripped
        alice.send("PRIVMSG #relay :hi \u0002bold\u0002 \u000304,01red\u0003 there");
        ChatMessage in = sink.awaitMessage(m -> m.text().startsWith("hi "), WAIT);
        assertThat(in.text()).isEqualTo("hi bold red there");
        assertThat(in.sender().nick()).isEqualTo("alice");
        assertThat(in.sender().self()).isFalse();
        assertThat(in.conversation()).isEqualTo(room);
        assertThat(in.kind()).isEqualTo(MessageKind.NORMAL);

        alice.send("PRIVMSG #relay :\u0001ACTION dances\u0001");
        assertThat(sink.awaitMessage(m -> m.text().equals("dances"), WAIT).kind())
                .isEqualTo(MessageKind.ACTION);
        alice.send("NOTICE #relay :a notice");
        assertThat(sink.awaitMessage(m -> m.text().equals("a notice"), WAIT).kind())
                .isEqualTo(MessageKind.NOTICE);

        // a private message to the bot is a conversation with the sender
        alice.send("PRIVMSG sabirbot :psst");
        ChatMessage dm = sink.awaitMessage(m -> m.text().equals("psst"), WAIT);
        assertThat(dm.conversation()).isEqualTo(new Address("irc", "net", "alice"));

        // nothing the bot itself sent came back as someone else's message
        assertThat(sink.messages())
                .noneMatch(m -> m.text().contains("hello alice") && !m.sender().self());
    }

    @Test
    void roomChangesBecomeRoomUpdates() throws Exception {
        RawIrcClient op = raw("opuser");
        op.join("#rooms");
        Session s = open(relay(ngircd.hostPort(), "roombot", List.of("#rooms")));
        Address room = new Address("irc", "net", "#rooms");
        RoomUpdate members =
                sink.awaitEvent(
                        RoomUpdate.class, u -> u.change() == RoomUpdate.Change.MEMBERS, WAIT);
        assertThat(members.members()).extracting(m -> m.nick()).contains("opuser", "roombot");

        RawIrcClient carol = raw("carol");
        carol.join("#rooms");
        RoomUpdate joined =
                sink.awaitEvent(
                        RoomUpdate.class,
                        u ->
                                u.change() == RoomUpdate.Change.JOINED
                                        && u.member().nick().equals("carol"),
                        WAIT);
        assertThat(joined.conversation()).isEqualTo(room);
        assertThat(joined.member().self()).isFalse();

        op.send("TOPIC #rooms :new topic here");
        assertThat(
                        sink.awaitEvent(
                                        RoomUpdate.class,
                                        u -> u.change() == RoomUpdate.Change.TOPIC,
                                        WAIT)
                                .detail())
                .isEqualTo("new topic here");

        op.send("KICK #rooms carol :behave");
        RoomUpdate kicked =
                sink.awaitEvent(
                        RoomUpdate.class, u -> u.change() == RoomUpdate.Change.KICKED, WAIT);
        assertThat(kicked.member().nick()).isEqualTo("carol");
        assertThat(kicked.detail()).isEqualTo("behave");

        carol.join("#rooms");
        carol.send("PART #rooms :later");
        RoomUpdate left =
                sink.awaitEvent(
                        RoomUpdate.class,
                        u -> u.change() == RoomUpdate.Change.LEFT && u.detail().equals("later"),
                        WAIT);
        assertThat(left.member().nick()).isEqualTo("carol");

        carol.join("#rooms");
        carol.send("QUIT :gone");
        RoomUpdate quit =
                sink.awaitEvent(
                        RoomUpdate.class,
                        u -> u.change() == RoomUpdate.Change.LEFT && u.detail().contains("gone"),
                        WAIT);
        assertThat(quit.member().nick()).isEqualTo("carol");
        assertThat(s).isNotNull();
    }

    @Test
    void longUtf8MessageArrivesCompleteAndUnbroken() throws Exception {
        RawIrcClient alice = raw("longreader");
        alice.join("#long");
        Map<String, Object> cfg = relay(ngircd.hostPort(), "longbot", List.of("#long"));
        cfg.put("max_lines", 10);
        Session s = open(cfg);
        alice.await(m -> m.command().equals("JOIN") && m.sourceNick().equals("longbot"), WAIT);
        StringBuilder sb = new StringBuilder();
        // a long run without spaces (forces cuts inside multi-byte text), then words
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < 900) {
            sb.append("日本語😀é");
        }
        while (sb.toString().getBytes(StandardCharsets.UTF_8).length < 1500) {
            sb.append(" wörds ünd 𝄞 notes");
        }
        String original = sb.toString();
        assertThat(original.getBytes(StandardCharsets.UTF_8).length).isGreaterThanOrEqualTo(1500);
        Address room = new Address("irc", "net", "#long");
        s.deliver(fromOtherNetwork(room, "bob", original))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);

        String prefix = "<b\u200Bob@xmpp> ";
        int at = 0;
        int lines = 0;
        while (at < original.length()) {
            IrcMessage m = alice.awaitPrivmsg("longbot", "#long", WAIT);
            lines++;
            // what the server relayed (with its prefix) fits in 512 bytes including CR LF
            assertThat(m.encode().getBytes(StandardCharsets.UTF_8).length + 2)
                    .isLessThanOrEqualTo(512);
            assertThat(m.trailing()).startsWith(prefix).doesNotContain("\uFFFD");
            String piece = m.trailing().substring(prefix.length());
            assertThat(original.startsWith(piece, at))
                    .as("piece %d continues the text", lines)
                    .isTrue();
            at += piece.length();
            if (at < original.length() && original.charAt(at) == ' ') {
                at++; // the piece was cut at this space
            }
        }
        assertThat(at).isEqualTo(original.length());
        assertThat(lines).isGreaterThanOrEqualTo(4);
    }

    @Test
    void textBeyondMaxLinesIsOfferedAsALink() throws Exception {
        RawIrcClient alice = raw("linkreader");
        alice.join("#links");
        Map<String, Object> cfg = relay(ngircd.hostPort(), "linkbot", List.of("#links"));
        cfg.put("max_lines", 3);
        Session s = open(cfg);
        alice.await(m -> m.command().equals("JOIN") && m.sourceNick().equals("linkbot"), WAIT);
        String text = "one\ntwo\nthree\nfour\nfive\nsix";
        s.deliver(fromOtherNetwork(new Address("irc", "net", "#links"), "bob", text))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        assertThat(alice.awaitPrivmsg("linkbot", "#links", WAIT).trailing()).endsWith("one");
        assertThat(alice.awaitPrivmsg("linkbot", "#links", WAIT).trailing()).endsWith("two");
        String last = alice.awaitPrivmsg("linkbot", "#links", WAIT).trailing();
        assertThat(last).contains("4 more lines: http://127.0.0.1:1/files/");
        String spoolId = last.replaceAll(".*/files/([^/]+)/.*", "$1");
        Path file = host.spool().find(spoolId).orElseThrow().path();
        assertThat(Files.readString(file)).isEqualTo(text);
    }

    @Test
    void nickCollisionPicksAnAlternative() throws Exception {
        RawIrcClient squatter = raw("takenbot");
        squatter.join("#nicks");
        open(relay(ngircd.hostPort(), "takenbot", List.of("#nicks")));
        IrcMessage join =
                squatter.await(
                        m -> m.command().equals("JOIN") && m.sourceNick().startsWith("takenbot_"),
                        WAIT);
        assertThat(join.sourceNick()).isEqualTo("takenbot_");
        // the bot's own messages under the new nick are still recognised as its own
        squatter.send("PRIVMSG #nicks :ping takenbot_");
        ChatMessage m = sink.awaitMessage(x -> x.text().equals("ping takenbot_"), WAIT);
        assertThat(m.sender().self()).isFalse();
    }
}
