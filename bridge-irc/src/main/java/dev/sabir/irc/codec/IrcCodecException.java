package dev.sabir.irc.codec;

import io.netty.handler.codec.CodecException;

/** A line could not be decoded or encoded; {@link #kind()} says why. */
public final class IrcCodecException extends CodecException {
    private static final long serialVersionUID = 1L;

    /** Why a line was refused. */
    public enum Kind {
        /** The line (without tags) is longer than 512 bytes including CR LF. */
        LINE_TOO_LONG,
        /** The tags section is longer than 8191 bytes. */
        TAGS_TOO_LONG,
        /** The line does not follow the message grammar. */
        MALFORMED
    }

    private final Kind kind;

    /**
     * @param kind why
     * @param message details for logs
     */
    public IrcCodecException(Kind kind, String message) {
        super(kind + ": " + message);
        this.kind = kind;
    }

    /** Why the line was refused. */
    public Kind kind() {
        return kind;
    }
}
