package dev.sabir.xmpp.codec;

import java.util.Map;
import java.util.Objects;

/**
 * One unit of an XMPP stream as the framer cuts it: the stream header, a top-level element, or the
 * end.
 */
public sealed interface XmlFrame {

    /**
     * The peer opened its stream.
     *
     * @param attributes the attributes of {@code <stream:stream>} (prefixed names as written)
     */
    record StreamOpen(Map<String, String> attributes) implements XmlFrame {
        /** Copies the attributes. */
        public StreamOpen {
            attributes = Map.copyOf(attributes);
        }

        /** An attribute value, or null. */
        public String attribute(String name) {
            return attributes.get(name);
        }
    }

    /**
     * A complete top-level element (a stanza, a handshake, a stream error).
     *
     * @param name the element's qualified name as written, e.g. {@code message} or {@code
     *     stream:error}
     * @param xml the element's text
     */
    record Element(String name, String xml) implements XmlFrame {
        /** Checks the parts. */
        public Element {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(xml, "xml");
        }
    }

    /** The peer closed its stream ({@code </stream:stream>}). */
    record StreamClose() implements XmlFrame {}
}
