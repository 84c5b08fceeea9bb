package dev.sabir.xmpp;

import dev.sabir.xmpp.codec.ComponentProtocol;
import org.jivesoftware.smack.SmackConfiguration;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.util.PacketParserUtils;
import org.jivesoftware.smack.xml.SmackXmlParser;
import org.jivesoftware.smack.xml.xpp3.Xpp3XmlPullParserFactory;

/**
 * Smack set-up for use inside a plugin, and stanza parsing / serialising for the component stream.
 *
 * <p>Smack finds its XML parser through {@link java.util.ServiceLoader} with the thread's context
 * class loader, which inside a PF4J plugin is the host's: the factory is set explicitly here.
 */
public final class Stanzas {
    private static final XmlEnvironment CLIENT = new XmlEnvironment(ComponentProtocol.NS_CLIENT);

    private Stanzas() {}

    /** Makes Smack usable from the plugin's class loader; safe to call repeatedly. */
    public static void initSmack() {
        Thread t = Thread.currentThread();
        ClassLoader previous = t.getContextClassLoader();
        t.setContextClassLoader(Stanzas.class.getClassLoader());
        try {
            SmackXmlParser.setXmlPullParserFactory(new Xpp3XmlPullParserFactory());
            SmackConfiguration.getVersion(); // runs Smack's initialisation (providers) once
            dev.sabir.xmpp.provider.SabirProviders.register();
        } finally {
            t.setContextClassLoader(previous);
        }
    }

    /**
     * Parses a stanza read from the component stream.
     *
     * @throws StanzaParseException when it is not a stanza Smack understands
     */
    public static Stanza parse(String xml) throws StanzaParseException {
        try {
            Stanza s = PacketParserUtils.parseStanza(ComponentProtocol.toClientNamespace(xml));
            if (s == null) {
                throw new StanzaParseException("not a stanza");
            }
            return s;
        } catch (StanzaParseException e) {
            throw e;
        } catch (Exception | LinkageError e) {
            throw new StanzaParseException(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    /**
     * Serialises a stanza for the component stream (no {@code xmlns}, it inherits the stream's).
     */
    public static String toXml(Stanza stanza) {
        return stanza.toXML(CLIENT).toString();
    }

    private static final java.util.regex.Pattern ATTRIBUTE =
            java.util.regex.Pattern.compile("\\s([a-zA-Z:]+)\\s*=\\s*(?:'([^']*)'|\"([^\"]*)\")");

    /**
     * A {@code bad-request} error answering an IQ that could not be parsed, built from the
     * attributes of its start tag; null when it is no request (result, error, no id or sender) or
     * not addressed to the component's domain.
     *
     * @param xml the raw IQ
     * @param domain the component's domain
     * @param why the parse error, for the error text
     */
    public static String iqErrorFor(String xml, String domain, String why) {
        int end = xml.indexOf('>');
        if (end < 0) {
            return null;
        }
        java.util.Map<String, String> attrs = new java.util.HashMap<>();
        java.util.regex.Matcher m = ATTRIBUTE.matcher(xml.substring(0, end));
        while (m.find()) {
            attrs.put(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
        }
        String type = attrs.get("type");
        String id = attrs.get("id");
        String from = attrs.get("from");
        String to = attrs.get("to");
        if (id == null
                || from == null
                || to == null
                || !("get".equals(type) || "set".equals(type))) {
            return null;
        }
        String toDomain = to.substring(to.indexOf('@') + 1);
        if (toDomain.indexOf('/') >= 0) {
            toDomain = toDomain.substring(0, toDomain.indexOf('/'));
        }
        if (!toDomain.equalsIgnoreCase(domain)) {
            return null;
        }
        // the values are still escaped as they came, so they are copied back as they are
        return "<iq type='error' id='"
                + id.replace("'", "&apos;")
                + "' from='"
                + to.replace("'", "&apos;")
                + "' to='"
                + from.replace("'", "&apos;")
                + "'><error type='modify'><bad-request"
                + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text"
                + " xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>"
                + ComponentProtocol.escape("malformed request: " + why)
                + "</text></error></iq>";
    }

    /** A stanza could not be parsed. */
    public static final class StanzaParseException extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * @param message why
         */
        public StanzaParseException(String message) {
            super(message);
        }
    }
}
