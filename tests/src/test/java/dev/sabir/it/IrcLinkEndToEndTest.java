package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.irc.codec.IrcMessage;
import dev.sabir.testkit.servers.Ngircd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sabir in its own process between a real ngircd and a loopback network: an IRC relay account in
 * {@code #sabir} linked to the loopback room {@code sabir}. A raw IRC client and a loopback line
 * client are the people on either side; every assertion is on what they receive.
 */
@Timeout(90)
class IrcLinkEndToEndTest {
    private static final String ZWSP = "\u200B";

    /** Nick as the relay bot shows it on IRC: broken by a zero-width space so it does not ping. */
    private static final String LUCY = "l" + ZWSP + "ucy";

    @TempDir Path dir;
    private Ngircd ngircd;
    private int loPort;
    private SabirProcess sabir;
    private IrcUser alice;

    @BeforeEach
    void start() throws Exception {
        ngircd = Ngircd.start(dir);
        loPort = SabirProcess.freePort();
        int admin = SabirProcess.freePort();
        // reconnect_min 3s (2.4 s at the least, with jitter): after the ngircd restart the test's
        // own IRC client is back in the channel well before the bridge returns and flushes its
        // queue
        Files.writeString(
                dir.resolve("sabir.yml"),
                SabirProcess.baseConfig(dir, admin, false)
                        + """
                accounts:
                  ircnet:
                    plugin: irc
                    server: "%s"
                    nick: sabirbot
                    channels: [ "#sabir" ]
                    reconnect_min: 3s
                    reconnect_max: 6s
                    flood: { burst: 20, per_second: 20 }
                  lo: { plugin: loopback, listen: "127.0.0.1:%d" }
                links:
                  sabir:
                    members: [ "irc:ircnet/#sabir", "loopback:lo/sabir" ]
                    format: "[{nick}/{account}] {text}"
                """
                                .formatted(ngircd.hostPort(), loPort));
        Files.createDirectories(dir.resolve("plugins"));
        alice = IrcUser.connect(ngircd.port(), "alice");
        alice.join("#sabir");
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

    private LineClient lucy() throws Exception {
        LineClient lucy = new LineClient(loPort, "lucy");
        lucy.join("sabir", "lucy");
        return lucy;
    }

    @Test
    void messagesCrossBothWaysWithTheTemplateAndAZeroWidthNick() throws Exception {
        try (LineClient lucy = lucy()) {
            lucy.say("MSG sabir hello irc, alice here?");
            IrcMessage got = alice.awaitPrivmsg("sabirbot", "#sabir");
            assertThat(got.trailing()).isEqualTo("[" + LUCY + "/lo] hello irc, alice here?");

            alice.say("#sabir", "hello loopback");
            assertThat(lucy.await(l -> l.startsWith("MSG sabir ")))
                    .endsWith(" sabir [alice/ircnet] hello loopback");

            // neither side gets its own words back through the bridge
            assertThat(alice.drain(Duration.ofMillis(500)))
                    .noneMatch(
                            m ->
                                    m.command().equals("PRIVMSG")
                                            && m.trailing().contains("hello loopback"));
            assertThat(lucy.drain(200))
                    .noneMatch(l -> l.startsWith("MSG") && l.contains("hello irc"));
        }
    }

    @Test
    void actionsStayActionsBothWays() throws Exception {
        try (LineClient lucy = lucy()) {
            alice.say("#sabir", "\u0001ACTION waves at loopback\u0001");
            assertThat(lucy.await(l -> l.startsWith("ACTION sabir ") || l.startsWith("MSG sabir ")))
                    .startsWith("ACTION sabir ")
                    .endsWith(" sabir [alice/ircnet] waves at loopback");

            lucy.say("ACTION sabir waves back");
            IrcMessage got = alice.awaitPrivmsg("sabirbot", "#sabir");
            assertThat(got.trailing()).isEqualTo("\u0001ACTION [" + LUCY + "/lo] waves back\u0001");
        }
    }

    @Test
    void anEditFromLoopbackArrivesOnIrcAsAMarkedResend() throws Exception {
        try (LineClient lucy = lucy()) {
            lucy.say("MSG sabir teh first try");
            String ok = lucy.await(l -> l.startsWith("OK "));
            assertThat(alice.awaitPrivmsg("sabirbot", "#sabir").trailing())
                    .isEqualTo("[" + LUCY + "/lo] teh first try");

            lucy.say("EDIT sabir " + ok.substring(3) + " the first try");
            assertThat(alice.awaitPrivmsg("sabirbot", "#sabir").trailing())
                    .isEqualTo("[" + LUCY + "/lo] * correction: the first try");
        }
    }

    @Test
    void messagesSentWhileIrcIsDownArriveInOrderAfterTheBridgeReconnects() throws Exception {
        try (LineClient lucy = lucy()) {
            lucy.say("MSG sabir before the outage");
            lucy.await(l -> l.startsWith("OK "));
            alice.awaitPrivmsg("sabirbot", "#sabir");

            long stopped = System.nanoTime();
            ngircd.stop();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> !"online".equals(sabir.accountState("ircnet")));
            System.out.printf(
                    "IRC account reported down %d ms after ngircd was stopped%n",
                    (System.nanoTime() - stopped) / 1_000_000);
            for (int i = 1; i <= 5; i++) {
                lucy.say("MSG sabir while down " + i);
                lucy.await(l -> l.startsWith("OK "));
            }

            long restarted = System.nanoTime();
            ngircd.restart();
            alice.close();
            alice = IrcUser.connect(ngircd.port(), "alice");
            alice.join("#sabir");
            alice.await(m -> m.command().equals("JOIN") && m.sourceNick().equals("sabirbot"));
            System.out.printf(
                    "IRC relay back in #sabir %d ms after the ngircd restart%n",
                    (System.nanoTime() - restarted) / 1_000_000);
            for (int i = 1; i <= 5; i++) {
                assertThat(alice.awaitPrivmsg("sabirbot", "#sabir").trailing())
                        .isEqualTo("[" + LUCY + "/lo] while down " + i);
            }
            System.out.printf(
                    "5 queued messages delivered %d ms after the ngircd restart%n",
                    (System.nanoTime() - restarted) / 1_000_000);
            assertThat(sabir.accountState("ircnet")).isEqualTo("online");

            // and the link works both ways again
            alice.say("#sabir", "back again");
            assertThat(lucy.await(l -> l.startsWith("MSG sabir ") && l.contains("back again")))
                    .endsWith(" sabir [alice/ircnet] back again");
        }
    }
}
