package dev.sabir.ipcfile;

import java.nio.charset.StandardCharsets;

/**
 * The file-name policy of the upload service: a name is one path element, printable, at most 255
 * bytes of UTF-8. Names that would need rewriting are refused with a reason instead, so the
 * uploader learns why.
 */
final class FileNames {
    private FileNames() {}

    /** Why a name is refused, or null when it is acceptable. */
    static String problem(String name) {
        if (name.isEmpty() || name.isBlank()) {
            return "empty";
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) {
            return "longer than 255 bytes";
        }
        if (name.equals(".") || name.equals("..")) {
            return "not a file name";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\') {
                return "contains a path separator";
            }
            int type = Character.getType(c);
            if (type == Character.CONTROL
                    || type == Character.FORMAT
                    || type == Character.LINE_SEPARATOR
                    || type == Character.PARAGRAPH_SEPARATOR
                    || (type == Character.SURROGATE && !validSurrogate(name, i))) {
                return "contains control characters";
            }
        }
        return null;
    }

    private static boolean validSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
