package dev.sabir.jabberft;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Connector;
import dev.sabir.testkit.ConnectorContract;
import dev.sabir.testkit.ContractFixture;
import dev.sabir.testkit.GarbagePeer;
import dev.sabir.testkit.servers.Prosody;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** The shared connector contract: two jabberft components on one real Prosody. */
class JabberFtContractTest extends ConnectorContract {

    @Override
    protected ContractFixture createFixture(Path tempDir) throws Exception {
        Prosody prosody =
                Prosody.builder()
                        .component(FileTransferTest.A, FileTransferTest.SECRET)
                        .component(FileTransferTest.B, FileTransferTest.SECRET)
                        .start();
        int portA = Ports.free();
        int portB = Ports.free();
        return new ContractFixture() {
            @Override
            public Connector connector() {
                return new JabberFtConnector();
            }

            private AccountConfig account(String name, String domain, int port) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("server", prosody.componentAddress());
                s.put("domain", domain);
                s.put("secret", FileTransferTest.SECRET);
                s.put("listen", "127.0.0.1:" + port);
                s.put("timeout_seconds", 5);
                return new AccountConfig(name, "jabberft", true, s);
            }

            @Override
            public AccountConfig first() {
                return account("a", FileTransferTest.A, portA);
            }

            @Override
            public AccountConfig second() {
                return account("b", FileTransferTest.B, portB);
            }

            @Override
            public Address conversationOnFirst() {
                return new Address("jabberft", "a", FileTransferTest.B);
            }

            @Override
            public Address conversationOnSecond() {
                return new Address("jabberft", "b", FileTransferTest.A);
            }

            @Override
            public void sendGarbage() throws Exception {
                for (int port : new int[] {portA, portB}) {
                    GarbagePeer.Hangup h =
                            GarbagePeer.sendAndAwaitHangup(
                                    port,
                                    Duration.ofSeconds(5),
                                    "\u0000\u00ffnot a header at all\n"
                                            .getBytes(StandardCharsets.ISO_8859_1));
                    if (h.answer().length > 0) {
                        throw new AssertionError("garbage connection was answered");
                    }
                }
            }

            @Override
            public void close() {
                prosody.close();
            }
        };
    }
}
