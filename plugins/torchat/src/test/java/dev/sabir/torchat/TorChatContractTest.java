package dev.sabir.torchat;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Connector;
import dev.sabir.testkit.ConnectorContract;
import dev.sabir.testkit.ContractFixture;
import dev.sabir.testkit.GarbagePeer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The shared connector contract, with two TorChat accounts talking directly over loopback. */
class TorChatContractTest extends ConnectorContract {

    @Override
    protected ContractFixture createFixture(Path tempDir) throws Exception {
        String idA = Node.idFor("first");
        String idB = Node.idFor("second");
        int portA = Node.freePort();
        int portB = Node.freePort();
        return new ContractFixture() {
            @Override
            public Connector connector() {
                return new TorChatConnector();
            }

            @Override
            public AccountConfig first() {
                return account("first", idA, portA, idB, portB);
            }

            @Override
            public AccountConfig second() {
                return account("second", idB, portB, idA, portA);
            }

            @Override
            public Address conversationOnFirst() {
                return new Address("torchat", "first", idB);
            }

            @Override
            public Address conversationOnSecond() {
                return new Address("torchat", "second", idA);
            }

            @Override
            public void sendGarbage() throws Exception {
                // the session hangs up on a connection that does not start with ping
                for (int port : new int[] {portA, portB}) {
                    GarbagePeer.sendAndAwaitHangup(
                            port,
                            Duration.ofSeconds(5),
                            "\u0000\u00ff garbage\nGET / HTTP/1.0\n\n"
                                    .getBytes(StandardCharsets.ISO_8859_1));
                }
            }
        };
    }

    private static AccountConfig account(
            String name, String id, int port, String peerId, int peerPort) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("id", id);
        s.put("transport", "direct");
        s.put("listen", "127.0.0.1:" + port);
        s.put("peers", Map.of(peerId, "127.0.0.1:" + peerPort));
        s.put("buddies", List.of(peerId));
        s.put("reconnect_min_ms", 100);
        s.put("reconnect_max_ms", 1000);
        return new AccountConfig(name, "torchat", true, s);
    }
}
