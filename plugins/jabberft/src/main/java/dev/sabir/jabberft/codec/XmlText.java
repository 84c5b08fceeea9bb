package dev.sabir.jabberft.codec;

/** Escaping for text and attribute values written into stanzas. */
public final class XmlText {
    private XmlText() {}

    /** Escapes {@code & < > " '} and drops characters XML 1.0 cannot carry. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') {
                        if (c != 0xfffe && c != 0xffff) {
                            b.append(c);
                        }
                    }
                }
            }
        }
        return b.toString();
    }

    /** Undoes the five predefined entities and numeric references (for header attributes). */
    public static String unescape(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        StringBuilder b = new StringBuilder(s.length());
        int i = 0;
        while (i < s.length()) {
            char c = s.charAt(i);
            int semi = c == '&' ? s.indexOf(';', i) : -1;
            if (semi < 0 || semi - i > 10) {
                b.append(c);
                i++;
                continue;
            }
            String ent = s.substring(i + 1, semi);
            String rep =
                    switch (ent) {
                        case "amp" -> "&";
                        case "lt" -> "<";
                        case "gt" -> ">";
                        case "quot" -> "\"";
                        case "apos" -> "'";
                        default -> numeric(ent);
                    };
            if (rep == null) {
                b.append(c);
                i++;
            } else {
                b.append(rep);
                i = semi + 1;
            }
        }
        return b.toString();
    }

    private static String numeric(String ent) {
        try {
            if (ent.startsWith("#x")) {
                return new String(Character.toChars(Integer.parseInt(ent.substring(2), 16)));
            }
            if (ent.startsWith("#")) {
                return new String(Character.toChars(Integer.parseInt(ent.substring(1))));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
