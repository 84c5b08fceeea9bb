package dev.sabir.soulseek;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Connector;
import dev.sabir.soulseek.support.Fixtures;
import dev.sabir.testkit.ConnectorContract;
import dev.sabir.testkit.ContractFixture;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.file.Path;
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
                try (Socket s = new Socket("127.0.0.1", port)) {
                    OutputStream out = s.getOutputStream();
                    out.write(
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
                            });
                    out.write(
                            "GET / HTTP/1.0\r\n\r\n"
                                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                    out.flush();
                    s.setSoTimeout(3000);
                    while (s.getInputStream().read() >= 0) {
                        // the server closes the connection
                    }
                }
            }
        };
    }
}
