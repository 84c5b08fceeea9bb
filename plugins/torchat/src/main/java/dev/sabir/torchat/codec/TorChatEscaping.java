package dev.sabir.torchat.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * The TorChat data encoding: {@code \} becomes {@code \/} (first), then LF becomes {@code \n}.
 * Decoding reverses it in the opposite order over the whole data part, exactly like the deployed
 * clients (a plain find-and-replace, so a stray {@code \} that is not part of an escape is kept as
 * it is). CR is not escaped.
 */
public final class TorChatEscaping {
    private TorChatEscaping() {}

    /** Escapes raw data bytes (returns the same array when nothing needs escaping). */
    public static byte[] escape(byte[] raw) {
        int extra = escapedLength(raw) - raw.length;
        if (extra == 0) {
            return raw;
        }
        byte[] out = new byte[raw.length + extra];
        int j = 0;
        for (byte b : raw) {
            if (b == '\\') {
                out[j++] = '\\';
                out[j++] = '/';
            } else if (b == '\n') {
                out[j++] = '\\';
                out[j++] = 'n';
            } else {
                out[j++] = b;
            }
        }
        return out;
    }

    /**
     * Unescapes data bytes: every {@code \n} becomes LF, then every {@code \/} becomes {@code \}
     * (returns the same array when nothing needs unescaping).
     */
    public static byte[] unescape(byte[] escaped) {
        ByteBuf in = Unpooled.wrappedBuffer(escaped);
        int n = unescapedLength(in, 0, escaped.length);
        if (n == escaped.length) {
            return escaped;
        }
        byte[] out = new byte[n];
        unescape(in, 0, escaped.length, out, 0);
        return out;
    }

    /*
     * The deployed clients unescape with two find-and-replace passes (first "\n", then "\/"). A
     * single left-to-right pass gives the same bytes: a backslash never ends an escape (only 'n' and
     * '/' do), and the first pass leaves an LF where it removed a pair, which cannot form a "\/"
     * with its neighbours. So every backslash starts an escape when the next byte is 'n' or '/',
     * and is kept as it is otherwise (also as the last byte).
     */

    /**
     * The length of {@code buf[from, to)} once unescaped. Reads nothing outside the range, so a
     * backslash as its last byte counts as a plain backslash.
     */
    static int unescapedLength(ByteBuf buf, int from, int to) {
        int n = to - from;
        int i = from;
        while (i < to) {
            int bs = buf.indexOf(i, to, (byte) '\\');
            if (bs < 0) {
                break;
            }
            if (bs + 1 < to && isEscape(buf.getByte(bs + 1))) {
                n--;
                i = bs + 2;
            } else {
                i = bs + 1;
            }
        }
        return n;
    }

    /**
     * Unescapes {@code buf[from, to)} into {@code dst} from {@code off} (which must have room for
     * {@link #unescapedLength} bytes), copying the runs between backslashes in bulk. Leaves the
     * buffer's indices alone.
     *
     * @return the number of bytes written
     */
    static int unescape(ByteBuf buf, int from, int to, byte[] dst, int off) {
        int j = off;
        int i = from;
        while (i < to) {
            int bs = buf.indexOf(i, to, (byte) '\\');
            int run = (bs < 0 ? to : bs) - i;
            buf.getBytes(i, dst, j, run);
            j += run;
            if (bs < 0) {
                break;
            }
            byte next = bs + 1 < to ? buf.getByte(bs + 1) : 0;
            if (next == 'n') {
                dst[j++] = '\n';
                i = bs + 2;
            } else if (next == '/') {
                dst[j++] = '\\';
                i = bs + 2;
            } else {
                dst[j++] = '\\';
                i = bs + 1;
            }
        }
        return j - off;
    }

    private static boolean isEscape(byte second) {
        return second == 'n' || second == '/';
    }

    /** Writes raw data bytes escaped into {@code out}, copying the runs between escapes in bulk. */
    static void escape(byte[] raw, ByteBuf out) {
        int start = 0;
        for (int i = 0; i < raw.length; i++) {
            byte b = raw[i];
            if (b == '\\' || b == '\n') {
                out.writeBytes(raw, start, i - start);
                out.writeByte('\\');
                out.writeByte(b == '\\' ? '/' : 'n');
                start = i + 1;
            }
        }
        out.writeBytes(raw, start, raw.length - start);
    }

    /** The number of bytes a text takes on the wire once UTF-8 encoded and escaped. */
    public static int escapedLength(String text) {
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' || c == '\n') {
                n += 2;
            } else if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /** The number of bytes raw data takes once escaped. */
    public static int escapedLength(byte[] raw) {
        int n = raw.length;
        for (byte b : raw) {
            if (b == '\\' || b == '\n') {
                n++;
            }
        }
        return n;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
