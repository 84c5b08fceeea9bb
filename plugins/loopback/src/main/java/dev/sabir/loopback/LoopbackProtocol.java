package dev.sabir.loopback;

import java.util.regex.Pattern;

/**
 * The loopback network's line protocol: one command per line, UTF-8, fields separated by one space,
 * the last field is free text with {@code \\} and line breaks escaped ({@code \\\\}, {@code \\n}).
 *
 * <pre>
 * client to server            server to client
 * NICK nick                   OK nick | OK msgid
 * JOIN room / PART room       JOIN room nick / PART room nick reason
 * MSG room text               MSG room msgid nick text
 * ACTION room text            ACTION room msgid nick text
 * EDIT room msgid text        EDIT room msgid nick text
 * DEL room msgid              DEL room msgid nick
 * REPLY room msgid text       REPLY room msgid replyto nick text
 * TYPING room                 TYPING room nick
 * TOPIC room text             TOPIC room nick text
 * DM nick text                DM msgid fromnick text (to the account's own nick: bridged as
 *                             the conversation @fromnick; to another user: passed on, or
 *                             NOSUCHNICK nick)
 * AWAY text / BACK            PRESENCE nick status text
 * FILE room name base64       FILE room nick name size sha256 ref
 * FILE @nick name base64      (to the account's own nick: a file in the conversation @sender;
 *                             a file for @sender reaches that user as FILE @sender ...)
 * OFFLINE / ONLINE            (test control: the session reports itself offline / online)
 * QUIT                        ERROR reason (then the server closes)
 *                             NOTICE room text (an operator's announcement)
 * </pre>
 */
final class LoopbackProtocol {
    /** The longest line accepted, in bytes. */
    static final int MAX_LINE = 256 * 1024;

    static final Pattern NICK = Pattern.compile("[A-Za-z0-9_\\-\\[\\]{}|@.]{1,48}");
    static final Pattern ROOM = Pattern.compile("#?[A-Za-z0-9_\\-.]{1,64}");

    private LoopbackProtocol() {}

    static String escape(String text) {
        return text.replace("\\", "\\\\").replace("\r", "").replace("\n", "\\n");
    }

    static String unescape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                char n = text.charAt(++i);
                sb.append(n == 'n' ? '\n' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A malformed line from a client. */
    static final class ProtocolError extends Exception {
        private static final long serialVersionUID = 1L;

        ProtocolError(String message) {
            super(message);
        }
    }

    /**
     * Splits a line into {@code fixed} leading fields and the rest.
     *
     * @throws ProtocolError when there are not enough fields
     */
    static String[] split(String line, int fields) throws ProtocolError {
        String[] parts = line.split(" ", fields);
        if (parts.length < fields) {
            throw new ProtocolError("expected " + (fields - 1) + " argument(s): " + parts[0]);
        }
        return parts;
    }
}
