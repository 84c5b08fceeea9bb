package dev.sabir.loopback;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Connector;
import dev.sabir.testkit.ConnectorContract;
import dev.sabir.testkit.ContractFixture;
import dev.sabir.testkit.GarbagePeer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** The loopback plugin passes the contract: a server account and a relay-client account. */
class LoopbackContractTest extends ConnectorContract {

    @Override
    protected ContractFixture createFixture(Path tempDir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int p = port;
        return new ContractFixture() {
            @Override
            public Connector connector() {
                return new LoopbackConnector();
            }

            @Override
            public AccountConfig first() {
                return new AccountConfig(
                        "srv", "loopback", true, Map.of("listen", "127.0.0.1:" + p));
            }

            @Override
            public AccountConfig second() {
                return new AccountConfig(
                        "cli",
                        "loopback",
                        true,
                        Map.of("connect", "127.0.0.1:" + p, "nick", "relay"));
            }

            @Override
            public Address conversationOnFirst() {
                return Address.parse("loopback:srv/lobby");
            }

            @Override
            public Address conversationOnSecond() {
                return Address.parse("loopback:cli/lobby");
            }

            @Override
            public void sendGarbage() throws Exception {
                // a bad line, an empty NICK and a 300 KiB line without an end: the server
                // answers or not, and must hang up
                GarbagePeer.sendAndAwaitHangup(
                        p,
                        Duration.ofSeconds(5),
                        new byte[] {(byte) 0xff, (byte) 0xfe, 'x', '\n'},
                        "NICK\n".getBytes(StandardCharsets.US_ASCII),
                        new byte[300 * 1024]);
            }
        };
    }
}
