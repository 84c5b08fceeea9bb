package dev.sabir.irc.codec;

import dev.sabir.irc.codec.IrcCodecException.Kind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One IRC message (RFC 1459 / RFC 2812 framing with IRCv3 message tags): optional tags, optional
 * prefix (source), a command and up to 15 parameters. The line terminator is not part of it.
 *
 * @param tags message tags in the order they appeared; a tag without value maps to {@code ""}
 * @param prefix the source ({@code nick!user@host} or a server name) without the colon, or null
 * @param command the command, upper-cased letters or a three-digit numeric
 * @param params the parameters; only the last may contain spaces, start with a colon or be empty
 */
public record IrcMessage(
        Map<String, String> tags, String prefix, String command, List<String> params) {

    /** Maximum number of parameters (RFC 2812 section 2.3). */
    public static final int MAX_PARAMS = 15;

    /** Checks the parts and copies the collections. */
    public IrcMessage {
        Objects.requireNonNull(command, "command");
        tags = tags == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        params = params == null ? List.of() : List.copyOf(params);
        if (command.isEmpty() || !isCommand(command)) {
            throw new IrcCodecException(Kind.MALFORMED, "bad command '" + command + "'");
        }
        if (prefix != null && (prefix.isEmpty() || hasSpaceOrBreak(prefix))) {
            throw new IrcCodecException(Kind.MALFORMED, "bad prefix");
        }
        if (params.size() > MAX_PARAMS) {
            throw new IrcCodecException(Kind.MALFORMED, "more than 15 parameters");
        }
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            if (p.indexOf('\r') >= 0 || p.indexOf('\n') >= 0 || p.indexOf('\0') >= 0) {
                throw new IrcCodecException(Kind.MALFORMED, "line break or NUL in parameter");
            }
            boolean last = i == params.size() - 1;
            if (!last && (p.isEmpty() || p.indexOf(' ') >= 0 || p.charAt(0) == ':')) {
                throw new IrcCodecException(
                        Kind.MALFORMED, "only the last parameter may be empty or contain spaces");
            }
        }
        for (String key : tags.keySet()) {
            if (key.isEmpty()
                    || hasSpaceOrBreak(key)
                    || key.indexOf('=') >= 0
                    || key.indexOf(';') >= 0) {
                throw new IrcCodecException(Kind.MALFORMED, "bad tag key '" + key + "'");
            }
        }
    }

    /** A message without tags or prefix. */
    public static IrcMessage of(String command, String... params) {
        return new IrcMessage(Map.of(), null, command, List.of(params));
    }

    /** The parameter at {@code index}, or {@code ""} when absent. */
    public String param(int index) {
        return index < params.size() ? params.get(index) : "";
    }

    /** The last parameter (the trailing one), or {@code ""}. */
    public String trailing() {
        return params.isEmpty() ? "" : params.get(params.size() - 1);
    }

    /**
     * The nick of the prefix ({@code nick!user@host}), the whole prefix when it has no {@code !},
     * or "".
     */
    public String sourceNick() {
        if (prefix == null) {
            return "";
        }
        int bang = prefix.indexOf('!');
        return bang < 0 ? prefix : prefix.substring(0, bang);
    }

    /** True when the prefix names a user ({@code nick!user@host}) rather than a server. */
    public boolean fromUser() {
        return prefix != null && prefix.indexOf('!') > 0;
    }

    /** True for a three-digit numeric reply. */
    public boolean isNumeric() {
        return command.length() == 3
                && Character.isDigit(command.charAt(0))
                && Character.isDigit(command.charAt(1))
                && Character.isDigit(command.charAt(2));
    }

    /** The same message with another prefix. */
    public IrcMessage withPrefix(String newPrefix) {
        return new IrcMessage(tags, newPrefix, command, params);
    }

    /**
     * Parses one line without its line terminator.
     *
     * @throws IrcCodecException of kind {@link Kind#MALFORMED} when the line is not a message
     */
    public static IrcMessage parse(String line) {
        int i = 0;
        int n = line.length();
        Map<String, String> tags = new LinkedHashMap<>();
        if (i < n && line.charAt(i) == '@') {
            int end = line.indexOf(' ', i);
            if (end < 0) {
                throw new IrcCodecException(Kind.MALFORMED, "tags without a command");
            }
            parseTags(line.substring(i + 1, end), tags);
            i = skipSpaces(line, end);
        }
        String prefix = null;
        if (i < n && line.charAt(i) == ':') {
            int end = line.indexOf(' ', i);
            if (end < 0 || end == i + 1) {
                throw new IrcCodecException(Kind.MALFORMED, "prefix without a command");
            }
            prefix = line.substring(i + 1, end);
            i = skipSpaces(line, end);
        }
        int end = line.indexOf(' ', i);
        if (end < 0) {
            end = n;
        }
        String command = line.substring(i, end).toUpperCase(java.util.Locale.ROOT);
        if (command.isEmpty()) {
            throw new IrcCodecException(Kind.MALFORMED, "missing command");
        }
        i = skipSpaces(line, end);
        List<String> params = new ArrayList<>();
        while (i < n) {
            if (line.charAt(i) == ':' || params.size() == MAX_PARAMS - 1) {
                params.add(line.charAt(i) == ':' ? line.substring(i + 1) : line.substring(i));
                break;
            }
            end = line.indexOf(' ', i);
            if (end < 0) {
                end = n;
            }
            params.add(line.substring(i, end));
            i = skipSpaces(line, end);
        }
        return new IrcMessage(tags, prefix, command, params);
    }

    /** Serialises the message without the line terminator. */
    public String encode() {
        StringBuilder sb = new StringBuilder(64);
        if (!tags.isEmpty()) {
            sb.append('@');
            boolean first = true;
            for (Map.Entry<String, String> e : tags.entrySet()) {
                if (!first) {
                    sb.append(';');
                }
                first = false;
                sb.append(e.getKey());
                if (!e.getValue().isEmpty()) {
                    sb.append('=');
                    escapeTagValue(e.getValue(), sb);
                }
            }
            sb.append(' ');
        }
        if (prefix != null) {
            sb.append(':').append(prefix).append(' ');
        }
        sb.append(command);
        for (int i = 0; i < params.size(); i++) {
            String p = params.get(i);
            sb.append(' ');
            if (i == params.size() - 1
                    && (p.isEmpty() || p.indexOf(' ') >= 0 || p.charAt(0) == ':')) {
                sb.append(':');
            }
            sb.append(p);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return encode();
    }

    /** Unescapes a tag value (IRCv3 message-tags, "Escaping values"). */
    public static String unescapeTagValue(String raw) {
        if (raw.indexOf('\\') < 0) {
            return raw;
        }
        StringBuilder sb = new StringBuilder(raw.length());
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= raw.length()) {
                break; // a trailing lone backslash is dropped
            }
            char e = raw.charAt(i);
            switch (e) {
                case ':' -> sb.append(';');
                case 's' -> sb.append(' ');
                case 'r' -> sb.append('\r');
                case 'n' -> sb.append('\n');
                default -> sb.append(e); // includes "\\\\" and unknown escapes
            }
        }
        return sb.toString();
    }

    /** Escapes a tag value (IRCv3 message-tags, "Escaping values"). */
    public static void escapeTagValue(String value, StringBuilder sb) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case ';' -> sb.append("\\:");
                case ' ' -> sb.append("\\s");
                case '\\' -> sb.append("\\\\");
                case '\r' -> sb.append("\\r");
                case '\n' -> sb.append("\\n");
                default -> sb.append(c);
            }
        }
    }

    private static void parseTags(String raw, Map<String, String> out) {
        if (raw.isEmpty()) {
            throw new IrcCodecException(Kind.MALFORMED, "empty tags section");
        }
        for (String part : raw.split(";", -1)) {
            if (part.isEmpty()) {
                continue;
            }
            int eq = part.indexOf('=');
            String key = eq < 0 ? part : part.substring(0, eq);
            String value = eq < 0 ? "" : unescapeTagValue(part.substring(eq + 1));
            if (key.isEmpty()) {
                throw new IrcCodecException(Kind.MALFORMED, "tag without a key");
            }
            out.put(key, value); // the last of duplicate keys wins
        }
    }

    private static int skipSpaces(String s, int i) {
        while (i < s.length() && s.charAt(i) == ' ') {
            i++;
        }
        return i;
    }

    private static boolean isCommand(String c) {
        if (c.length() == 3 && Character.isDigit(c.charAt(0))) {
            return Character.isDigit(c.charAt(1)) && Character.isDigit(c.charAt(2));
        }
        for (int i = 0; i < c.length(); i++) {
            char ch = c.charAt(i);
            if (!(ch >= 'A' && ch <= 'Z') && !(ch >= 'a' && ch <= 'z')) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasSpaceOrBreak(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ' ' || c == '\r' || c == '\n' || c == '\0') {
                return true;
            }
        }
        return false;
    }
}
