package dev.sabir.irc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Text helpers: mIRC formatting, CTCP framing, byte-exact splitting and nick sanitising. */
final class IrcText {
    /** Zero-width space, inserted into relayed nicks so that IRC clients do not highlight them. */
    static final String ZWSP = "\u200B";

    private IrcText() {}

    /**
     * Removes mIRC formatting: bold, italics, underline, strike-through, monospace, reverse, reset,
     * colours ({@code ^C} with up to two foreground and two background digits) and hex colours
     * ({@code ^D} with six hex digits, optionally a comma and six more).
     */
    static String stripFormatting(String text) {
        StringBuilder sb = null;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\u0002', '\u001D', '\u001F', '\u001E', '\u0011', '\u0016', '\u000F' -> {
                    sb = copy(sb, text, i);
                }
                case '\u0003' -> {
                    sb = copy(sb, text, i);
                    int j = skipDigits(text, i + 1, 2);
                    if (j > i + 1
                            && j + 1 < n
                            && text.charAt(j) == ','
                            && Character.isDigit(text.charAt(j + 1))) {
                        j = skipDigits(text, j + 1, 2);
                    }
                    i = j - 1;
                }
                case '\u0004' -> {
                    sb = copy(sb, text, i);
                    int j = skipHex(text, i + 1);
                    if (j > i + 1
                            && j < n
                            && text.charAt(j) == ','
                            && skipHex(text, j + 1) > j + 1) {
                        j = skipHex(text, j + 1);
                    }
                    i = j - 1;
                }
                default -> {
                    if (sb != null) {
                        sb.append(c);
                    }
                }
            }
        }
        return sb == null ? text : sb.toString();
    }

    private static StringBuilder copy(StringBuilder sb, String text, int upTo) {
        return sb != null ? sb : new StringBuilder(text.length()).append(text, 0, upTo);
    }

    private static int skipDigits(String s, int i, int max) {
        int end = i;
        while (end < s.length() && end - i < max && Character.isDigit(s.charAt(end))) {
            end++;
        }
        return end;
    }

    private static int skipHex(String s, int i) {
        if (i + 6 > s.length()) {
            return i;
        }
        for (int k = i; k < i + 6; k++) {
            if (Character.digit(s.charAt(k), 16) < 0) {
                return i;
            }
        }
        return i + 6;
    }

    /** True when the text is a CTCP request or reply ({@code ^A...^A}). */
    static boolean isCtcp(String text) {
        return text.length() >= 2 && text.charAt(0) == '\u0001';
    }

    /** The CTCP command (upper-cased) of a CTCP text. */
    static String ctcpCommand(String text) {
        String body = ctcpBody(text);
        int sp = body.indexOf(' ');
        return (sp < 0 ? body : body.substring(0, sp)).toUpperCase(java.util.Locale.ROOT);
    }

    /** The argument of a CTCP text (after the command), or "". */
    static String ctcpArgument(String text) {
        String body = ctcpBody(text);
        int sp = body.indexOf(' ');
        return sp < 0 ? "" : body.substring(sp + 1);
    }

    private static String ctcpBody(String text) {
        int end = text.length();
        if (end > 1 && text.charAt(end - 1) == '\u0001') {
            end--;
        }
        return text.substring(1, end);
    }

    /** Bytes of the text in UTF-8. */
    static int utf8Length(CharSequence s) {
        int bytes = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c)
                    && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /**
     * Splits one line of text into pieces of at most {@code maxBytes} UTF-8 bytes, cutting only
     * between code points and preferably at a space. The space at a cut is dropped (servers strip
     * trailing spaces anyway), so the pieces joined with one space where they were cut at a space
     * give the original.
     */
    static List<String> splitBytes(String line, int maxBytes) {
        if (maxBytes < 4) {
            throw new IllegalArgumentException("no room for text in a line");
        }
        List<String> out = new ArrayList<>();
        int start = 0;
        int n = line.length();
        while (start < n) {
            int bytes = 0;
            int i = start;
            int lastSpace = -1;
            while (i < n) {
                int cp = line.codePointAt(i);
                int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (cp == ' ' && i > start) {
                    lastSpace = i; // a space may end a piece even when it would not fit itself
                }
                if (bytes + len > maxBytes) {
                    break;
                }
                bytes += len;
                i += Character.charCount(cp);
            }
            if (i >= n) {
                out.add(line.substring(start));
                break;
            }
            // prefer a space unless it would leave a piece under half the room
            if (lastSpace > start && lastSpace - start >= (i - start) / 2) {
                out.add(line.substring(start, lastSpace));
                start = lastSpace + 1;
            } else {
                out.add(line.substring(start, i));
                start = i;
            }
        }
        if (out.isEmpty()) {
            out.add("");
        }
        return out;
    }

    /** Text lines of a message: CR LF, CR and LF all break lines; a final empty line is dropped. */
    static List<String> lines(String text) {
        List<String> out = new ArrayList<>(List.of(text.split("\r\n|\r|\n", -1)));
        while (out.size() > 1 && out.get(out.size() - 1).isEmpty()) {
            out.remove(out.size() - 1);
        }
        return out;
    }

    /**
     * Turns a display name into a valid IRC nick: letters, digits and {@code []\`_^{|}-}; it may
     * not start with a digit or {@code -}; cut to {@code maxLength}.
     */
    static String sanitiseNick(String wanted, int maxLength) {
        StringBuilder sb = new StringBuilder();
        wanted.codePoints()
                .forEach(
                        cp -> {
                            if ((cp >= 'a' && cp <= 'z')
                                    || (cp >= 'A' && cp <= 'Z')
                                    || (cp >= '0' && cp <= '9')
                                    || "[]\\`_^{|}-".indexOf(cp) >= 0) {
                                sb.append((char) cp);
                            } else if (cp == ' ' || cp == '.' || cp == '@' || cp == '/') {
                                sb.append('_');
                            }
                        });
        if (sb.length() == 0 || Character.isDigit(sb.charAt(0)) || sb.charAt(0) == '-') {
            sb.insert(0, '_');
        }
        if (sb.length() > maxLength) {
            sb.setLength(maxLength);
        }
        return sb.toString();
    }

    /**
     * Inserts a zero-width space after the first code point of {@code nick} where it occurs in
     * text.
     */
    static String breakHighlight(String text, String nick) {
        if (nick == null || nick.isEmpty()) {
            return text;
        }
        int at = text.indexOf(nick);
        if (at < 0) {
            return text;
        }
        int split = at + Character.charCount(nick.codePointAt(0));
        if (split >= at + nick.length()) {
            return text; // a one-character nick cannot be broken
        }
        return text.substring(0, split) + ZWSP + text.substring(split);
    }

    /**
     * RFC 1459 case folding (the default CASEMAPPING): {@code []\~} are upper case of {@code {}|^}.
     */
    static String fold(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            switch (c) {
                case '[' -> sb.append('{');
                case ']' -> sb.append('}');
                case '\\' -> sb.append('|');
                case '~' -> sb.append('^');
                default -> sb.append(Character.toLowerCase(c));
            }
        }
        return sb.toString();
    }

    /** True for a channel name ({@code #&+!} prefixes). */
    static boolean isChannel(String target) {
        return !target.isEmpty() && "#&+!".indexOf(target.charAt(0)) >= 0;
    }

    /** UTF-8 bytes of a string. */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
