package dev.sabir.irc;

import static dev.sabir.irc.IrcTestSupport.account;
import static dev.sabir.irc.IrcTestSupport.fromOtherNetwork;
import static dev.sabir.irc.IrcTestSupport.relay;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.Address;
import dev.sabir.api.Capability;
import dev.sabir.api.Delivery;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.PresenceUpdate.Status;
import dev.sabir.api.Sender;
import dev.sabir.irc.codec.IrcMessage;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import dev.sabir.testkit.servers.Ngircd;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Away status against a real ngircd. ngircd 26.1 offers no {@code away-notify}, so the session
 * learns of changes by polling WHO (G/H flags) and WHOIS (RPL_AWAY text).
 */
class IrcPresenceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Address XMPP_ROOM =
            new Address("xmpp", "main", "room@conference.localhost");
    private static final AtomicLong IDS = new AtomicLong(1000);

    @TempDir static Path serverDir;
    @TempDir Path tmp;

    private static Ngircd ngircd;

    @BeforeAll
    static void startServer() throws Exception {
        ngircd = Ngircd.start(serverDir);
    }

    @AfterAll
    static void stopServer() {
        ngircd.close();
    }

    @Test
    void membersAwayStatusBecomesPresenceInTheChannel() throws Exception {
        try (TestHost host = new TestHost(tmp);
                RawIrcClient alice = RawIrcClient.connect(ngircd.port(), "alice")) {
            alice.join("#away");
            RecordingSink sink = new RecordingSink();
            Map<String, Object> cfg = relay(ngircd.hostPort(), "awaybot", List.of("#away"));
            cfg.put("presence_poll", "300ms");
            IrcSession s = (IrcSession) new IrcConnector().open(account("net", cfg), host, sink);
            try {
                s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                Address room = new Address("irc", "net", "#away");

                alice.send("AWAY :lunch");
                PresenceUpdate away =
                        sink.awaitEvent(PresenceUpdate.class, p -> p.status() == Status.AWAY, WAIT);
                assertThat(away.conversation()).isEqualTo(room);
                assertThat(away.who()).isEqualTo(new Sender("alice", "alice", false));
                assertThat(away.statusText()).isEqualTo("lunch");

                alice.send("AWAY");
                PresenceUpdate back =
                        sink.awaitEvent(
                                PresenceUpdate.class, p -> p.status() == Status.AVAILABLE, WAIT);
                assertThat(back.who().nick()).isEqualTo("alice");
                assertThat(back.conversation()).isEqualTo(room);
                // one report per change, however many polling rounds saw it
                assertThat(sink.events().stream().filter(PresenceUpdate.class::isInstance))
                        .hasSize(2);
                assertThat(sink.events())
                        .filteredOn(PresenceUpdate.class::isInstance)
                        .noneMatch(e -> ((PresenceUpdate) e).who().nick().equals("awaybot"));
            } finally {
                s.close();
            }
            assertThat(host.liveTasks()).isZero();
        }
    }

    @Test
    void presenceSetsThePuppetAwayAndBackWithoutFlooding() throws Exception {
        try (TestHost host = new TestHost(tmp);
                RawIrcClient alice = RawIrcClient.connect(ngircd.port(), "watcher")) {
            alice.join("#pupaway");
            RecordingSink sink = new RecordingSink();
            Map<String, Object> cfg = relay(ngircd.hostPort(), "pupbot", List.of("#pupaway"));
            cfg.put("mode", "puppet");
            cfg.put("presence_poll", "300ms");
            cfg.put("away_interval", "1s");
            IrcSession s = (IrcSession) new IrcConnector().open(account("net", cfg), host, sink);
            try {
                s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                Address room = new Address("irc", "net", "#pupaway");
                // presence of someone without a puppet brings no puppet
                s.deliver(presence(room, "carol", Status.AWAY, "gone"))
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
                assertThat(s.puppetNicks()).isEmpty();

                s.deliver(fromOtherNetwork(room, "bob", "hello"))
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                alice.awaitPrivmsg("bob[main]", "#pupaway", WAIT);

                for (int i = 0; i < 3; i++) {
                    s.deliver(presence(room, "bob", Status.AWAY, "in a meeting"))
                            .toCompletableFuture()
                            .get(5, TimeUnit.SECONDS);
                }
                Awaitility.await()
                        .atMost(WAIT)
                        .pollInterval(Duration.ofMillis(100))
                        .until(() -> "in a meeting".equals(awayText(alice, "bob[main]")));
                assertThat(host.metrics().counter("irc_away_sent")).isEqualTo(1);

                s.deliver(presence(room, "bob", Status.AVAILABLE, ""))
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
                Awaitility.await()
                        .atMost(WAIT)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> whoFlags(alice, "#pupaway", "bob[main]").startsWith("H"));
                assertThat(host.metrics().counter("irc_away_sent")).isEqualTo(2);

                // a burst: at most one line now and one when the interval ends, the last wins
                s.deliver(presence(room, "bob", Status.XA, "")).toCompletableFuture().get();
                s.deliver(presence(room, "bob", Status.AWAY, "x".repeat(600)))
                        .toCompletableFuture()
                        .get();
                s.deliver(presence(room, "bob", Status.DND, "")).toCompletableFuture().get();
                Awaitility.await()
                        .atMost(WAIT)
                        .pollInterval(Duration.ofMillis(200))
                        .until(() -> "do not disturb".equals(awayText(alice, "bob[main]")));
                assertThat(host.metrics().counter("irc_away_sent")).isBetween(3L, 4L);

                // offline is not an AWAY
                s.deliver(presence(room, "bob", Status.OFFLINE, "")).toCompletableFuture().get();
                assertThat(awayText(alice, "bob[main]")).isEqualTo("do not disturb");

                // the relay connection's polls saw the puppet away, and never reported it
                assertThat(sink.events())
                        .filteredOn(PresenceUpdate.class::isInstance)
                        .noneMatch(e -> ((PresenceUpdate) e).who().nick().startsWith("bob"));
            } finally {
                s.close();
            }
            assertThat(host.liveTasks()).isZero();
        }
    }

    @Test
    void awayTextFitsTheLineAndNamesTheStatusWhenEmpty() {
        Address room = new Address("irc", "net", "#x");
        String longText = "é".repeat(400);
        String cut = IrcSession.awayText(update(room, Status.AWAY, longText));
        assertThat(IrcText.utf8Length(cut)).isLessThanOrEqualTo(IrcSession.MAX_AWAY_BYTES);
        assertThat(cut).startsWith("éé").doesNotContain("\uFFFD");
        assertThat(IrcSession.awayText(update(room, Status.XA, ""))).isEqualTo("extended away");
        assertThat(IrcSession.awayText(update(room, Status.AWAY, " \r\n"))).isEqualTo("away");
        assertThat(IrcSession.awayText(update(room, Status.AVAILABLE, "x"))).isEmpty();
    }

    @Test
    void onlyPuppetAccountsWithPresenceOnTakePresence() throws Exception {
        IrcConnector c = new IrcConnector();
        Map<String, Object> relayCfg = relay("127.0.0.1:6667", "bot", List.of("#a"));
        assertThat(c.capabilities(account("r", relayCfg))).doesNotContain(Capability.PRESENCE);
        Map<String, Object> puppetCfg = relay("127.0.0.1:6667", "bot", List.of("#a"));
        puppetCfg.put("mode", "puppet");
        assertThat(c.capabilities(account("p", puppetCfg))).contains(Capability.PRESENCE);
        puppetCfg.put("presence", false);
        assertThat(c.capabilities(account("p", puppetCfg)))
                .doesNotContain(Capability.PRESENCE)
                .contains(Capability.PUPPETS);
    }

    private static PresenceUpdate update(Address room, Status status, String text) {
        return new PresenceUpdate(room, Sender.of("bob@xmpp", "bob"), status, text);
    }

    private static Delivery presence(Address room, String nick, Status status, String text) {
        PresenceUpdate pu = new PresenceUpdate(room, Sender.of(nick + "@xmpp", nick), status, text);
        return new Delivery(IDS.incrementAndGet(), room, pu, XMPP_ROOM, "");
    }

    /** The away text WHOIS shows for a nick, or null when not away. */
    private static String awayText(RawIrcClient c, String nick) {
        c.send("WHOIS " + nick);
        IrcMessage m =
                c.await(
                        x ->
                                (x.command().equals("301") || x.command().equals("318"))
                                        && x.param(1).equals(nick),
                        WAIT);
        if (m.command().equals("318")) {
            return null;
        }
        c.await(x -> x.command().equals("318") && x.param(1).equals(nick), WAIT);
        return m.trailing();
    }

    /** The here/gone flags of a nick in a WHO reply. */
    private static String whoFlags(RawIrcClient c, String channel, String nick) {
        c.send("WHO " + channel);
        String flags = "";
        while (true) {
            IrcMessage m =
                    c.await(x -> x.command().equals("352") || x.command().equals("315"), WAIT);
            if (m.command().equals("315")) {
                return flags;
            }
            if (m.param(5).equals(nick)) {
                flags = m.param(6);
            }
        }
    }
}
