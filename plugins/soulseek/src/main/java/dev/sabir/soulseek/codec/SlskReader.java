package dev.sabir.soulseek.codec;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads Soulseek fields (little-endian) from one frame. Every read checks that the frame holds the
 * bytes first and throws {@link SoulseekCodecException} otherwise, so a lying length never causes
 * an allocation beyond the frame.
 */
public final class SlskReader {
    private static final Charset FALLBACK = fallbackCharset();

    private final ByteBuf buf;
    private final SlskLimits limits;

    /**
     * @param buf the frame (read from its reader index to its writer index)
     * @param limits the limits for strings and compressed payloads
     */
    public SlskReader(ByteBuf buf, SlskLimits limits) {
        this.buf = buf;
        this.limits = limits;
    }

    /** The limits in force. */
    public SlskLimits limits() {
        return limits;
    }

    /** Bytes left in the frame. */
    public int remaining() {
        return buf.readableBytes();
    }

    /** True when an optional trailing field of {@code size} bytes is present. */
    public boolean has(int size) {
        return buf.readableBytes() >= size;
    }

    private void need(int n, String what) {
        if (buf.readableBytes() < n) {
            throw new SoulseekCodecException(
                    SoulseekCodecException.Kind.TRUNCATED,
                    what + " needs " + n + " bytes, " + buf.readableBytes() + " left");
        }
    }

    /** An unsigned byte. */
    public int u8() {
        need(1, "uint8");
        return buf.readUnsignedByte();
    }

    /** A boolean (one byte, non-zero is true). */
    public boolean bool() {
        need(1, "bool");
        return buf.readByte() != 0;
    }

    /** An unsigned 16-bit value. */
    public int u16() {
        need(2, "uint16");
        return buf.readUnsignedShortLE();
    }

    /** A uint32 as its 32-bit pattern (values over 2^31 are negative). */
    public int u32() {
        need(4, "uint32");
        return buf.readIntLE();
    }

    /** A uint64 as its 64-bit pattern. */
    public long u64() {
        need(8, "uint64");
        return buf.readLongLE();
    }

    /** A length-prefixed string: UTF-8, or cp1252/Latin-1 when the bytes are not valid UTF-8. */
    public String string() {
        byte[] bytes = bytes("string", limits.maxString());
        return decodeText(bytes);
    }

    /** A length-prefixed byte string with its own limit. */
    public byte[] bytes(String what, int max) {
        int len = u32();
        if (len < 0 || len > max) {
            throw new SoulseekCodecException(
                    SoulseekCodecException.Kind.STRING_TOO_LONG,
                    what + " of " + Integer.toUnsignedString(len) + " bytes over limit " + max);
        }
        need(len, what + " of " + len + " bytes");
        byte[] out = new byte[len];
        buf.readBytes(out);
        return out;
    }

    /** All bytes left in the frame. */
    public byte[] rest() {
        byte[] out = new byte[buf.readableBytes()];
        buf.readBytes(out);
        return out;
    }

    /**
     * An array count, checked against the bytes left: each element takes at least {@code minSize}
     * bytes.
     */
    public int count(int minSize) {
        int n = u32();
        if (n < 0 || (long) n * Math.max(1, minSize) > buf.readableBytes()) {
            throw new SoulseekCodecException(
                    SoulseekCodecException.Kind.BAD_COUNT,
                    "array of "
                            + Integer.toUnsignedString(n)
                            + " cannot fit in "
                            + buf.readableBytes()
                            + " bytes");
        }
        return n;
    }

    /** A counted array of elements read by {@code element}, each at least {@code minSize} bytes. */
    public <T> List<T> list(int minSize, Function<SlskReader, T> element) {
        int n = count(minSize);
        List<T> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(element.apply(this));
        }
        return out;
    }

    /** A counted array of strings. */
    public List<String> strings() {
        return list(4, SlskReader::string);
    }

    /** Decodes text the way deployed clients do: UTF-8 first, then cp1252 (or Latin-1). */
    public static String decodeText(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, FALLBACK);
        }
    }

    private static Charset fallbackCharset() {
        try {
            return Charset.forName("windows-1252");
        } catch (RuntimeException e) {
            return StandardCharsets.ISO_8859_1;
        }
    }
}
