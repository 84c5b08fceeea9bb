package dev.sabir.torchat.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

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
     * Unescapes data bytes: every {@code \n} becomes LF, then every {@code \/} becomes {@code \}.
     */
    public static byte[] unescape(byte[] escaped) {
        return replace(replace(escaped, (byte) 'n', (byte) '\n'), (byte) '/', (byte) '\\');
    }

    private static byte[] replace(byte[] in, byte second, byte with) {
        byte[] out = null;
        int j = 0;
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\\' && i + 1 < in.length && in[i + 1] == second) {
                if (out == null) {
                    out = new byte[in.length - 1];
                    System.arraycopy(in, 0, out, 0, i);
                    j = i;
                }
                out[j++] = with;
                i++;
            } else if (out != null) {
                out[j++] = in[i];
            }
        }
        return out == null ? in : Arrays.copyOf(out, j);
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
