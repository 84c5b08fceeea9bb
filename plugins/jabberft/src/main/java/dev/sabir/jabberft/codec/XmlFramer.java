package dev.sabir.jabberft.codec;

import dev.sabir.jabberft.codec.XmlFrameException.Reason;
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
 * Cuts a component stream into {@link XmlFrame}s by counting element depth.
 *
 * <p>The scanner keeps its state between reads, so every byte is looked at once however the input
 * is split. It understands tags, quoted attribute values and an XML declaration before the stream
 * header; it refuses comments, processing instructions, DTDs and CDATA inside the stream (the
 * server never sends them), control characters and anything over the size limits. After the first
 * fault it raises one {@link XmlFrameException} and ignores the rest of the input.
 */
public final class XmlFramer extends ByteToMessageDecoder {
    /** Default limit for one top-level element, in bytes. */
    public static final int DEFAULT_MAX_ELEMENT = 64 * 1024;

    /** Default limit for the stream header, in bytes. */
    public static final int DEFAULT_MAX_HEADER = 4 * 1024;

    private static final Pattern ATTRIBUTE =
            Pattern.compile("([A-Za-z_][-A-Za-z0-9_:.]*)\\s*=\\s*(?:'([^']*)'|\"([^\"]*)\")");

    private enum State {
        TEXT,
        LESS_THAN,
        START_TAG,
        SINGLE_QUOTED,
        DOUBLE_QUOTED,
        END_TAG,
        DECLARATION,
        CLOSED,
        FAILED
    }

    private final int maxElement;
    private final int maxHeader;

    private State state = State.TEXT;
    private boolean streamOpen;
    private int depth;

    /** Bytes already scanned past the reader index. */
    private int pos;

    /** Offset from the reader index of the current top-level element, or -1. */
    private int start = -1;

    private boolean slashBeforeGt;
    private boolean questionBeforeGt;
    private final StringBuilder tagName = new StringBuilder();
    private boolean collectingName;
    private String topName = "";

    /** A framer with the default limits. */
    public XmlFramer() {
        this(DEFAULT_MAX_ELEMENT, DEFAULT_MAX_HEADER);
    }

