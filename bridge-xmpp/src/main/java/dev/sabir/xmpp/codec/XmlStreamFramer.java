package dev.sabir.xmpp.codec;

import dev.sabir.xmpp.codec.XmlFrameException.Reason;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Cuts an XMPP stream into {@link XmlFrame}s by counting element depth; it does not parse XML
 * beyond what framing needs (Smack parses each element afterwards).
 *
 * <p>An incremental lexer: its state survives between reads, so bytes are scanned once however the
 * stream is split. It knows tags, quoted attribute values and CDATA sections, rejects comments,
 * processing instructions and DTDs inside the stream (RFC 6120 restricted XML), control characters,
 * and anything longer than the limits. Whitespace between top-level elements (keepalives) is
 * dropped. After a fault it throws one {@link XmlFrameException} and discards the rest of the
 * input.
 */
public final class XmlStreamFramer extends ByteToMessageDecoder {
    /** Default limit for one top-level element. */
    public static final int DEFAULT_MAX_ELEMENT = 256 * 1024;

    /** Default limit for the stream header (and an XML declaration before it). */
    public static final int DEFAULT_MAX_HEADER = 8 * 1024;

    private static final Pattern ATTRIBUTE =
            Pattern.compile("([A-Za-z_:][-A-Za-z0-9_:.]*)\\s*=\\s*(?:'([^']*)'|\"([^\"]*)\")");
    private static final byte[] CDATA_OPEN = "[CDATA[".getBytes(StandardCharsets.US_ASCII);

    private enum Lex {
        TEXT,
        LT,
        START_TAG,
        ATTR_SINGLE,
        ATTR_DOUBLE,
        END_TAG,
        PI,
        BANG,
        CDATA,
        CLOSED,
        BAD
    }

    private final int maxElement;
    private final int maxHeader;

    private Lex lex = Lex.TEXT;
    private boolean streamOpen;
    private int depth;

    /** Bytes scanned past the reader index. */
    private int pos;

    /** Offset (from the reader index) of the current top-level element's {@code <}, or -1. */
    private int elementStart = -1;

    private boolean lastSlash;
    private boolean capturingName;
    private final StringBuilder name = new StringBuilder();
    private String elementName = "";
    private int matchIndex;
    private int bracketRun;
    private boolean questionSeen;

    /** A framer with the default limits. */
    public XmlStreamFramer() {
        this(DEFAULT_MAX_ELEMENT, DEFAULT_MAX_HEADER);
    }

