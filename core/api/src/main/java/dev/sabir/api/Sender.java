package dev.sabir.api;

import java.util.Objects;

/**
 * Who did something: a user on some network.
 *
 * @param id the network's stable id for the user (onion id, nick, JID, member id)
 * @param nick the display name
 * @param self true when this is the session's own identity (an echo of something Sabir sent); the
 *     router never relays events from {@code self}
 */
public record Sender(String id, String nick, boolean self) {
    /** Checks the parts. */
    public Sender {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(nick, "nick");
    }

    /** A remote user with the same id and display name. */
    public static Sender of(String id) {
        return new Sender(id, id, false);
    }

    /** A remote user. */
    public static Sender of(String id, String nick) {
        return new Sender(id, nick, false);
    }

    /** The session's own identity. */
    public static Sender self(String id) {
        return new Sender(id, id, true);
    }
}