    /**
     * @param maxElement largest top-level element accepted, in bytes
     * @param maxHeader largest stream header (with a declaration before it), in bytes
     */
    public XmlFramer(int maxElement, int maxHeader) {
        if (maxElement < 64 || maxHeader < 64) {
            throw new IllegalArgumentException("limits must be at least 64 bytes");
        }
        this.maxElement = maxElement;
        this.maxHeader = maxHeader;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (state == State.FAILED || state == State.CLOSED) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            scan(in, out);
        } catch (XmlFrameException e) {
            state = State.FAILED;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void scan(ByteBuf in, List<Object> out) {
        while (pos < in.readableBytes()) {
            int b = in.getByte(in.readerIndex() + pos) & 0xff;
            if (b < 0x20 && b != '\t' && b != '\n' && b != '\r') {
                throw new XmlFrameException(Reason.NOT_WELL_FORMED, "control byte " + b);
            }
            switch (state) {
                case TEXT -> {
                    if (b == '<') {
                        if (streamOpen && depth == 1) {
                            start = pos;
                        }
                        state = State.LESS_THAN;
                    } else if ((!streamOpen || depth == 1) && !isSpace(b)) {
                        throw new XmlFrameException(
                                Reason.NOT_WELL_FORMED, "text between elements");
                    }
                }
                case LESS_THAN -> {
                    if (b == '/') {
                        state = State.END_TAG;
                    } else if (b == '?') {
                        if (streamOpen) {
                            throw new XmlFrameException(
                                    Reason.RESTRICTED_XML, "processing instruction in the stream");
                        }
                        questionBeforeGt = false;
                        state = State.DECLARATION;
                    } else if (b == '!') {
                        throw new XmlFrameException(
                                Reason.RESTRICTED_XML, "comment, CDATA or DTD in the stream");
                    } else if (isSpace(b) || b == '>' || b == '<' || b == '=') {
                        throw new XmlFrameException(Reason.NOT_WELL_FORMED, "bad tag start");
                    } else {
                        state = State.START_TAG;
                        slashBeforeGt = false;
                        collectingName = !streamOpen || depth == 1;
                        tagName.setLength(0);
                        if (collectingName) {
                            tagName.append((char) b);
                        }
                    }
                }
                case START_TAG -> {
                    if (b == '>') {
                        pos++;
                        if (startTagEnd(in, out)) {
                            return;
                        }
                        continue;
                    }
                    if (collectingName) {
                        if (isSpace(b) || b == '/') {
                            collectingName = false;
                        } else if (tagName.length() < 128) {
                            tagName.append((char) b);
                        }
                    }
                    if (b == '\'') {
                        state = State.SINGLE_QUOTED;
                    } else if (b == '"') {
                        state = State.DOUBLE_QUOTED;
                    } else if (b == '<') {
                        throw new XmlFrameException(Reason.NOT_WELL_FORMED, "'<' inside a tag");
                    }
                    slashBeforeGt = b == '/';
                }
                case SINGLE_QUOTED, DOUBLE_QUOTED -> {
                    if (b == '<') {
                        throw new XmlFrameException(Reason.NOT_WELL_FORMED, "'<' in an attribute");
                    }
                    if (b == (state == State.SINGLE_QUOTED ? '\'' : '"')) {
                        state = State.START_TAG;
                        slashBeforeGt = false;
                    }
                }
                case END_TAG -> {
                    if (b == '>') {
                        pos++;
                        state = State.TEXT;
                        depth--;
                        if (depth < 0 || !streamOpen) {
                            throw new XmlFrameException(
                                    Reason.NOT_WELL_FORMED, "end tag without a start");
                        }
                        if (depth == 0) {
                            out.add(new XmlFrame.StreamClose());
                            state = State.CLOSED;
                            in.skipBytes(in.readableBytes());
                            pos = 0;
                            return;
                        }
                        if (depth == 1) {
                            emit(in, out);
                        }
                        continue;
                    } else if (b == '<') {
                        throw new XmlFrameException(Reason.NOT_WELL_FORMED, "'<' in an end tag");
                    }
                }
                case DECLARATION -> {
                    if (b == '>' && questionBeforeGt) {
                        state = State.TEXT;
                    }
                    questionBeforeGt = b == '?';
                }
                default -> throw new IllegalStateException(state.name());
            }
            pos++;
            checkLimits();
        }
        if (streamOpen && depth == 1 && state == State.TEXT && pos > 0) {
            in.skipBytes(pos); // whitespace keepalives between stanzas
            pos = 0;
        }
    }

    /** Handles the {@code >} of a start tag; true when scanning must stop. */
    private boolean startTagEnd(ByteBuf in, List<Object> out) {
        state = State.TEXT;
        collectingName = false;
        if (!streamOpen) {
            if (slashBeforeGt) {
                throw new XmlFrameException(Reason.NOT_WELL_FORMED, "empty stream header");
            }
            String header = in.toString(in.readerIndex(), pos, StandardCharsets.UTF_8);
            int tag = header.lastIndexOf('<');
            out.add(new XmlFrame.StreamOpen(attributes(header.substring(tag))));
            streamOpen = true;
            depth = 1;
            in.skipBytes(pos);
            pos = 0;
            return false;
        }
        if (depth == 1) {
            topName = tagName.toString();
        }
        if (slashBeforeGt) {
            if (depth == 1) {
                emit(in, out);
            }
        } else {
            depth++;
        }
        checkLimits();
        return false;
    }

    private void emit(ByteBuf in, List<Object> out) {
        String xml = in.toString(in.readerIndex() + start, pos - start, StandardCharsets.UTF_8);
        out.add(new XmlFrame.Element(topName, xml));
        in.skipBytes(pos);
        pos = 0;
        start = -1;
    }

    private void checkLimits() {
        if (!streamOpen) {
            if (pos > maxHeader) {
                throw new XmlFrameException(Reason.TOO_LARGE, "stream header over " + maxHeader);
            }
        } else if (start >= 0 && pos - start > maxElement) {
            throw new XmlFrameException(Reason.TOO_LARGE, "element over " + maxElement + " bytes");
        }
    }

    private static Map<String, String> attributes(String tag) {
        Map<String, String> attrs = new LinkedHashMap<>();
        Matcher m = ATTRIBUTE.matcher(tag);
        while (m.find()) {
            attrs.put(m.group(1), XmlText.unescape(m.group(2) != null ? m.group(2) : m.group(3)));
        }
        return attrs;
    }

    private static boolean isSpace(int b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
