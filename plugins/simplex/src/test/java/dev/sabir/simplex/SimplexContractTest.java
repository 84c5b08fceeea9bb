package dev.sabir.simplex;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Connector;
import dev.sabir.simplex.transport.Blocks;
import dev.sabir.testkit.ConnectorContract;
import dev.sabir.testkit.ContractFixture;
import dev.sabir.testkit.GarbagePeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The SimpleX-style plugin passes the connector contract. The first account owns the group {@code
 * contract} and has an {@code inviteSecret}; the second account's {@code join} list holds the
 * owner's first preset invitation, computed from the owner's configuration alone. So both sessions
 * start on empty stores, the second accepts the invitation when it connects, and its {@code join}
 * of the group returns once the owner answered: from then on the two are members of one group.
 */
class SimplexContractTest extends ConnectorContract {

    @Override
    protected ContractFixture createFixture(Path tempDir) throws Exception {
        int ownerPort = Peer.freePortBelowEphemeralRange();
        int memberPort;
        do {
            memberPort = Peer.freePortBelowEphemeralRange();
        } while (memberPort == ownerPort);
        AccountConfig owner =
                new AccountConfig(
                        "first",
                        "simplex",
                        true,
                        Map.of(
                                "listen",
                                "127.0.0.1:" + ownerPort,
                                "name",
                                "owner",
                                "groups",
                                List.of("contract"),
                                "inviteSecret",
                                "contract-test-secret-0123456789"));
        String invitation = SimplexConnector.presetInvitation(owner, "contract", 1);
        AccountConfig member =
                new AccountConfig(
                        "second",
                        "simplex",
                        true,
                        Map.of(
                                "listen",
                                "127.0.0.1:" + memberPort,
                                "name",
                                "member",
                                "join",
                                List.of(invitation)));
        return new ContractFixture() {
            @Override
            public Connector connector() {
                return new SimplexConnector();
            }

            @Override
            public AccountConfig first() {
                return owner;
            }

            @Override
            public AccountConfig second() {
                return member;
            }

            @Override
            public Address conversationOnFirst() {
                return new Address("simplex", "first", "group:contract");
            }

            @Override
            public Address conversationOnSecond() {
                return new Address("simplex", "second", "group:contract");
            }

            @Override
            public void sendGarbage() throws Exception {
                // a block and a bit of random bytes: the listener answers nothing and closes
                byte[] junk = new byte[Blocks.SIZE + 100];
                new Random(5).nextBytes(junk);
                GarbagePeer.Hangup h =
                        GarbagePeer.sendAndAwaitHangup(ownerPort, Duration.ofSeconds(5), junk);
                if (h.answer().length > 0) {
                    throw new AssertionError("the listener answered garbage");
                }
            }
        };
    }
}
