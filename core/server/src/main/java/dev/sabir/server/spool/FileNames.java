package dev.sabir.server.spool;

import java.text.Normalizer;
import java.util.Locale;
import java.util.Set;

/**
 * Makes file names from other networks safe to show and to offer again: no folders, no control or
 * invisible formatting characters, no leading dots, no characters other systems reserve, a bounded
 * length that keeps the extension. The spool never uses the name as a path; this is for the people
 * and programs at the other end.
 */
public final class FileNames {

    /** The longest name kept, in code points. */
    public static final int MAX_LENGTH = 120;

    /** The name used when nothing usable is left. */
    public static final String FALLBACK = "file";

    private static final int MAX_EXTENSION = 16;
    private static final Set<String> RESERVED =
            Set.of(
                    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6",
                    "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7",
                    "lpt8", "lpt9");

    private FileNames() {}

    /** Returns a safe version of the name (never empty). */
    public static String sanitise(String name) {
        if (name == null) {
            return FALLBACK;
        }
        String s = Normalizer.normalize(name, Normalizer.Form.NFC);
        int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
        s = s.substring(cut + 1);

        StringBuilder sb = new StringBuilder(s.length());
        boolean space = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            int type = Character.getType(cp);
            if (cp == '\t') {
                space = sb.length() > 0;
                continue;
            }
            if (Character.isISOControl(cp)
                    || type == Character.FORMAT
                    || type == Character.SURROGATE
                    || type == Character.PRIVATE_USE
                    || type == Character.UNASSIGNED
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR) {
                continue;
            }
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
                space = sb.length() > 0;
                continue;
            }
            if (space) {
                sb.append(' ');
                space = false;
            }
            if ("<>:\"|?*".indexOf(cp) >= 0) {
                sb.append('_');
            } else {
                sb.appendCodePoint(cp);
            }
        }
        s = stripEnds(sb.toString());
        if (s.isEmpty()) {
            return FALLBACK;
        }
        int dot = s.indexOf('.');
        String base = (dot < 0 ? s : s.substring(0, dot)).toLowerCase(Locale.ROOT);
        if (RESERVED.contains(base)) {
            s = "_" + s;
        }
        return capLength(s);
    }

    private static String stripEnds(String s) {
        int start = 0;
        while (start < s.length() && (s.charAt(start) == '.' || s.charAt(start) == ' ')) {
            start++;
        }
        int end = s.length();
        while (end > start && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == ' ')) {
            end--;
        }
        return s.substring(start, end);
    }

    private static String capLength(String s) {
        int length = s.codePointCount(0, s.length());
        if (length <= MAX_LENGTH) {
            return s;
        }
        int dot = s.lastIndexOf('.');
        String ext = "";
        if (dot > 0) {
            String candidate = s.substring(dot);
            int extLength = candidate.codePointCount(0, candidate.length());
            if (extLength > 1 && extLength <= MAX_EXTENSION) {
                ext = candidate;
            }
        }
        String base = ext.isEmpty() ? s : s.substring(0, dot);
        int keep = MAX_LENGTH - ext.codePointCount(0, ext.length());
        String cut = base.substring(0, base.offsetByCodePoints(0, keep));
        return stripEnds(cut) + ext;
    }
}
