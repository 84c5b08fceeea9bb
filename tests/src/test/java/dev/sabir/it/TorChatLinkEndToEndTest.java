package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sabir in its own process with a TorChat account (direct transport on loopback) and a loopback
 * network, linked: the TorChat buddy conversation with a raw TorChat peer on plain sockets and the
 * loopback room {@code lobby}. The peer behaves like the deployed clients (two sockets, ping/pong
 * cookies, everything read from the socket Sabir opened).
 */
@Timeout(90)
class TorChatLinkEndToEndTest {
    private static final String SABIR_ID = "sabiraaaaaaaaaaa";

    @TempDir Path dir;
    private TorChatPeer tom;
    private int tcPort;
    private int loPort;
    private SabirProcess sabir;

    @BeforeEach
    void start() throws Exception {
        tom = new TorChatPeer("tom");
        tcPort = SabirProcess.freePort();
        loPort = SabirProcess.freePort();
        int admin = SabirProcess.freePort();
        Files.writeString(
                dir.resolve("sabir.yml"),
                SabirProcess.baseConfig(dir, admin, false)
                        + """
                accounts:
                  tc:
                    plugin: torchat
                    transport: direct
                    id: %s
                    listen: "127.0.0.1:%d"
                    peers: { %s: "127.0.0.1:%d" }
                    buddies: [ %s ]
                    handshake_timeout_ms: 20000
                    reconnect_min_ms: 200
                    reconnect_max_ms: 1000
                  lo: { plugin: loopback, listen: "127.0.0.1:%d" }
                links:
                  lobby:
                    members: [ "torchat:tc/%s", "loopback:lo/lobby" ]
                    format: "[{nick}/{account}] {text}"
                """
                                .formatted(
                                        SABIR_ID,
                                        tcPort,
                                        tom.id,
                                        tom.port(),
                                        tom.id,
                                        loPort,
                                        tom.id));
        Files.createDirectories(dir.resolve("plugins"));
        sabir = new SabirProcess(dir.resolve("sabir.yml"), dir.resolve("sabir.log"), admin).start();
        long ms = tom.connect(tcPort, SABIR_ID, "tom");
        System.out.printf("TorChat peer verified by Sabir %d ms after its ping%n", ms);
    }

    @AfterEach
    void stop() throws Exception {
        if (tom != null) {
            tom.close();
        }
        if (sabir != null) {
            sabir.close();
        }
    }

    private LineClient lucy() throws Exception {
        LineClient lucy = new LineClient(loPort, "lucy");
        lucy.join("lobby", "lucy");
        return lucy;
    }

    @Test
    void sabirIntroducesItselfLikeATorChatClientOnItsOwnSocket() throws Exception {
        // what Sabir sends after the handshake, all on the socket Sabir opened
        assertThat(tom.await(l -> l.startsWith("client "))).isEqualTo("client Sabir");
        assertThat(tom.await(l -> l.startsWith("supports "))).contains("typing");
        // tom is a configured buddy: Sabir asks to be added too
        tom.await(l -> l.trim().equals("add_me"));
        assertThat(tom.await(l -> l.startsWith("status "))).isEqualTo("status available");
        assertThat(tom.ownSocketSilent(Duration.ofMillis(300))).isTrue();
    }

    @Test
    void messagesCrossBothWaysWithTheTemplate() throws Exception {
        try (LineClient lucy = lucy()) {
            long t0 = System.nanoTime();
            tom.say("hello");
            assertThat(lucy.await(l -> l.startsWith("MSG lobby ")))
                    .endsWith(" sabir [tom/tc] hello");
            long t1 = System.nanoTime();

            lucy.say("MSG lobby hello back");
            assertThat(tom.await(l -> l.startsWith("message ")))
                    .isEqualTo("message [lucy/lo] hello back");
            long t2 = System.nanoTime();
            System.out.printf(
                    "TorChat -> loopback %d ms, loopback -> TorChat %d ms%n",
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000);

            // a line break survives TorChat's escaping in both directions
            tom.say("two\nlines");
            assertThat(lucy.await(l -> l.startsWith("MSG lobby ")))
                    .endsWith(" sabir [tom/tc] two\\nlines");

            // no echo: neither side gets its own words back
            assertThat(tom.drain(Duration.ofMillis(500)))
                    .noneMatch(l -> l.startsWith("message ") && l.contains("hello"));
            assertThat(lucy.drain(200))
                    .noneMatch(l -> l.startsWith("MSG") && l.contains("hello back"));
            // and nothing ever arrived on the socket the peer opened
            assertThat(tom.ownSocketSilent(Duration.ofMillis(200))).isTrue();
        }
    }

    @Test
    void typingAndStatusCrossTheLink() throws Exception {
        try (LineClient lucy = lucy()) {
            tom.send("typing_start");
            assertThat(lucy.await(l -> l.startsWith("TYPING lobby "))).endsWith(" typing");

            lucy.say("TYPING lobby");
            tom.await(l -> l.equals("typing_start"));

            tom.send("status away ");
            assertThat(lucy.await(l -> l.startsWith("PRESENCE ") && l.contains(" away")))
                    .startsWith("PRESENCE ");
        }
    }

    @Test
    void aMessageForAnOfflineBuddyIsDeliveredWhenItComesBack() throws Exception {
        try (LineClient lucy = lucy()) {
            tom.disconnect();
            assertThat(lucy.await(l -> l.startsWith("PRESENCE ") && l.contains(" offline")))
                    .startsWith("PRESENCE ");
            lucy.say("MSG lobby while you were away");
            lucy.await(l -> l.startsWith("OK "));
            assertThat(tom.drain(Duration.ofMillis(300))).noneMatch(l -> l.contains("while you"));

            long t0 = System.nanoTime();
            tom.connect(tcPort, SABIR_ID, "tom");
            assertThat(tom.await(l -> l.startsWith("message ")))
                    .isEqualTo("message [lucy/lo] while you were away");
            System.out.printf(
                    "queued message delivered %d ms after the peer dialled again%n",
                    (System.nanoTime() - t0) / 1_000_000);
            // and the peer's words flow again
            tom.say("back");
            assertThat(lucy.await(l -> l.startsWith("MSG lobby ")))
                    .endsWith(" sabir [tom/tc] back");
        }
    }
}
