package dev.sabir.xmpp.component;

import org.jivesoftware.smack.packet.IQ;

/** An IQ whose child element is given as ready XML (for replies Smack has no class for). */
public final class RawIq extends IQ {
    private final String inner;

    /**
     * @param element the child element's name
     * @param namespace its namespace
     * @param inner the child's content, already escaped XML (may be empty)
     */
    public RawIq(String element, String namespace, String inner) {
        super(element, namespace);
        this.inner = inner;
    }

    /** A result reply to a request, with the given child. */
    public static RawIq resultFor(IQ request, String element, String namespace, String inner) {
        RawIq iq = new RawIq(element, namespace, inner);
        iq.setType(Type.result);
        iq.setStanzaId(request.getStanzaId());
        iq.setTo(request.getFrom());
        iq.setFrom(request.getTo());
        return iq;
    }

    @Override
    protected IQChildElementXmlStringBuilder getIQChildElementBuilder(
            IQChildElementXmlStringBuilder xml) {
        if (inner.isEmpty()) {
            xml.setEmptyElement();
        } else {
            xml.rightAngleBracket();
            xml.append(inner);
        }
        return xml;
    }
}
