package dev.sabir.xmpp.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Outgoing XEP-0114 stream elements (static factories) and the few facts read back from the server.
 */
public final class ComponentProtocol {
    /** The component stream's default namespace. */
    public static final String NS_COMPONENT = "jabber:component:accept";

    /** The client namespace Smack parses stanzas in. */
    public static final String NS_CLIENT = "jabber:client";

    /** Stream error namespace. */
    public static final String NS_STREAMS = "urn:ietf:params:xml:ns:xmpp-streams";

    private static final Pattern FIRST_CHILD =
            Pattern.compile("<(?!/)([A-Za-z][-A-Za-z0-9_.]*)[\\s/>]");
    private static final Pattern XMLNS = Pattern.compile("\\sxmlns\\s*=\\s*(['\"])([^'\"]*)\\1");

    private ComponentProtocol() {}

    /** The stream header a component sends to the server. */
    public static String streamHeader(String domain) {
        return "<?xml version='1.0'?><stream:stream xmlns='"
                + NS_COMPONENT
                + "' xmlns:stream='http://etherx.jabber.org/streams' to='"
                + escape(domain)
                + "'>";
    }

    /** The handshake element: {@code sha1_hex(streamId + secret)}. */
    public static String handshake(String streamId, String secret) {
        return "<handshake>" + handshakeDigest(streamId, secret) + "</handshake>";
    }

    /** {@code sha1_hex(streamId + secret)}, lower case. */
    public static String handshakeDigest(String streamId, String secret) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            return HexFormat.of()
                    .formatHex(sha1.digest((streamId + secret).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JVM", e);
        }
    }

    /** A stream error followed by the stream's end. */
    public static String streamError(String condition) {
        return "<stream:error><"
                + condition
                + " xmlns='"
                + NS_STREAMS
                + "'/></stream:error></stream:stream>";
    }

    /** The stream's end. */
    public static String streamClose() {
        return "</stream:stream>";
    }

    /**
     * The condition of a {@code <stream:error>} element (its first child's name), or {@code
     * undefined-condition}.
     */
    public static String streamErrorCondition(String xml) {
        int gt = xml.indexOf('>');
        Matcher m = FIRST_CHILD.matcher(xml);
        if (gt >= 0 && m.find(gt + 1)) {
            return m.group(1);
        }
        return "undefined-condition";
    }

    /**
     * Puts a top-level stanza from the component stream into the client namespace, so Smack parses
     * it: {@code jabber:component:accept} (written or inherited from the stream) becomes {@code
     * jabber:client}; any other namespace is left alone.
     */
    public static String toClientNamespace(String stanzaXml) {
        int endOfStartTag = stanzaXml.indexOf('>');
        if (endOfStartTag < 0) {
            return stanzaXml;
        }
        String startTag = stanzaXml.substring(0, endOfStartTag);
        Matcher m = XMLNS.matcher(startTag);
        if (m.find()) {
            if (!m.group(2).equals(NS_COMPONENT)) {
                return stanzaXml;
            }
            return stanzaXml.substring(0, m.start(2)) + NS_CLIENT + stanzaXml.substring(m.end(2));
        }
        int nameEnd = 1;
        while (nameEnd < startTag.length()
                && !Character.isWhitespace(startTag.charAt(nameEnd))
                && startTag.charAt(nameEnd) != '/') {
            nameEnd++;
        }
        return stanzaXml.substring(0, nameEnd)
                + " xmlns='"
                + NS_CLIENT
                + "'"
                + stanzaXml.substring(nameEnd);
    }

    /** Escapes text for an attribute or element body. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '\'' -> b.append("&apos;");
                case '"' -> b.append("&quot;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
