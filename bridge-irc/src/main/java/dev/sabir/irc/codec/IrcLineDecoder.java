package dev.sabir.irc.codec;

import dev.sabir.irc.codec.IrcCodecException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits the byte stream into lines and parses each into an {@link IrcMessage}.
 *
 * <p>A line is ended by LF (an optional CR before it is dropped); empty lines are ignored. Limits:
 * the part after the tags is at most {@code maxLine} bytes including CR LF (512 by RFC 1459) and
 * the tags section at most {@code maxTags} bytes including {@code @} and the space (8191 by IRCv3).
 * Text is UTF-8; a line that is not valid UTF-8 is read as Latin-1 instead.
 *
 * <p>A line over a limit is skipped up to its end and a malformed line is dropped: each fires one
 * {@link IrcCodecException} down the pipeline and decoding continues with the next line.
 */
public final class IrcLineDecoder extends ByteToMessageDecoder {
    /** RFC 1459 line limit including CR LF. */
    public static final int DEFAULT_MAX_LINE = 512;

    /** IRCv3 limit of the tags section. */
    public static final int DEFAULT_MAX_TAGS = 8191;

    private enum State {
        READ,
        DISCARD
    }

    private final int maxLine;
    private final int maxTags;
    private final CharsetDecoder utf8 =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
    private State state = State.READ;

    /** A decoder with the protocol's limits (512 and 8191 bytes). */
    public IrcLineDecoder() {
        this(DEFAULT_MAX_LINE, DEFAULT_MAX_TAGS);
    }

    /**
     * @param maxLine maximum bytes of a line without its tags, including CR LF
     * @param maxTags maximum bytes of the tags section, including {@code @} and the space after it
     */
    public IrcLineDecoder(int maxLine, int maxTags) {
        if (maxLine < 16 || maxTags < 2) {
            throw new IllegalArgumentException("limits too small");
        }
        this.maxLine = maxLine;
        this.maxTags = maxTags;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            int start = in.readerIndex();
            int lf = in.indexOf(start, in.writerIndex(), (byte) '\n');
            if (state == State.DISCARD) {
                if (lf < 0) {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                in.readerIndex(lf + 1);
                state = State.READ;
                continue;
            }
            boolean tagged = in.getByte(start) == '@';
            if (lf < 0) {
                Kind over = overLimit(in, start, in.writerIndex(), tagged);
                if (over != null) {
                    in.skipBytes(in.readableBytes());
                    state = State.DISCARD;
                    fail(ctx, over, "line over the limit, skipped");
                }
                return;
            }
            in.readerIndex(lf + 1);
            int end = lf > start && in.getByte(lf - 1) == '\r' ? lf - 1 : lf;
            if (end == start) {
                continue;
            }
            int bodyStart = start;
            if (tagged) {
                int space = in.indexOf(start, end, (byte) ' ');
                if (space < 0 || space + 1 - start > maxTags) {
                    fail(ctx, space < 0 ? Kind.MALFORMED : Kind.TAGS_TOO_LONG, "tags section");
                    continue;
                }
                bodyStart = space + 1;
            }
            if (lf + 1 - bodyStart > maxLine) {
                fail(ctx, Kind.LINE_TOO_LONG, (lf + 1 - bodyStart) + " bytes");
                continue;
            }
            String text = decodeText(in, start, end - start);
            try {
                out.add(IrcMessage.parse(text));
            } catch (IrcCodecException e) {
                ctx.fireExceptionCaught(e);
            }
        }
    }

    /** For an unfinished line: the limit it already exceeds, or null. */
    private Kind overLimit(ByteBuf in, int start, int end, boolean tagged) {
        int bodyStart = start;
        if (tagged) {
            int space = in.indexOf(start, Math.min(end, start + maxTags), (byte) ' ');
            if (space < 0) {
                return end - start >= maxTags ? Kind.TAGS_TOO_LONG : null;
            }
            bodyStart = space + 1;
        }
        // the line still needs at least LF, so more than maxLine - 1 bytes cannot fit
        return end - bodyStart > maxLine - 1 ? Kind.LINE_TOO_LONG : null;
    }

    private static void fail(ChannelHandlerContext ctx, Kind kind, String detail) {
        ctx.fireExceptionCaught(new IrcCodecException(kind, detail));
    }

    private String decodeText(ByteBuf in, int index, int length) {
        ByteBuffer bytes = in.nioBuffer(index, length);
        try {
            CharBuffer chars = utf8.reset().decode(bytes);
            return chars.toString();
        } catch (CharacterCodingException e) {
            return in.toString(index, length, StandardCharsets.ISO_8859_1);
        }
    }
}
