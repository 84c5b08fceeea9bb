package dev.sabir.xmpp;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Connector;
import dev.sabir.testkit.ConnectorContract;
import dev.sabir.testkit.ContractFixture;
import dev.sabir.testkit.servers.Prosody;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

/**
 * The shared connector contract: the first account is a component serving the room {@code hall},
 * the second a client-mode account that joined {@code hall@sabir.localhost} through Prosody.
 */
class XmppConnectorContractTest extends ConnectorContract {

    @Override
    protected ContractFixture createFixture(Path tempDir) throws Exception {
        Prosody prosody = XmppFixture.prosody();
        prosody.register("relay", "pw");
        AccountConfig comp =
                XmppFixture.componentAccount("comp", prosody, XmppFixture.SECRET, Map.of());
        AccountConfig client = XmppFixture.clientAccount("relay", prosody, "relay", "relaybot");
        Stanzas.initSmack();
        // Smack keeps process-wide threads (its reactor and a cached executor) that outlive any one
        // connection; start them here, before the contract takes its thread snapshot, so the leak
        // check sees what the sessions themselves leave behind.
        XmppFixture.user(prosody, "relay").disconnect();
        SmackWarmUp.startWorkers(8);
        return new ContractFixture() {
            @Override
            public Connector connector() {
                return new XmppConnector();
            }

            @Override
            public AccountConfig first() {
                return comp;
            }

            @Override
            public AccountConfig second() {
                return client;
            }

            @Override
            public Address conversationOnFirst() {
                return comp.address().withId("hall");
            }

            @Override
            public Address conversationOnSecond() {
                return client.address().withId("hall@" + XmppFixture.COMPONENT);
            }

            @Override
            public void sendGarbage() throws Exception {
                // garbage at the server's component and client ports: the server drops those
                // connections; the component's own stream must not be affected
                for (int port : new int[] {prosody.componentPort(), prosody.c2sPort()}) {
                    try (Socket s = new Socket("127.0.0.1", port)) {
                        OutputStream out = s.getOutputStream();
                        out.write(
                                "<stream:stream><<<\u0000garbage&&&"
                                        .getBytes(StandardCharsets.UTF_8));
                        out.flush();
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
