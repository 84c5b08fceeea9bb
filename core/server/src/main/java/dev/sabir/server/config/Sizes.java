package dev.sabir.server.config;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes with units, as operators write them: {@code 100MB}, {@code 1.5 GiB}, {@code 512k},
 * {@code 4096}. Decimal units (kB, MB, GB, TB) are powers of 1000, binary units (KiB, MiB, GiB,
 * TiB) and the one-letter forms (k, m, g, t) are powers of 1024.
 */
public final class Sizes {
    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*([a-zA-Z]*)");

    private Sizes() {}

    /**
     * Parses a size.
     *
     * @throws IllegalArgumentException naming what was wrong
     */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected a size such as 100MB or 1GiB, got '" + text + "'");
        }
        double number = Double.parseDouble(m.group(1));
        long unit =
                switch (m.group(2).toLowerCase(Locale.ROOT)) {
                    case "", "b" -> 1L;
                    case "kb" -> 1000L;
                    case "mb" -> 1000L * 1000;
                    case "gb" -> 1000L * 1000 * 1000;
                    case "tb" -> 1000L * 1000 * 1000 * 1000;
                    case "k", "kib" -> 1L << 10;
                    case "m", "mib" -> 1L << 20;
                    case "g", "gib" -> 1L << 30;
                    case "t", "tib" -> 1L << 40;
                    default ->
                            throw new IllegalArgumentException(
                                    "unknown size unit '"
                                            + m.group(2)
                                            + "' (use B, kB, MB, GB, KiB, MiB, GiB)");
                };
        double bytes = number * unit;
        if (bytes > Long.MAX_VALUE / 2) {
            throw new IllegalArgumentException("size '" + text + "' is too large");
        }
        return (long) bytes;
    }

    /** A short human form of a byte count, e.g. {@code 100.0 MB}. */
    public static String format(long bytes) {
        if (bytes < 1000) {
            return bytes + " B";
        }
        String[] units = {"kB", "MB", "GB", "TB"};
        double v = bytes;
        int i = -1;
        while (v >= 1000 && i < units.length - 1) {
            v /= 1000;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
}
