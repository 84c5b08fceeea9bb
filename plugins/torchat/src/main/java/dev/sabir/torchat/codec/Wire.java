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
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
