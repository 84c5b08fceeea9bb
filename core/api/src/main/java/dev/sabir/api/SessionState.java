package dev.sabir.api;

import java.util.Objects;

/**
 * The state of a session's connection to its network.
 *
 * @param conversation the account address ({@link Address#ofAccount})
 * @param state the new state
 * @param reason why, for operators (never a secret); may be empty
 */
public record SessionState(Address conversation, State state, String reason)
        implements BridgeEvent {

    /** Checks the parts. */
    public SessionState {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
    }

    /** Connection states. */
    public enum State {
        /** Connecting or reconnecting. */
        CONNECTING,
        /** Connected; deliveries are attempted. */
        ONLINE,
        /** Connected but impaired (some rooms or peers unreachable). */
        DEGRADED,
        /** Not connected; deliveries wait in the store. */
        OFFLINE
    }
}