    /**
     * @param maxElement the largest top-level element accepted, in bytes
     * @param maxHeader the largest stream header accepted, in bytes
     */
    public XmlStreamFramer(int maxElement, int maxHeader) {
        if (maxElement < 64 || maxHeader < 64) {
            throw new IllegalArgumentException("limits below 64 bytes");
        }
        this.maxElement = maxElement;
        this.maxHeader = maxHeader;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (lex == Lex.BAD || lex == Lex.CLOSED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            scan(in, out);
        } catch (XmlFrameException e) {
            lex = Lex.BAD;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void scan(ByteBuf in, List<Object> out) {
        int base = in.readerIndex();
        while (pos < in.readableBytes()) {
            int b = in.getByte(base + pos) & 0xff;
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                throw new XmlFrameException(Reason.NOT_WELL_FORMED, "control character " + b);
            }
            switch (lex) {
                case TEXT -> {
                    if (b == '<') {
                        if (streamOpen && depth == 1) {
                            elementStart = pos;
                        }
                        lex = Lex.LT;
                    } else if ((!streamOpen || depth == 1) && !isSpace(b)) {
                        throw new XmlFrameException(
                                Reason.NOT_WELL_FORMED, "text outside an element");
                    }
                }
                case LT -> {
                    if (b == '/') {
                        lex = Lex.END_TAG;
                    } else if (b == '?') {
                        if (streamOpen) {
                            throw new XmlFrameException(
                                    Reason.RESTRICTED_XML, "processing instruction in the stream");
                        }
                        questionSeen = false;
                        lex = Lex.PI;
                    } else if (b == '!') {
                        if (!streamOpen || depth < 2) {
                            throw new XmlFrameException(
                                    Reason.RESTRICTED_XML, "comment or DTD in the stream");
                        }
                        matchIndex = 0;
                        lex = Lex.BANG;
                    } else if (isSpace(b) || b == '>' || b == '<') {
                        throw new XmlFrameException(Reason.NOT_WELL_FORMED, "bad tag start");
                    } else {
                        lex = Lex.START_TAG;
                        lastSlash = false;
                        capturingName = !streamOpen || depth == 1;
                        name.setLength(0);
                        if (capturingName) {
                            name.append((char) b);
                        }
                    }
                }
                case START_TAG -> {
                    if (b == '>') {
                        capturingName = false;
                        startTagDone(in, base, out);
                        if (lex == Lex.CLOSED) {
                            return;
                        }
                        base = in.readerIndex();
                        continue;
                    }
                    if (capturingName) {
                        if (isSpace(b) || b == '/') {
                            capturingName = false;
                        } else {
                            name.append((char) b);
                        }
                    }
                    if (b == '\'') {
                        lex = Lex.ATTR_SINGLE;
                    } else if (b == '"') {
                        lex = Lex.ATTR_DOUBLE;
                    } else if (b == '<') {
                        throw new XmlFrameException(Reason.NOT_WELL_FORMED, "'<' inside a tag");
                    }
                    lastSlash = b == '/';
                }
                case ATTR_SINGLE, ATTR_DOUBLE -> {
                    if (b == '<') {
                        throw new XmlFrameException(Reason.NOT_WELL_FORMED, "'<' in an attribute");
                    }
                    if (b == (lex == Lex.ATTR_SINGLE ? '\'' : '"')) {
                        lex = Lex.START_TAG;
                        lastSlash = false;
                    }
                }
                case END_TAG -> {
                    if (b == '>') {
                        lex = Lex.TEXT;
                        depth--;
                        if (depth <= 0) {
                            if (!streamOpen) {
                                throw new XmlFrameException(
                                        Reason.BAD_STREAM, "end tag before the stream");
                            }
                            out.add(new XmlFrame.StreamClose());
                            lex = Lex.CLOSED;
                            in.skipBytes(in.readableBytes());
                            pos = 0;
                            return;
                        }
                        if (depth == 1) {
                            emitElement(in, base, out);
                            base = in.readerIndex();
                            continue;
                        }
                    }
                }
                case PI -> {
                    if (b == '>' && questionSeen) {
                        lex = Lex.TEXT;
                    }
                    questionSeen = b == '?';
                }
                case BANG -> {
                    if (b != CDATA_OPEN[matchIndex]) {
                        throw new XmlFrameException(
                                Reason.RESTRICTED_XML, "comment or DTD in a stanza");
                    }
                    if (++matchIndex == CDATA_OPEN.length) {
                        bracketRun = 0;
                        lex = Lex.CDATA;
                    }
                }
                case CDATA -> {
                    if (b == '>' && bracketRun >= 2) {
                        lex = Lex.TEXT;
                    }
                    bracketRun = b == ']' ? bracketRun + 1 : 0;
                }
                default -> throw new IllegalStateException(lex.name());
            }
            pos++;
            checkLimits();
        }
        // Drop whitespace between top-level elements once it has been scanned.
        if (streamOpen && depth == 1 && lex == Lex.TEXT && pos > 0) {
            in.skipBytes(pos);
            pos = 0;
        }
    }

    private void checkLimits() {
        if (!streamOpen) {
            if (pos > maxHeader) {
                throw new XmlFrameException(
                        Reason.TOO_LARGE, "stream header over " + maxHeader + " bytes");
            }
        } else if (elementStart >= 0 && pos - elementStart > maxElement) {
            throw new XmlFrameException(Reason.TOO_LARGE, "element over " + maxElement + " bytes");
        }
    }

    /** Called with {@code pos} on the {@code >} of a start tag. */
    private void startTagDone(ByteBuf in, int base, List<Object> out) {
        boolean selfClosing = lastSlash;
        lex = Lex.TEXT;
        if (!streamOpen) {
            String tag = name.toString();
            if (selfClosing || !(tag.equals("stream") || tag.endsWith(":stream"))) {
                throw new XmlFrameException(
                        Reason.BAD_STREAM, "expected a stream header, got <" + tag + ">");
            }
            String header = in.toString(base, pos + 1, StandardCharsets.UTF_8);
            in.skipBytes(pos + 1);
            pos = 0;
            streamOpen = true;
            depth = 1;
            out.add(new XmlFrame.StreamOpen(attributes(header)));
            return;
        }
        if (depth == 1) {
            elementName = name.toString();
        }
        if (selfClosing) {
            if (depth == 1) {
                emitElement(in, base, out);
            } else {
                pos++;
            }
            return;
        }
        depth++;
        pos++;
    }

    /** Emits the element that ends at {@code pos} and consumes it. */
    private void emitElement(ByteBuf in, int base, List<Object> out) {
        int end = pos + 1;
        String xml = in.toString(base + elementStart, end - elementStart, StandardCharsets.UTF_8);
        in.skipBytes(end);
        pos = 0;
        elementStart = -1;
        out.add(new XmlFrame.Element(elementName, xml));
    }

    private static boolean isSpace(int b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }

    /**
     * Parses the attributes of a start tag (entities are left as written, except the five XML
     * ones).
     */
    static Map<String, String> attributes(String startTag) {
        Map<String, String> attrs = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(startTag);
        while (m.find()) {
            String v = m.group(2) != null ? m.group(2) : m.group(3);
            attrs.put(m.group(1), unescape(v));
        }
        return attrs;
    }

    private static String unescape(String v) {
        if (v.indexOf('&') < 0) {
            return v;
        }
        return v.replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&amp;", "&");
    }
}
