package dev.sabir.jabberft.codec;

import java.util.Map;

/** What the {@link XmlFramer} cuts an XMPP component stream into. */
public sealed interface XmlFrame {

    /**
     * The server's stream header.
     *
     * @param attributes the header's attributes by qualified name (e.g. {@code id}, {@code from})
     */
    record StreamOpen(Map<String, String> attributes) implements XmlFrame {
        /** Copies the attributes. */
        public StreamOpen {
            attributes = Map.copyOf(attributes);
        }

        /** The stream id, or an empty string. */
        public String id() {
            return attributes.getOrDefault("id", "");
        }
    }

    /**
     * One complete top-level element (a stanza, a handshake, a stream error).
     *
     * @param name the element's qualified name as written, e.g. {@code iq} or {@code stream:error}
     * @param xml the element's text, UTF-8 decoded
     */
    record Element(String name, String xml) implements XmlFrame {}

    /** The server closed the stream. */
    record StreamClose() implements XmlFrame {}
}
