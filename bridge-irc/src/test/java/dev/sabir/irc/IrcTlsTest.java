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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tls: true} against ngircd's TLS port, with the certificate checked. */
class IrcTlsTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir Path tmp;

    @Test
    void connectsOverTlsWithATrustedCertificateAndRefusesAnUntrustedOne() throws Exception {
        try (Ngircd ngircd = Ngircd.start(tmp, Ngircd.Options.defaults().withTls(true));
                TestHost host = new TestHost(tmp.resolve("host"));
                RawIrcClient alice = RawIrcClient.connect(ngircd.port(), "alice")) {
            alice.join("#tls");
            RecordingSink sink = new RecordingSink();
            Map<String, Object> cfg =
                    relay("127.0.0.1:" + ngircd.tlsPort(), "tlsbot", List.of("#tls"));
            cfg.put("tls", true);
            cfg.put("tls_trust", ngircd.certificate().toString());
            Session s = new IrcConnector().open(account("net", cfg), host, sink);
            try {
                s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                s.deliver(fromOtherNetwork(new Address("irc", "net", "#tls"), "bob", "over tls"))
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
                assertThat(alice.awaitPrivmsg("tlsbot", "#tls", WAIT).trailing())
                        .endsWith("over tls");
            } finally {
                s.close();
            }

            // without the certificate in the trust store the session never gets online
            RecordingSink sink2 = new RecordingSink();
            Map<String, Object> untrusted =
                    relay("127.0.0.1:" + ngircd.tlsPort(), "tlsbot2", List.of("#tls"));
            untrusted.put("tls", true);
            Session s2 = new IrcConnector().open(account("net2", untrusted), host, sink2);
            try {
                Assertions.assertThatThrownBy(
                                () -> s2.connect().toCompletableFuture().get(2, TimeUnit.SECONDS))
                        .isNotInstanceOf(ExecutionException.class);
                assertThat(sink2.events())
                        .noneMatch(
                                e ->
                                        e instanceof SessionState st
                                                && st.state() == SessionState.State.ONLINE);
            } finally {
                s2.close();
            }
        }
    }
}
