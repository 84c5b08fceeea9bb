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
