package dev.sabir.api;

import java.util.Objects;

/**
 * A peer's availability changed.
 *
 * @param conversation the 1:1 conversation with the peer, or the room where the peer is
 * @param who the peer
 * @param status the new availability
 * @param statusText a free-form status message, may be empty
 */
public record PresenceUpdate(Address conversation, Sender who, Status status, String statusText)
        implements BridgeEvent {

    /** Checks the parts. */
    public PresenceUpdate {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(status, "status");
        statusText = statusText == null ? "" : statusText;
    }

    /** Availability values, as XMPP names them. */
    public enum Status {
        /** Online and available. */
        AVAILABLE,
        /** Away for a short while. */
        AWAY,
        /** Away for long (extended away). */
        XA,
        /** Do not disturb. */
        DND,
        /** Not connected. */
        OFFLINE
    }
}
