package dev.sabir.simplex;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.simplex.codec.ChatMsg;
import dev.sabir.simplex.codec.ChatMsgCodec;
import dev.sabir.simplex.codec.ChatMsgs;
import dev.sabir.simplex.codec.SyntaxException;
import dev.sabir.simplex.transport.ConnLink;
import dev.sabir.simplex.transport.TransportException;
import java.util.Base64;
import java.util.Map;

/**
 * The pasteable group invitation text {@code simplex:/group#<base64url of an x.grp.inv message>}:
 * writing it (for one-time and preset invitations alike) and reading it back with checks.
 */
final class Invitations {
    /** Prefix of the text form. */
    static final String PREFIX = "simplex:/group#";

    /** Longest invitation text accepted. */
    static final int MAX_TEXT = 4096;

    private static final Base64.Encoder B64U = Base64.getUrlEncoder().withoutPadding();

    private Invitations() {}

    /** A profile body: {@code {"displayName":name}}. */
    static String profile(ObjectMapper json, String name) {
        try {
            return json.writeValueAsString(Map.of("displayName", name));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes an invitation.
     *
     * @param groupName the group's display name
     * @param inviterName the inviter's profile name
     * @param fromId the inviter's member id
     * @param fromRole the inviter's role
     * @param toId the member id given to the invitee
     * @param toRole the role given to the invitee
     * @param link where the invitee sends its acceptance
     */
    static String text(
            ChatMsgCodec codec,
            ObjectMapper json,
            String groupName,
            String inviterName,
            String fromId,
            String fromRole,
            String toId,
            String toRole,
            ConnLink link) {
        ChatMsg inv =
                ChatMsgs.groupInvitation(
                        fromId,
                        fromRole,
                        toId,
                        toRole,
                        link.toText(),
                        profile(json, groupName),
                        profile(json, inviterName));
        return PREFIX + B64U.encodeToString(codec.encode(inv));
    }

    /**
     * Reads an invitation and checks its link.
     *
     * @throws IllegalArgumentException when the text is not a valid invitation (the message says
     *     why)
     */
    static ChatMsg parse(ChatMsgCodec codec, String text) {
        String t = text.strip();
        if (!t.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a " + PREFIX + " invitation");
        }
        if (t.length() > MAX_TEXT) {
            throw new IllegalArgumentException(
                    "invitation longer than " + MAX_TEXT + " characters");
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(t.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invitation is not base64url");
        }
        ChatMsg m;
        try {
            m = codec.decode(raw);
        } catch (SyntaxException e) {
            throw new IllegalArgumentException("invitation is malformed: " + e.getMessage());
        }
        if (!"x.grp.inv".equals(m.event()) || m.params().size() != 5 || m.body(0) == null) {
            throw new IllegalArgumentException("not a group invitation (" + m.event() + ")");
        }
        try {
            ConnLink.parse(m.param(4));
        } catch (TransportException e) {
            throw new IllegalArgumentException("invitation link unreadable: " + e.getMessage());
        }
        return m;
    }
}
