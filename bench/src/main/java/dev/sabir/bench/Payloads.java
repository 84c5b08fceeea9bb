package dev.sabir.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/** Deterministic test data of chat-like sizes, shared by the benchmarks. */
final class Payloads {
    /** Length of a typical chat line, in characters (ASCII, so also bytes). */
    static final int MESSAGE_CHARS = 100;

    /** A typical file block, in bytes. */
    static final int FILE_BLOCK = 8 * 1024;

    private static final String WORDS =
            "the quick brown fox jumps over a lazy dog while bridges carry chat between"
                    + " networks and nobody notices the relay at all";

    private Payloads() {}

    /** A chat line of exactly {@code chars} printable ASCII characters, varied by {@code seed}. */
    static String text(int seed, int chars) {
        StringBuilder sb = new StringBuilder(chars);
        sb.append(seed).append(": ");
        int i = seed % WORDS.length();
        while (sb.length() < chars) {
            sb.append(WORDS.charAt(i));
            i = (i + 1) % WORDS.length();
        }
        return sb.substring(0, chars);
    }

    /** A chat line of {@link #MESSAGE_CHARS} characters. */
    static String text(int seed) {
        return text(seed, MESSAGE_CHARS);
    }

    /**
     * {@code size} random bytes (every value 0-255 occurs, so line-based codecs have to escape the
     * line feeds and backslashes in it, as they would for a real binary file).
     */
    static byte[] block(long seed, int size) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
