package dev.sabir.xmpp.component;

import org.jivesoftware.smack.packet.Stanza;

/** Where the component's features write stanzas. */
@FunctionalInterface
public interface StanzaOut {
    /**
     * Sends a stanza to the server.
     *
     * @return false when the component is offline and the stanza was not sent
     */
    boolean send(Stanza stanza);
}
