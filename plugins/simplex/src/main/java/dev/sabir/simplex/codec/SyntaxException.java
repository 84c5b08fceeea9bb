package dev.sabir.simplex.codec;

/** A chat message does not follow the message grammar; {@link #error()} says which rule failed. */
public final class SyntaxException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Which grammar rule a message broke. */
    public enum Error {
        /** Longer than the configured limit. */
        TOO_LONG,
        /** A separating space is missing. */
        MISSING_SEPARATOR,
        /** The chat message id is not 1*DIGIT or is too long. */
        BAD_MESSAGE_ID,
        /** The event is not {@code namespace 1*("." name)}. */
        BAD_EVENT,
        /** A parameter is empty or contains a forbidden byte. */
        BAD_PARAMETER,
        /** A content part is not {@code ns "." type ":" size [":" hash]}. */
        BAD_CONTENT_PART,
        /** A body part is shorter than its content part's size. */
        BODY_TRUNCATED,
        /** Bytes follow the last body part. */
        TRAILING_DATA
    }

    private final Error error;
    private final int position;

    /**
     * @param error the rule
     * @param position byte offset where the problem was found
     * @param detail a short explanation
     */
    public SyntaxException(Error error, int position, String detail) {
        super(error + " at byte " + position + ": " + detail);
        this.error = error;
        this.position = position;
    }

    /** The broken rule. */
    public Error error() {
        return error;
    }

    /** Byte offset of the problem. */
    public int position() {
        return position;
    }
}
