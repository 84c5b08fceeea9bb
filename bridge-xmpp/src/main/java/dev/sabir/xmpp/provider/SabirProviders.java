package dev.sabir.xmpp.provider;

import dev.sabir.xmpp.element.OobElement;
import dev.sabir.xmpp.element.ReplyElement;
import dev.sabir.xmpp.element.RetractElement;
import java.io.IOException;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.ExtensionElementProvider;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smack.xml.XmlPullParserException;

/** Providers for the extension elements Smack 4.4 lacks, and their registration. */
public final class SabirProviders {
    private SabirProviders() {}

    /** Registers the providers with Smack (idempotent). */
    public static void register() {
        ProviderManager.addExtensionProvider(
                RetractElement.ELEMENT, RetractElement.NAMESPACE, new RetractProvider());
        ProviderManager.addExtensionProvider(
                ReplyElement.ELEMENT, ReplyElement.NAMESPACE, new ReplyProvider());
        ProviderManager.addExtensionProvider(
                OobElement.ELEMENT, OobElement.NAMESPACE, new OobProvider());
    }

    /** Parses {@code <retract xmlns='urn:xmpp:message-retract:1'/>}. */
    public static final class RetractProvider extends ExtensionElementProvider<RetractElement> {
        @Override
        public RetractElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws XmlPullParserException, IOException {
            String id = parser.getAttributeValue("", "id");
            skip(parser, initialDepth);
            return new RetractElement(id == null ? "" : id);
        }
    }

    /** Parses {@code <reply xmlns='urn:xmpp:reply:0'/>}. */
    public static final class ReplyProvider extends ExtensionElementProvider<ReplyElement> {
        @Override
        public ReplyElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws XmlPullParserException, IOException {
            String to = parser.getAttributeValue("", "to");
            String id = parser.getAttributeValue("", "id");
            skip(parser, initialDepth);
            return new ReplyElement(to, id == null ? "" : id);
        }
    }

    /** Parses {@code <x xmlns='jabber:x:oob'/>}. */
    public static final class OobProvider extends ExtensionElementProvider<OobElement> {
        @Override
        public OobElement parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws XmlPullParserException, IOException {
            String url = null;
            String desc = null;
            while (true) {
                XmlPullParser.Event ev = parser.next();
                if (ev == XmlPullParser.Event.START_ELEMENT) {
                    String n = parser.getName();
                    if (n.equals("url")) {
                        url = parser.nextText().trim();
                    } else if (n.equals("desc")) {
                        desc = parser.nextText();
                    }
                } else if (ev == XmlPullParser.Event.END_ELEMENT
                        && parser.getDepth() == initialDepth) {
                    break;
                } else if (ev == XmlPullParser.Event.END_DOCUMENT) {
                    throw new IOException("unexpected end of document");
                }
            }
            return new OobElement(url == null ? "" : url, desc);
        }
    }

    private static void skip(XmlPullParser parser, int initialDepth)
            throws XmlPullParserException, IOException {
        while (!(parser.getEventType() == XmlPullParser.Event.END_ELEMENT
                && parser.getDepth() == initialDepth)) {
            if (parser.next() == XmlPullParser.Event.END_DOCUMENT) {
                throw new IOException("unexpected end of document");
            }
        }
    }
}
