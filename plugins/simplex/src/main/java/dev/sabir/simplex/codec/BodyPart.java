package dev.sabir.simplex.codec;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of one body part (binary safe). The array is copied in and out.
 *
 * @param data the bytes
 */
public record BodyPart(byte[] data) {
    /** Copies the bytes. */
    public BodyPart {
        data = data.clone();
    }

    /** A UTF-8 text body. */
    public static BodyPart text(String text) {
        return new BodyPart(text.getBytes(StandardCharsets.UTF_8));
    }

    /** A copy of the bytes. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Number of bytes. */
    public int length() {
        return data.length;
    }

    /** The bytes as UTF-8 text. */
    public String asText() {
        return new String(data, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BodyPart b && Arrays.equals(data, b.data);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "BodyPart[" + data.length + " bytes]";
    }
}
