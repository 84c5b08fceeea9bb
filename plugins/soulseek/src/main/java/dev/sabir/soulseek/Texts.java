package dev.sabir.soulseek;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Limits deployed Soulseek servers apply to names and messages, and splitting to fit them. */
public final class Texts {
    /** Largest message in UTF-8 bytes. */
    public static final int MAX_MESSAGE_BYTES = 2048;

    /** Longest room name. */
    public static final int MAX_ROOM_NAME = 24;

    /** Longest user name. */
    public static final int MAX_USER_NAME = 30;

    private Texts() {}

    /** Why a room name is refused, or null when it is fine. */
    public static String roomNameProblem(String name) {
        if (name.isEmpty()) {
            return "room name is empty";
        }
        if (name.length() > MAX_ROOM_NAME) {
            return "room name longer than " + MAX_ROOM_NAME + " characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return "room name must be printable ASCII";
            }
        }
        if (name.startsWith(" ") || name.endsWith(" ") || name.contains("  ")) {
            return "room name has leading, trailing or double spaces";
        }
        return null;
    }

    /** Why a user name is refused, or null when it is fine. */
    public static String userNameProblem(String name) {
        if (name.isEmpty() || name.isBlank()) {
            return "INVALIDUSERNAME";
        }
        if (name.length() > MAX_USER_NAME
                || name.startsWith(" ")
                || name.endsWith(" ")
                || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            return "INVALIDUSERNAME";
        }
        return null;
    }

    /** Why a chat message is refused, or null when it is fine. */
    public static String messageProblem(String text) {
        if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
            return "messages may not contain line breaks";
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > MAX_MESSAGE_BYTES) {
            return "message longer than " + MAX_MESSAGE_BYTES + " bytes";
        }
        return null;
    }

    /**
     * Splits text into messages a server accepts: one per line (empty lines dropped), each at most
     * {@link #MAX_MESSAGE_BYTES} UTF-8 bytes, cut between code points.
     */
    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        for (String line : text.split("\r\n|\r|\n")) {
            if (line.isEmpty()) {
                continue;
            }
            int start = 0;
            int bytes = 0;
            int i = 0;
            while (i < line.length()) {
                int cp = line.codePointAt(i);
                int n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
                if (bytes + n > MAX_MESSAGE_BYTES) {
                    out.add(line.substring(start, i));
                    start = i;
                    bytes = 0;
                }
                bytes += n;
                i += Character.charCount(cp);
            }
            out.add(line.substring(start));
        }
        return out;
    }
}
