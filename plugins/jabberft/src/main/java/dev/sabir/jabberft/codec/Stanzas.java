package dev.sabir.jabberft.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Static factories for everything the component writes on its stream. */
public final class Stanzas {
    /** XEP-0030 info namespace. */
    public static final String DISCO_INFO = "http://jabber.org/protocol/disco#info";

    /** XEP-0030 items namespace. */
    public static final String DISCO_ITEMS = "http://jabber.org/protocol/disco#items";

    /** XEP-0199 ping namespace. */
    public static final String PING = "urn:xmpp:ping";

    /** RFC 6120 stanza error namespace. */
    public static final String STANZA_ERRORS = "urn:ietf:params:xml:ns:xmpp-stanzas";

    private Stanzas() {}

    /** The component stream header (XEP-0114). */
    public static String streamOpen(String domain) {
        return "<stream:stream xmlns='jabber:component:accept'"
                + " xmlns:stream='http://etherx.jabber.org/streams' to='"
                + XmlText.escape(domain)
                + "'>";
    }

    /** The end of the stream. */
    public static String streamClose() {
        return "</stream:stream>";
    }

    /** The handshake: lower-case hex SHA-1 of the stream id followed by the secret. */
    public static String handshake(String streamId, String secret) {
        return "<handshake>" + handshakeDigest(streamId, secret) + "</handshake>";
    }

    /** The digest inside the handshake element. */
    public static String handshakeDigest(String streamId, String secret) {
        try {
            MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
            byte[] d = sha1.digest((streamId + secret).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("no SHA-1 in this JVM", e);
        }
    }

    /** An IQ with an optional payload. */
    public static String iq(String type, String id, String from, String to, String payload) {
        StringBuilder b = new StringBuilder(128);
        b.append("<iq type='").append(type).append("' id='").append(XmlText.escape(id));
        b.append("' from='").append(XmlText.escape(from)).append("' to='");
        b.append(XmlText.escape(to)).append('\'');
        if (payload == null || payload.isEmpty()) {
            return b.append("/>").toString();
        }
        return b.append('>').append(payload).append("</iq>").toString();
    }

    /** An empty result for a request. */
    public static String result(String id, String from, String to) {
        return iq("result", id, from, to, null);
    }

    /** An error reply with a defined condition (type cancel, or modify for bad-request). */
    public static String error(String id, String from, String to, String condition) {
        String type =
                "bad-request".equals(condition) || "not-acceptable".equals(condition)
                        ? "modify"
                        : "cancel";
        return iq(
                "error",
                id,
                from,
                to,
                "<error type='"
                        + type
                        + "'><"
                        + condition
                        + " xmlns='"
                        + STANZA_ERRORS
                        + "'/></error>");
    }

    /** A disco#info request. */
    public static String discoInfoQuery(String id, String from, String to) {
        return iq("get", id, from, to, "<query xmlns='" + DISCO_INFO + "'/>");
    }

    /** The component's disco#info answer. */
    public static String discoInfoResult(String id, String from, String to, String name) {
        return iq(
                "result",
                id,
                from,
                to,
                "<query xmlns='"
                        + DISCO_INFO
                        + "'>"
                        + "<identity category='component' type='generic' name='"
                        + XmlText.escape(name)
                        + "'/>"
                        + "<feature var='"
                        + DISCO_INFO
                        + "'/>"
                        + "<feature var='"
                        + PING
                        + "'/>"
                        + "<feature var='"
                        + FtQuery.NAMESPACE
                        + "'/>"
                        + "</query>");
    }

    /** An empty disco#items answer. */
    public static String discoItemsResult(String id, String from, String to) {
        return iq("result", id, from, to, "<query xmlns='" + DISCO_ITEMS + "'/>");
    }

    /** A chat message with a body. */
    public static String chat(String id, String from, String to, String body) {
        return "<message type='chat' id='"
                + XmlText.escape(id)
                + "' from='"
                + XmlText.escape(from)
                + "' to='"
                + XmlText.escape(to)
                + "'><body>"
                + XmlText.escape(body)
                + "</body></message>";
    }

    /** Available presence from the component to a peer. */
    public static String presence(String from, String to) {
        return "<presence from='" + XmlText.escape(from) + "' to='" + XmlText.escape(to) + "'/>";
    }
}
