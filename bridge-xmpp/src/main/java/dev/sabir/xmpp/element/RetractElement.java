package dev.sabir.xmpp.element;

import java.util.Objects;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.XmlStringBuilder;

/**
 * XEP-0424 message retraction, current namespace: {@code <retract
 * xmlns='urn:xmpp:message-retract:1' id='…'/>} (Smack 4.4 only knows the old {@code :0} form).
 *
 * @param id the id of the message retracted
 */
public record RetractElement(String id) implements ExtensionElement {
    /** The element name. */
    public static final String ELEMENT = "retract";

    /** The namespace. */
    public static final String NAMESPACE = "urn:xmpp:message-retract:1";

    /** Checks the id. */
    public RetractElement {
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
        return new XmlStringBuilder(this, env).attribute("id", id).closeEmptyElement();
    }
}
