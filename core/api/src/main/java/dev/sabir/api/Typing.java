package dev.sabir.api;

import java.util.Objects;

/**
 * A typing notification.
 *
 * @param conversation the room or peer
 * @param who the one typing
 * @param state what they are doing
 */
public record Typing(Address conversation, Sender who, State state) implements BridgeEvent {

    /** Checks the parts. */
    public Typing {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(state, "state");
    }

    /** Typing states (XEP-0085 composing / paused / active). */
    public enum State {
        /** Typing now. */
        TYPING,
        /** Stopped for a moment but the text is still there. */
        PAUSED,
        /** Not typing any more. */
        STOPPED
    }
}
