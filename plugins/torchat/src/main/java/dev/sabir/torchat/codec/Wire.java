package dev.sabir.torchat.codec;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/** Field helpers shared by the records (package-private on purpose). */
final class Wire {
    private Wire() {}

    static void token(String field, String value) {
        Objects.requireNonNull(value, field);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(field + " is empty");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == ' ' || c == '\n' || c == '\r') {
                throw new IllegalArgumentException(field + " contains a space or line break");
            }
        }
    }

    static void checkLine(String name, Object... parts) {
        long n = name.length() + 2L; // name + space + LF
        for (Object p : parts) {
            n += 1;
            if (p instanceof byte[] b) {
                n += TorChatEscaping.escapedLength(b);
            } else {
                n += TorChatEscaping.escapedLength((String) p);
            }
        }
        if (n > TorChatPacket.MAX_LINE) {
            throw new IllegalArgumentException(
                    name
                            + " packet would be "
                            + n
                            + " bytes, over the "
                            + TorChatPacket.MAX_LINE
                            + " limit");
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] text(String s) {
        return s.isEmpty() ? null : utf8(s);
    }

    static byte[] words(String... words) {
        return words.length == 0 ? null : utf8(String.join(" ", words));
    }

    static String[] prepend(String first, List<String> rest) {
        String[] out = new String[rest.size() + 1];
        out[0] = first;
        for (int i = 0; i < rest.size(); i++) {
            out[i + 1] = rest.get(i);
        }
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static String md5(byte[] data) {
        return HexFormat.of().formatHex(md5Digest(data));
    }

    /**
     * True when {@code hex} is the MD5 of the data in hex, either case: the same answer as {@code
     * hex.equalsIgnoreCase(md5(data))}, without building the hex string.
     */
    static boolean md5Matches(String hex, byte[] data) {
        if (hex.length() != 32) {
            return false;
        }
        byte[] digest = md5Digest(data);
        for (int i = 0; i < digest.length; i++) {
            int hi = hexDigit(hex.charAt(2 * i));
            int lo = hexDigit(hex.charAt(2 * i + 1));
            if (hi < 0 || lo < 0 || (hi << 4 | lo) != (digest[i] & 0xff)) {
                return false;
            }
        }
        return true;
    }

    /** The value of an ASCII hex digit of either case, or -1. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        } else if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static byte[] md5Digest(byte[] data) {
        try {
            return MessageDigest.getInstance("MD5").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
