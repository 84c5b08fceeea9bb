package dev.sabir.jabberft;

import dev.sabir.api.Address;
import dev.sabir.api.DirectFileTransport;
import dev.sabir.api.FileOffer;
import java.util.concurrent.CompletionStage;

/**
 * A jabberft account's p2p transfer as offered to other plugins (the XMPP gateway) through the
 * host's {@link dev.sabir.api.FileTransports} registry, for XMPP users whose client advertises the
 * namespace. Recipients are full JIDs; the transfers run in the account's own engine, so their
 * {@link dev.sabir.api.FileProgress} events go to the account's sink under {@code
 * jabberft:<account>/<jid>}.
 */
final class GatewayTransport implements DirectFileTransport {
    private final JabberFtSession session;
    private final String name;

    GatewayTransport(JabberFtSession session, String account) {
        this.session = session;
        this.name = "jabberft:" + account;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletionStage<Boolean> accepts(String recipient) {
        return session.acceptsFiles(recipient);
    }

    @Override
    public Transfer offer(String recipient, FileOffer offer, String description) {
        dev.sabir.jabberft.transfer.Transfer t = session.offerFile(recipient, offer, description);
        return new Transfer() {
            @Override
            public String id() {
                return t.sid();
            }

            @Override
            public CompletionStage<Boolean> accepted() {
                return t.accepted();
            }

            @Override
            public CompletionStage<Void> finished() {
                return t.result().thenApply(sid -> null);
            }
        };
    }

    @Override
    public String toString() {
        return name;
    }

    /** The conversation a recipient's transfers are reported under. */
    static Address conversation(String account, String jid) {
        return new Address("jabberft", account, jid);
    }
}
