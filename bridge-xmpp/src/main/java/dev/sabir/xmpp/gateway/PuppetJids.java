package dev.sabir.xmpp.gateway;

/**
 * The local part of a gateway contact's JID: {@code <contact>%<account>}, each part escaped with
 * XEP-0106 plus {@code %} as {@code \25}, so the last unescaped {@code %} separates them. Example:
 * contact {@code Bob Smith} of personal account {@code loopback-alice} is {@code
 * bob\20smith%loopback-alice@sabir.example.org} (servers lower-case local parts, so the session
 * keeps the original spelling of contacts it has seen).
 */
public final class PuppetJids {
    private PuppetJids() {}

    /**
     * A contact and its personal account.
     *
     * @param contact the contact's id on its network
     * @param account the personal account's name
     */
    public record Puppet(String contact, String account) {}

    /** Builds the local part for a contact of a personal account. */
    public static String localpart(String contact, String account) {
        return escape(contact) + "%" + escape(account);
    }

    /** Splits a local part, or returns null when it is not a puppet's. */
    public static Puppet parse(String localpart) {
        int pct = localpart.lastIndexOf('%');
        if (pct <= 0 || pct == localpart.length() - 1) {
            return null;
        }
        return new Puppet(
                unescape(localpart.substring(0, pct)), unescape(localpart.substring(pct + 1)));
    }

    /** XEP-0106 escaping, plus {@code %}. */
    public static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length() + 8);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case ' ' -> b.append("\\20");
                case '"' -> b.append("\\22");
                case '%' -> b.append("\\25");
                case '&' -> b.append("\\26");
                case '\'' -> b.append("\\27");
                case '/' -> b.append("\\2f");
                case ':' -> b.append("\\3a");
                case '<' -> b.append("\\3c");
                case '>' -> b.append("\\3e");
                case '@' -> b.append("\\40");
                case '\\' -> b.append("\\5c");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    /** Reverses {@link #escape}. */
    public static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 2 < s.length()) {
                String hex = s.substring(i + 1, i + 3).toLowerCase(java.util.Locale.ROOT);
                char d =
                        switch (hex) {
                            case "20" -> ' ';
                            case "22" -> '"';
                            case "25" -> '%';
                            case "26" -> '&';
                            case "27" -> '\'';
                            case "2f" -> '/';
                            case "3a" -> ':';
                            case "3c" -> '<';
                            case "3e" -> '>';
                            case "40" -> '@';
                            case "5c" -> '\\';
                            default -> 0;
                        };
                if (d != 0) {
                    b.append(d);
                    i += 2;
                    continue;
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
