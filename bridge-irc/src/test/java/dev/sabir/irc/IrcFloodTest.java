package dev.sabir.irc;

import static dev.sabir.irc.IrcTestSupport.account;
import static dev.sabir.irc.IrcTestSupport.fromOtherNetwork;
import static dev.sabir.irc.IrcTestSupport.relay;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Address;
import dev.sabir.api.DeliveryException;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token bucket paces lines so ngircd with flood penalties on keeps the session connected. */
class IrcFloodTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir Path tmp;

    @Test
    void limiterPacesABurstAndTheSessionStaysConnected() throws Exception {
        try (Ngircd ngircd = Ngircd.start(tmp, Ngircd.Options.defaults().withPenalties(true));
                TestHost host = new TestHost(tmp.resolve("host"));
                RawIrcClient alice = RawIrcClient.connect(ngircd.port(), "alice")) {
            alice.join("#flood");
            RecordingSink sink = new RecordingSink();
            Map<String, Object> cfg = relay(ngircd.hostPort(), "floodbot", List.of("#flood"));
            cfg.put("flood", Map.of("burst", 2, "per_second", 4));
            cfg.put("queue_size", 20);
            Session s = new IrcConnector().open(account("net", cfg), host, sink);
            try {
                s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                alice.await(
                        m -> m.command().equals("JOIN") && m.sourceNick().equals("floodbot"), WAIT);
                Address room = new Address("irc", "net", "#flood");
                List<CompletableFuture<String>> sent = new ArrayList<>();
                long start = System.nanoTime();
                for (int i = 0; i < 12; i++) {
                    sent.add(
                            s.deliver(fromOtherNetwork(room, "bob", "line " + i))
                                    .toCompletableFuture());
                }
                for (int i = 0; i < 12; i++) {
                    assertThat(alice.awaitPrivmsg("floodbot", "#flood", WAIT).trailing())
                            .endsWith("line " + i);
                }
                long elapsedMs = (System.nanoTime() - start) / 1_000_000;
                // 2 at once, then 10 more at 4 per second: at least 2.5 s
                assertThat(elapsedMs).isGreaterThanOrEqualTo(2300);
                CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
                        .get(5, TimeUnit.SECONDS);
                assertThat(sink.events())
                        .noneMatch(
                                e ->
                                        e instanceof SessionState st
                                                && st.state() == SessionState.State.OFFLINE);

                // a message that does not fit in the bounded queue is refused as a whole, retryable
                String many = String.join("\n", java.util.Collections.nCopies(30, "x"));
                cfg.put("max_lines", 100);
                Session s2 =
                        new IrcConnector()
                                .open(account("net2", withNick(cfg, "floodbot2")), host, sink);
                try {
                    s2.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                    assertThatThrownBy(
                                    () ->
                                            s2.deliver(fromOtherNetwork(room, "bob", many))
                                                    .toCompletableFuture()
                                                    .get(5, TimeUnit.SECONDS))
                            .isInstanceOf(ExecutionException.class)
                            .cause()
                            .isInstanceOf(DeliveryException.class)
                            .matches(e -> ((DeliveryException) e).retryable());
                    assertThat(host.metrics().counter("irc_queue_refused")).isEqualTo(30);
                } finally {
                    s2.close();
                }
            } finally {
                s.close();
            }
        }
    }

    private static Map<String, Object> withNick(Map<String, Object> cfg, String nick) {
        Map<String, Object> copy = new java.util.LinkedHashMap<>(cfg);
        copy.put("nick", nick);
        return copy;
    }
}
