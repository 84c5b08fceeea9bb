package dev.sabir.server.router;

import dev.sabir.api.Address;
import dev.sabir.api.Sender;

/**
 * Renders a link's nick template. Placeholders: {@code {nick}} (the sender's display name), {@code
 * {network}} (the source protocol), {@code {account}} (the source account name) and {@code {text}}
 * (the message text). Rendering is one pass: braces inside the substituted values are left alone,
 * and unknown placeholders are copied as they are.
 */
final class Templates {
    /** The template used when a link has none. */
    static final String DEFAULT = "<{nick}@{network}> {text}";

    private Templates() {}

    /** The template to use for a link's format setting (null or blank means the default). */
    static String orDefault(String format) {
        return format == null || format.isBlank() ? DEFAULT : format;
    }

    /** Renders the template for a sender in a source conversation. */
    static String render(String format, Sender sender, Address source, String text) {
        String f = orDefault(format);
        StringBuilder out = new StringBuilder(f.length() + text.length() + 32);
        int i = 0;
        while (i < f.length()) {
            char ch = f.charAt(i);
            if (ch == '{') {
                int close = f.indexOf('}', i + 1);
                if (close > i) {
                    String value = value(f.substring(i + 1, close), sender, source, text);
                    if (value != null) {
                        out.append(value);
                        i = close + 1;
                        continue;
                    }
                }
            }
            out.append(ch);
            i++;
        }
        return out.toString();
    }

    private static String value(String name, Sender sender, Address source, String text) {
        return switch (name) {
            case "nick" -> sender.nick();
            case "network" -> source.protocol();
            case "account" -> source.account();
            case "text" -> text;
            default -> null;
        };
    }
}
