package dev.sabir.torchat;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * TorChat ids: onion service ids without {@code .onion}. Both 16-character (v2) and 56-character
 * (v3) base32 ids are accepted; the deployed TorChat clients only know v2 ids, so a v3 id talks
 * only to peers that accept v3 (Sabir and other v3-aware clients).
 */
public final class OnionId {
    private static final Pattern ID = Pattern.compile("[a-z2-7]{16}|[a-z2-7]{56}");

    private OnionId() {}

    /** True for a 16- or 56-character base32 id. */
    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /**
     * Lower-cases and strips an optional {@code .onion} suffix; null when the result is not valid.
     */
    public static String normalise(String text) {
        if (text == null) {
            return null;
        }
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith(".onion")) {
            s = s.substring(0, s.length() - 6);
        }
        return isValid(s) ? s : null;
    }

    /** The message used when an id is rejected. */
    static String rule() {
        return "expected a TorChat id: a 16-character (v2) or 56-character (v3) onion id"
                + " (letters a-z and digits 2-7, optionally followed by .onion)";
    }
}
