package dev.sabir.xmpp.element;

import java.util.Objects;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.XmlStringBuilder;

/**
 * XEP-0066 out-of-band data in a message: {@code <x
 * xmlns='jabber:x:oob'><url>…</url><desc>…</desc></x>}.
 *
 * @param url the link
 * @param desc a description, or null
 */
public record OobElement(String url, String desc) implements ExtensionElement {
    /** The element name. */
    public static final String ELEMENT = "x";

    /** The namespace. */
    public static final String NAMESPACE = "jabber:x:oob";

    /** Checks the url. */
    public OobElement {
        Objects.requireNonNull(url, "url");
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
        XmlStringBuilder xml = new XmlStringBuilder(this, env).rightAngleBracket();
        xml.element("url", url);
        xml.optElement("desc", desc);
        return xml.closeElement(this);
    }
}
