package dev.sabir.xmpp.element;

import java.util.Objects;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.XmlStringBuilder;

/**
 * XEP-0461 message reply: {@code <reply xmlns='urn:xmpp:reply:0' to='author' id='…'/>}.
 *
 * @param to the JID of the author of the message replied to, or null
 * @param id the id of the message replied to
 */
public record ReplyElement(String to, String id) implements ExtensionElement {
    /** The element name. */
    public static final String ELEMENT = "reply";

    /** The namespace. */
    public static final String NAMESPACE = "urn:xmpp:reply:0";

    /** Checks the id. */
    public ReplyElement {
        Objects.requireNonNull(id, "id");
    }

    @Override
    public String getElementName() {
        return ELEMENT;
    }

    @Override
    public String getNamespace() {
        return NAMESPACE;
    }

    @Override
    public XmlStringBuilder toXML(XmlEnvironment env) {
        return new XmlStringBuilder(this, env)
                .optAttribute("to", to)
                .attribute("id", id)
                .closeEmptyElement();
    }
}
