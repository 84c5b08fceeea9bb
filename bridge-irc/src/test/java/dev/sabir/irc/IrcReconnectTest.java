package dev.sabir.irc;

import static dev.sabir.irc.IrcTestSupport.account;
import static dev.sabir.irc.IrcTestSupport.fromOtherNetwork;
import static dev.sabir.irc.IrcTestSupport.relay;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.Address;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import dev.sabir.testkit.servers.Ngircd;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ngircd restarted under a connected session, which goes through a SOCKS5 proxy: the session
 * reconnects, joins its channel again and sends what was queued meanwhile, in order.
 */
class IrcReconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir Path tmp;

    @Test
    void reconnectsThroughSocksRejoinsAndDeliversQueuedMessagesInOrder() throws Exception {
        try (Ngircd ngircd = Ngircd.start(tmp);
                GateSocksProxy proxy = new GateSocksProxy();
                TestHost host = new TestHost(tmp.resolve("host"))) {
            RecordingSink sink = new RecordingSink();
            Map<String, Object> cfg = relay(ngircd.hostPort(), "phoenix", List.of("#restart"));
            cfg.put("proxy", "127.0.0.1:" + proxy.port());
            cfg.put("ping_interval", "5s");
            Session s = new IrcConnector().open(account("net", cfg), host, sink);
            RawIrcClient alice = RawIrcClient.connect(ngircd.port(), "alice");
            try {
                alice.join("#restart");
                s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                assertThat(proxy.destinations()).contains("127.0.0.1:" + ngircd.port());
                alice.await(
                        m -> m.command().equals("JOIN") && m.sourceNick().equals("phoenix"), WAIT);

                proxy.open(false); // hold the reconnect back until the user is back in the channel
                ngircd.stop();
                sink.awaitState(SessionState.State.OFFLINE, WAIT);
                Address room = new Address("irc", "net", "#restart");
                List<CompletableFuture<String>> sent = new ArrayList<>();
                for (int i = 1; i <= 3; i++) {
                    sent.add(
                            s.deliver(fromOtherNetwork(room, "bob", "queued " + i))
                                    .toCompletableFuture());
                }
                Thread.sleep(300);
                assertThat(sent).noneMatch(CompletableFuture::isDone);

                alice.close();
                ngircd.restart();
                alice = RawIrcClient.connect(ngircd.port(), "alice");
                alice.join("#restart");
                sink.clear();
                proxy.open(true);

                alice.await(
                        m -> m.command().equals("JOIN") && m.sourceNick().equals("phoenix"), WAIT);
                for (int i = 1; i <= 3; i++) {
                    assertThat(alice.awaitPrivmsg("phoenix", "#restart", WAIT).trailing())
                            .endsWith("queued " + i);
                }
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                        .get(5, TimeUnit.SECONDS);
                sink.awaitState(SessionState.State.ONLINE, WAIT);
                assertThat(proxy.accepted()).isGreaterThanOrEqualTo(2);

                // and the other way once more
                alice.send("PRIVMSG #restart :back again");
                assertThat(sink.awaitText("back again", WAIT).sender().nick()).isEqualTo("alice");
            } finally {
                alice.close();
                s.close();
            }
        }
    }
}
