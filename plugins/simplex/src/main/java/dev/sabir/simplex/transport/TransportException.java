package dev.sabir.simplex.transport;

/** A block, frame, link or ciphertext was malformed, replayed or tampered with. */
public final class TransportException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Reason {
        /** Block length prefix or padding is wrong. */
        BAD_BLOCK,
        /** Unknown frame type or wrong frame layout. */
        BAD_FRAME,
        /** Authentication failed (tampered or wrong key). */
        TAMPERED,
        /** A sequence number that was already received (or out of order). */
        REPLAY,
        /** The queue is unknown or in the wrong state. */
        BAD_QUEUE,
        /** An invitation link could not be read. */
        BAD_LINK
    }

    private final Reason reason;

    /**
     * @param reason the kind of failure
     * @param message detail for logs
     */
    public TransportException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /** The kind of failure. */
    public Reason reason() {
        return reason;
    }
}
