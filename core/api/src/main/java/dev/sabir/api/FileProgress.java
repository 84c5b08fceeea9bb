package dev.sabir.api;

import java.util.Objects;

/**
 * Progress of a file transfer, reported by the spool or by a session sending a file.
 *
 * @param conversation where the file was offered
 * @param offerId the offer's id
 * @param transferred bytes done
 * @param size total bytes, or -1 when unknown
 * @param state where the transfer stands
 * @param reason why it failed or was declined, or empty
 */
public record FileProgress(
        Address conversation,
        String offerId,
        long transferred,
        long size,
        State state,
        String reason)
        implements BridgeEvent {

    /** Checks the parts. */
    public FileProgress {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(offerId, "offerId");
        Objects.requireNonNull(state, "state");
        reason = reason == null ? "" : reason;
    }

    /** Transfer states. */
    public enum State {
        /** Offered, not started. */
        OFFERED,
        /** Bytes are moving. */
        TRANSFERRING,
        /** All bytes arrived and checked. */
        COMPLETE,
        /** The receiver declined. */
        DECLINED,
        /** Stopped by either side or by an error. */
        FAILED
    }
}
