package dev.sabir.jabberft.codec;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.xml.XMLConstants;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * A parsed element: a tiny immutable tree, enough for stanzas of a few kilobytes.
 *
 * <p>Parsed with the JDK's StAX with DTDs and external entities switched off. Stanzas framed out of
 * a component stream are parsed inside a wrapper that binds the {@code stream} prefix and the
 * stream's default namespace, so {@code <stream:error>} and un-prefixed stanzas parse alone.
 *
 * @param name the local name
 * @param namespace the namespace URI, or an empty string
 * @param attributes attributes by local name (namespaced attributes by {@code prefix:local})
 * @param children child elements in order
 * @param text the concatenated character data directly inside this element
 */
public record XmlElement(
        String name,
        String namespace,
        Map<String, String> attributes,
        List<XmlElement> children,
        String text) {

    /** The stream namespace of RFC 6120. */
    public static final String STREAM_NS = "http://etherx.jabber.org/streams";

    /** The default namespace of a component stream. */
    public static final String COMPONENT_NS = "jabber:component:accept";

    private static final int MAX_DEPTH = 32;
    private static final int MAX_TEXT = 64 * 1024;

    /** Copies the parts. */
    public XmlElement {
        Objects.requireNonNull(name, "name");
        namespace = namespace == null ? "" : namespace;
        attributes = Map.copyOf(attributes);
        children = List.copyOf(children);
        text = text == null ? "" : text;
    }

    /** An attribute, or null. */
    public String attr(String key) {
        return attributes.get(key);
    }

    /** The first child with that local name (any namespace). */
    public Optional<XmlElement> child(String local) {
        return children.stream().filter(c -> c.name.equals(local)).findFirst();
    }

    /** The first child with that local name and namespace. */
    public Optional<XmlElement> child(String local, String ns) {
        return children.stream()
                .filter(c -> c.name.equals(local) && c.namespace.equals(ns))
                .findFirst();
    }

    /** True when a child with that local name exists. */
    public boolean has(String local) {
        return child(local).isPresent();
    }

    /** The trimmed text of a child, or null when absent. */
    public String childText(String local) {
        return child(local).map(c -> c.text.trim()).orElse(null);
    }

    /**
     * Parses one top-level element of a component stream.
     *
     * @throws XmlFrameException with {@link XmlFrameException.Reason#NOT_WELL_FORMED} when the text
     *     is not a well-formed element
     */
    public static XmlElement parseStanza(String xml) {
        String wrapped =
                "<w xmlns='" + COMPONENT_NS + "' xmlns:stream='" + STREAM_NS + "'>" + xml + "</w>";
        XmlElement root = parse(wrapped);
        if (root.children.size() != 1) {
            throw new XmlFrameException(
                    XmlFrameException.Reason.NOT_WELL_FORMED, "expected exactly one element");
        }
        return root.children.get(0);
    }

    /** Parses a standalone element. */
    public static XmlElement parse(String xml) {
        XMLInputFactory f = XMLInputFactory.newFactory();
        f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        f.setProperty(XMLInputFactory.IS_COALESCING, true);
        XMLStreamReader r = null;
        try {
            r = f.createXMLStreamReader(new StringReader(xml));
            Deque<Builder> stack = new ArrayDeque<>();
            XmlElement root = null;
            while (r.hasNext()) {
                int ev = r.next();
                switch (ev) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        if (stack.size() >= MAX_DEPTH) {
                            throw new XmlFrameException(
                                    XmlFrameException.Reason.TOO_LARGE, "elements nested too deep");
                        }
                        Builder b = new Builder(r.getLocalName(), r.getNamespaceURI());
                        for (int i = 0; i < r.getAttributeCount(); i++) {
                            String prefix = r.getAttributePrefix(i);
                            String key =
                                    prefix == null
                                                    || prefix.isEmpty()
                                                    || XMLConstants.DEFAULT_NS_PREFIX.equals(prefix)
                                            ? r.getAttributeLocalName(i)
                                            : prefix + ":" + r.getAttributeLocalName(i);
                            b.attrs.put(key, r.getAttributeValue(i));
                        }
                        stack.push(b);
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA -> {
                        Builder top = stack.peek();
                        if (top != null) {
                            if (top.text.length() + r.getTextLength() > MAX_TEXT) {
                                throw new XmlFrameException(
                                        XmlFrameException.Reason.TOO_LARGE, "text too long");
                            }
                            top.text.append(r.getText());
                        }
                    }
                    case XMLStreamConstants.END_ELEMENT -> {
                        XmlElement done = stack.pop().build();
                        if (stack.isEmpty()) {
                            root = done;
                        } else {
                            stack.peek().children.add(done);
                        }
                    }
                    case XMLStreamConstants.DTD, XMLStreamConstants.ENTITY_REFERENCE ->
                            throw new XmlFrameException(
                                    XmlFrameException.Reason.RESTRICTED_XML, "DTD or entity");
                    default -> {
                        // comments, whitespace outside the root, end of document
                    }
                }
            }
            if (root == null) {
                throw new XmlFrameException(XmlFrameException.Reason.NOT_WELL_FORMED, "no element");
            }
            return root;
        } catch (XMLStreamException e) {
            throw new XmlFrameException(
                    XmlFrameException.Reason.NOT_WELL_FORMED, String.valueOf(e.getMessage()));
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException ignored) {
                    // nothing to release
                }
            }
        }
    }

    private static final class Builder {
        final String name;
        final String ns;
        final Map<String, String> attrs = new LinkedHashMap<>();
        final List<XmlElement> children = new ArrayList<>();
        final StringBuilder text = new StringBuilder();

        Builder(String name, String ns) {
            this.name = name;
            this.ns = ns;
        }

        XmlElement build() {
            return new XmlElement(name, ns, attrs, children, text.toString());
        }
    }
}
