package dev.sabir.soulseek.codec;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.function.BiConsumer;

/** Writes Soulseek fields (little-endian) into a buffer. Strings are sent as UTF-8. */
public final class SlskWriter {
    private final ByteBuf buf;

    /**
     * @param buf where to write
     */
    public SlskWriter(ByteBuf buf) {
        this.buf = buf;
    }

    /** An unsigned byte. */
    public SlskWriter u8(int v) {
        buf.writeByte(v);
        return this;
    }

    /** A boolean byte. */
    public SlskWriter bool(boolean v) {
        buf.writeByte(v ? 1 : 0);
        return this;
    }

    /** A uint16. */
    public SlskWriter u16(int v) {
        buf.writeShortLE(v);
        return this;
    }

    /** A uint32 (the int's bit pattern). */
    public SlskWriter u32(int v) {
        buf.writeIntLE(v);
        return this;
    }

    /** A uint64. */
    public SlskWriter u64(long v) {
        buf.writeLongLE(v);
        return this;
    }

    /** A length-prefixed UTF-8 string. */
    public SlskWriter string(String s) {
        return bytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A length-prefixed byte string. */
    public SlskWriter bytes(byte[] b) {
        buf.writeIntLE(b.length);
        buf.writeBytes(b);
        return this;
    }

    /** Raw bytes without a length. */
    public SlskWriter raw(byte[] b) {
        buf.writeBytes(b);
        return this;
    }

    /** A counted array. */
    public <T> SlskWriter list(Collection<T> items, BiConsumer<SlskWriter, T> element) {
        buf.writeIntLE(items.size());
        for (T t : items) {
            element.accept(this, t);
        }
        return this;
    }

    /** A counted array of strings. */
    public SlskWriter strings(Collection<String> items) {
        return list(items, SlskWriter::string);
    }
}
