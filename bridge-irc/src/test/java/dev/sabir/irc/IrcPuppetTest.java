package dev.sabir.irc;

import static dev.sabir.irc.IrcTestSupport.account;
import static dev.sabir.irc.IrcTestSupport.fromOtherNetwork;
import static dev.sabir.irc.IrcTestSupport.relay;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import dev.sabir.testkit.servers.Ngircd;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Puppet mode: remote users appear as their own IRC nicks, up to a cap, and leave when idle. */
class IrcPuppetTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir Path tmp;

    @Test
    void puppetsSpeakForTheirUsersUpToTheCapAndLeaveWhenIdle() throws Exception {
        try (Ngircd ngircd = Ngircd.start(tmp);
                TestHost host = new TestHost(tmp.resolve("host"));
                RawIrcClient alice = RawIrcClient.connect(ngircd.port(), "alice")) {
            alice.join("#puppets");
            RecordingSink sink = new RecordingSink();
            Map<String, Object> cfg = relay(ngircd.hostPort(), "relaybot", List.of("#puppets"));
            cfg.put("mode", "puppet");
            cfg.put(
                    "puppet",
                    Map.of("nick_template", "{nick}[{network}]", "max", 2, "idle_timeout", "2s"));
            IrcSession s = (IrcSession) new IrcConnector().open(account("net", cfg), host, sink);
            try {
                s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                Address room = new Address("irc", "net", "#puppets");

                s.deliver(fromOtherNetwork(room, "bob", "hi from bob"))
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                assertThat(alice.awaitPrivmsg("bob[main]", "#puppets", WAIT).trailing())
                        .isEqualTo("hi from bob");
                s.deliver(fromOtherNetwork(room, "Dr. Who", "hi from the doctor"))
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                assertThat(alice.awaitPrivmsg("Dr__Who[main]", "#puppets", WAIT).trailing())
                        .isEqualTo("hi from the doctor");
                s.deliver(fromOtherNetwork(room, "bob", "bob again"))
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                assertThat(alice.awaitPrivmsg("bob[main]", "#puppets", WAIT).trailing())
                        .isEqualTo("bob again");
                assertThat(s.puppetNicks()).containsExactlyInAnyOrder("bob[main]", "Dr__Who[main]");

                // over the cap: the relay bot speaks with the rendered nick
                s.deliver(fromOtherNetwork(room, "dave", "hi from dave"))
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
                assertThat(alice.awaitPrivmsg("relaybot", "#puppets", WAIT).trailing())
                        .isEqualTo("<d\u200Bave@xmpp> hi from dave");
                assertThat(host.metrics().counter("irc_puppet_fallbacks")).isEqualTo(1);

                // the relay connection sees the puppets' lines as its own
                ChatMessage seen =
                        sink.awaitMessage(
                                m -> m.text().equals("hi from bob"), Duration.ofSeconds(2));
                assertThat(seen.sender().self()).isTrue();
                alice.send("PRIVMSG #puppets :from a human");
                assertThat(sink.awaitText("from a human", WAIT).sender().self()).isFalse();

                // idle puppets quit
                alice.await(
                        m -> m.command().equals("QUIT") && m.sourceNick().equals("bob[main]"),
                        WAIT);
                Awaitility.await().atMost(WAIT).until(() -> s.puppetNicks().isEmpty());
            } finally {
                s.close();
            }
            assertThat(host.liveTasks()).isZero();
        }
    }
}
