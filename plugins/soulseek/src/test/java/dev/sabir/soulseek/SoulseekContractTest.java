package dev.sabir.soulseek;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Connector;
import dev.sabir.soulseek.support.Fixtures;
import dev.sabir.testkit.ConnectorContract;
import dev.sabir.testkit.ContractFixture;
import dev.sabir.testkit.GarbagePeer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The connector contract with a server-mode account (first, hosting {@code lobby}) and a
 * client-mode account (second) logged into it and sitting in the same room.
 */
class SoulseekContractTest extends ConnectorContract {

    @Override
    protected ContractFixture createFixture(Path tempDir) throws Exception {
        int port = Fixtures.freePort();
        return new ContractFixture() {
            @Override
            public Connector connector() {
                return new SoulseekConnector();
            }

            @Override
            public AccountConfig first() {
                return Fixtures.server("first", port);
            }

            @Override
            public AccountConfig second() {
                return Fixtures.client("second", port, "bridgeuser", "pw", List.of("lobby"));
            }

            @Override
            public Address conversationOnFirst() {
                return Address.parse("soulseek:first/room:lobby");
            }

            @Override
            public Address conversationOnSecond() {
                return Address.parse("soulseek:second/room:lobby");
            }

            @Override
            public void sendGarbage() throws Exception {
                // a frame announcing a 2 GiB message, then an HTTP request: the server closes
                GarbagePeer.sendAndAwaitHangup(
                        port,
                        Duration.ofSeconds(5),
                        new byte[] {
                            9,
                            0,
                            0,
                            0,
                            1,
                            0,
                            0,
                            0,
                            (byte) 0xff,
                            (byte) 0xff,
                            (byte) 0xff,
                            (byte) 0x7f,
                            0
                        },
                        "GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            }
        };
    }
}
