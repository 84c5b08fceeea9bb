package dev.sabir.soulseek.codec;

import io.netty.handler.codec.DecoderException;

/**
 * A Soulseek frame could not be decoded. The {@link Kind} tells why; the connection that sent it is
 * closed by the session, never the whole server.
 */
public final class SoulseekCodecException extends DecoderException {
    private static final long serialVersionUID = 1L;

    /** Why decoding failed. */
    public enum Kind {
        /**
         * The frame ended before a field it announces (including a string longer than the frame).
         */
        TRUNCATED,
        /** A string is longer than the configured limit. */
        STRING_TOO_LONG,
        /** A frame is longer than the configured limit (or shorter than its code). */
        BAD_FRAME_LENGTH,
        /** An array count cannot fit in the rest of the frame. */
        BAD_COUNT,
        /** A field holds a value the protocol does not allow. */
        BAD_VALUE,
        /** A compressed payload is not valid zlib or inflates beyond the limit. */
        BAD_COMPRESSED
    }

    private final Kind kind;

    /**
     * @param kind why
     * @param message details for logs
     */
    public SoulseekCodecException(Kind kind, String message) {
        super(kind + ": " + message);
        this.kind = kind;
    }

    /** Why decoding failed. */
    public Kind kind() {
        return kind;
    }
}
