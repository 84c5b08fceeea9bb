package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.irc.codec.IrcMessage;
import dev.sabir.testkit.servers.Ngircd;
import dev.sabir.testkit.servers.Prosody;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * One link across three networks, Sabir in its own process: an IRC relay account in {@code #bridge}
 * on a real ngircd, an XMPP component on a real Prosody serving the room {@code
 * bridge@sabir.localhost}, and a TorChat account whose buddy is a raw TorChat peer. A raw IRC
 * client, a Smack user in the room and the raw peer are the people; each method sends from one side
 * and asserts what the other two receive. The servers and Sabir are started once for the class
 * (every method uses its own words).
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ThreeNetworkLinkEndToEndTest {
    private static final String ZWSP = "\u200B";
    private static final String SABIR_ID = "sabiraaaaaaaaaaa";
    private static final String COMPONENT = "sabir.localhost";
    private static final String ROOM = "bridge@" + COMPONENT;
    private static final Duration QUIET = Duration.ofMillis(500);

    private Ngircd ngircd;
    private Prosody prosody;
    private SabirProcess sabir;
    private IrcUser alice;
    private XmppUser xena;
    private TorChatPeer tom;
    private int tcPort;

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        long t0 = System.nanoTime();
        prosody = Prosody.builder().component(COMPONENT, "e2e-secret").start();
        prosody.register("xena", "pw");
        ngircd = Ngircd.start(dir);
        System.out.printf("Prosody and ngircd up in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        tom = new TorChatPeer("tom");
        tcPort = SabirProcess.freePort();
        int admin = SabirProcess.freePort();
        Files.writeString(
                dir.resolve("sabir.yml"),
                SabirProcess.baseConfig(dir, admin, false)
                        + """
                accounts:
                  ircnet:
                    plugin: irc
                    server: "%s"
                    nick: sabirbot
                    channels: [ "#bridge" ]
                    flood: { burst: 20, per_second: 20 }
                  jabber:
                    plugin: xmpp
                    mode: component
                    server: "%s"
                    domain: %s
                    secret: e2e-secret
                  tc:
                    plugin: torchat
                    transport: direct
                    id: %s
                    listen: "127.0.0.1:%d"
                    peers: { %s: "127.0.0.1:%d" }
                    buddies: [ %s ]
                    handshake_timeout_ms: 20000
                links:
                  bridge:
                    members: [ "irc:ircnet/#bridge", "xmpp:jabber/bridge", "torchat:tc/%s" ]
                    format: "[{nick}/{account}] {text}"
                """
                                .formatted(
                                        ngircd.hostPort(),
                                        prosody.componentAddress(),
                                        COMPONENT,
                                        SABIR_ID,
                                        tcPort,
                                        tom.id,
                                        tom.port(),
                                        tom.id,
                                        tom.id));
        Files.createDirectories(dir.resolve("plugins"));
        alice = IrcUser.connect(ngircd.port(), "alice");
        alice.join("#bridge");
        sabir = new SabirProcess(dir.resolve("sabir.yml"), dir.resolve("sabir.log"), admin).start();
        alice.await(m -> m.command().equals("JOIN") && m.sourceNick().equals("sabirbot"));
        long ms = tom.connect(tcPort, SABIR_ID, "tom");
        System.out.printf("TorChat peer verified by Sabir %d ms after its ping%n", ms);
        long j0 = System.nanoTime();
        xena = XmppUser.login(prosody, "xena");
        xena.join(ROOM);
        System.out.printf(
                "XMPP user logged in and in %s after %d ms%n",
                ROOM, (System.nanoTime() - j0) / 1_000_000);
        // alice was in #bridge before Sabir started: the IRC member list reached the XMPP room
        // even though the XMPP account came online after the IRC account reported it
        await().atMost(Duration.ofSeconds(10))
                .until(() -> xena.occupants().contains("alice (irc)"));
    }

    @AfterAll
    void stop() throws Exception {
        if (sabir != null) {
            // for the record: anything the server found worth a warning during the scenarios
            sabir.output()
                    .lines()
                    .filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
                    .forEach(l -> System.out.println("sabir log: " + l));
        }
        for (AutoCloseable c : new AutoCloseable[] {xena, tom, alice, sabir, ngircd, prosody}) {
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
    void anIrcMessageReachesXmppAsAnOccupantAndTorChatWithTheTemplate() throws Exception {
        long t0 = System.nanoTime();
        alice.say("#bridge", "hello from irc");
        Message onXmpp = xena.await(m -> "hello from irc".equals(m.getBody()));
        long t1 = System.nanoTime();
        assertThat(XmppUser.fromNick(onXmpp)).contains("alice").isEqualTo("alice (irc)");
        assertThat(tom.await(l -> l.contains("hello from irc")))
                .isEqualTo("message [alice/ircnet] hello from irc");
        long t2 = System.nanoTime();
        System.out.printf(
                "IRC -> XMPP %d ms, IRC -> TorChat %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t0) / 1_000_000);
        assertThat(xena.occupants()).contains("alice (irc)");
        assertThat(alice.drain(QUIET))
                .noneMatch(
                        m ->
                                m.command().equals("PRIVMSG")
                                        && m.trailing().contains("hello from irc"));
    }

    @Test
    void anXmppMessageReachesIrcAndTorChatWithTheTemplate() throws Exception {
        long t0 = System.nanoTime();
        xena.say("hello from xmpp");
        IrcMessage onIrc = privmsgContaining("hello from xmpp");
        long t1 = System.nanoTime();
        assertThat(onIrc.trailing()).isEqualTo("[x" + ZWSP + "ena/jabber] hello from xmpp");
        assertThat(tom.await(l -> l.contains("hello from xmpp")))
                .isEqualTo("message [xena/jabber] hello from xmpp");
        long t2 = System.nanoTime();
        System.out.printf(
                "XMPP -> IRC %d ms, XMPP -> TorChat %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t0) / 1_000_000);
        // the room shows it once, from xena herself (the MUC reflection), never from a bridged
        // occupant
        assertThat(XmppUser.fromNick(xena.await(m -> "hello from xmpp".equals(m.getBody()))))
                .isEqualTo("xena");
        assertThat(xena.drain(QUIET))
                .noneMatch(m -> m.getBody() != null && m.getBody().contains("hello from xmpp"));
    }

    @Test
    void aTorChatMessageReachesIrcAndXmppAsAnOccupant() throws Exception {
        long t0 = System.nanoTime();
        tom.say("hello from torchat");
        IrcMessage onIrc = privmsgContaining("hello from torchat");
        long t1 = System.nanoTime();
        assertThat(onIrc.trailing()).isEqualTo("[t" + ZWSP + "om/tc] hello from torchat");
        Message onXmpp = xena.await(m -> "hello from torchat".equals(m.getBody()));
        long t2 = System.nanoTime();
        assertThat(XmppUser.fromNick(onXmpp)).contains("tom").isEqualTo("tom (torchat)");
        System.out.printf(
                "TorChat -> IRC %d ms, TorChat -> XMPP %d ms%n",
                (t1 - t0) / 1_000_000, (t2 - t0) / 1_000_000);
        assertThat(tom.drain(QUIET))
                .noneMatch(l -> l.startsWith("message ") && l.contains("hello from torchat"));
        assertThat(tom.ownSocketSilent(Duration.ofMillis(100))).isTrue();
    }

    @Test
    void aTorChatProfileIsTheOccupantsVCardInTheXmppRoom() throws Exception {
        tom.send("profile_text keeper of the diary");
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(100))
                .ignoreExceptions()
                .until(
                        () ->
                                xena.vcardXml(ROOM + "/tom (torchat)")
                                        .contains("keeper of the diary"));
        assertThat(xena.vcardXml(ROOM + "/tom (torchat)")).contains("tom");
    }

    @Test
    void remoteMembersComeAndGoAsOccupantsInTheXmppRoom() throws Exception {
        try (IrcUser bob = IrcUser.connect(ngircd.port(), "bob")) {
            long t0 = System.nanoTime();
            bob.join("#bridge");
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> xena.occupants().contains("bob (irc)"));
            System.out.printf(
                    "IRC join shown as an XMPP occupant after %d ms%n",
                    (System.nanoTime() - t0) / 1_000_000);
            bob.send("PART #bridge :later");
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> !xena.occupants().contains("bob (irc)"));
        }
        // the TorChat buddy going away takes its occupant with it; back after it reconnects
        tom.say("still here");
        xena.await(m -> "still here".equals(m.getBody()));
        assertThat(xena.occupants()).contains("tom (torchat)");
        tom.disconnect();
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> !xena.occupants().contains("tom (torchat)"));
        assertThat(xena.occupants()).contains("xena");
        tom.connect(tcPort, SABIR_ID, "tom");
        tom.say("back again");
        assertThat(XmppUser.fromNick(xena.await(m -> "back again".equals(m.getBody()))))
                .isEqualTo("tom (torchat)");
        assertThat(privmsgContaining("back again").trailing())
                .isEqualTo("[t" + ZWSP + "om/tc] back again");
    }

    /** The relay's next PRIVMSG to #bridge with that text (join notices and the like skipped). */
    private IrcMessage privmsgContaining(String text) {
        return alice.await(
                m ->
                        m.command().equals("PRIVMSG")
                                && m.sourceNick().equals("sabirbot")
                                && m.param(0).equalsIgnoreCase("#bridge")
                                && m.trailing().contains(text));
    }
}
