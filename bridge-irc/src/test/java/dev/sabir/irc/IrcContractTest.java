package dev.sabir.irc;

import static dev.sabir.irc.IrcTestSupport.account;
import static dev.sabir.irc.IrcTestSupport.relay;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Connector;
import dev.sabir.testkit.ConnectorContract;
import dev.sabir.testkit.ContractFixture;
import dev.sabir.testkit.servers.Ngircd;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** The shared connector contract: two relay accounts in the same channel of a real ngircd. */
class IrcContractTest extends ConnectorContract {

    @Override
    protected ContractFixture createFixture(Path tempDir) throws Exception {
        Ngircd ngircd = Ngircd.start(tempDir);
        return new ContractFixture() {
            @Override
            public Connector connector() {
                return new IrcConnector();
            }

            @Override
            public AccountConfig first() {
                return account("first", relay(ngircd.hostPort(), "firstbot", List.of("#contract")));
            }

            @Override
            public AccountConfig second() {
                return account(
                        "second", relay(ngircd.hostPort(), "secondbot", List.of("#contract")));
            }

            @Override
            public Address conversationOnFirst() {
                return new Address("irc", "first", "#contract");
            }

            @Override
            public Address conversationOnSecond() {
                return new Address("irc", "second", "#contract");
            }

            @Override
            public void sendGarbage() throws Exception {
                // a raw client puts invalid UTF-8, control bytes and an over-long line into the
                // channel (which both sessions must decode or skip) and junk at the server
                try (RawIrcClient junk = RawIrcClient.connect(ngircd.port(), "junk")) {
                    junk.join("#contract");
                    ByteArrayOutputStream b = new ByteArrayOutputStream();
                    b.write("PRIVMSG #contract :caf".getBytes(StandardCharsets.US_ASCII));
                    b.write(
                            new byte[] {
                                (byte) 0xE9, (byte) 0xFF, (byte) 0xC3, 0x01, 0x02, '\r', '\n'
                            });
                    b.write(
                            ("PRIVMSG #contract :" + "x".repeat(2000) + "\r\n")
                                    .getBytes(StandardCharsets.US_ASCII));
                    b.write(
                            new byte[] {
                                0x00, (byte) 0x80, ':', ' ', '@', '\r', '\n', '\n', '\r', '\n'
                            });
                    b.write("@=;; :\r\n:only-a-prefix\r\n".getBytes(StandardCharsets.US_ASCII));
                    junk.sendBytes(b.toByteArray());
                    junk.send("PRIVMSG #contract :garbage done");
                    junk.await(
                            m ->
                                    m.command().equals("PONG")
                                            || m.command().equals("421")
                                            || m.isNumeric(),
                            Duration.ofSeconds(5));
                }
            }

            @Override
            public void close() {
                ngircd.close();
            }
        };
    }
}
