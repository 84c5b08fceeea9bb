package dev.sabir.xmpp.component;

import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError;

/** Builds XMPP error replies (RFC 6120 §8.3) to any stanza. */
public final class Errors {
    private Errors() {}

    /**
     * The error reply to a stanza, or null when the stanza is itself an error or an IQ result
     * (those are never answered).
     */
    public static Stanza reply(Stanza request, StanzaError.Condition condition, String text) {
        StanzaError.Builder b = StanzaError.getBuilder(condition);
        if (text != null) {
            b.setDescriptiveEnText(text);
        }
        StanzaError error = b.build();
        if (request instanceof IQ iq) {
            if (iq.getType() == IQ.Type.error || iq.getType() == IQ.Type.result) {
                return null;
            }
            return IQ.createErrorResponse(iq, error);
        }
        if (request instanceof Message m) {
            if (m.getType() == Message.Type.error) {
                return null;
            }
            return StanzaBuilder.buildMessage(m.getStanzaId())
                    .ofType(Message.Type.error)
                    .to(m.getFrom())
                    .from(m.getTo())
                    .setError(error)
                    .build();
        }
        if (request instanceof Presence p) {
            if (p.getType() == Presence.Type.error) {
                return null;
            }
            return StanzaBuilder.buildPresence(p.getStanzaId())
                    .ofType(Presence.Type.error)
                    .to(p.getFrom())
                    .from(p.getTo())
                    .setError(error)
                    .build();
        }
        return null;
    }
}
