package dev.sabir.ipcfile.codec;

/**
 * A frame or message that breaks the libipc file-transfer protocol. The {@link Kind} says what was
 * wrong; the connection that sent it is answered with an error and closed.
 */
public final class IpcCodecException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Kind {
        /** The length field announces more than the configured maximum. */
        FRAME_TOO_LARGE,
        /** A record's length does not match its header (truncated or trailing bytes). */
        BAD_LENGTH,
        /** The frame type is not DATA. */
        BAD_FRAME_TYPE,
        /** The user type is not AUTHENTICATION, RESPONSE or TRANSFER. */
        BAD_USER_TYPE,
        /** The payload is not UTF-8 JSON within the limits. */
        BAD_JSON,
        /** A required field is missing or has the wrong type or size. */
        BAD_FIELD
    }

    private final Kind kind;
    private final String messageId;
    private final IpcMessage.IdKey idKey;

    /**
     * @param kind what was wrong
     * @param message details for logs and the peer (never contains secrets)
     */
    public IpcCodecException(Kind kind, String message) {
        this(kind, message, null, null);
    }

    /**
     * @param kind what was wrong
     * @param message details for logs and the peer (never contains secrets)
     * @param messageId the message id, when it could be read, else null
     * @param idKey the key that carried it, or null
     */
    public IpcCodecException(Kind kind, String message, String messageId, IpcMessage.IdKey idKey) {
        super(message);
        this.kind = kind;
        this.messageId = messageId;
        this.idKey = idKey;
    }

    /** What was wrong. */
    public Kind kind() {
        return kind;
    }

    /** The id of the bad message when it could be read, else null. */
    public String messageId() {
        return messageId;
    }

    /** The key that carried the id, or null. */
    public IpcMessage.IdKey idKey() {
        return idKey;
    }

    /**
     * True when the frame boundaries can no longer be trusted (or the peer does not speak the
     * protocol): the connection must be closed. False for a well-framed message with a bad field,
     * which is answered with an error and the connection kept.
     */
    public boolean fatal() {
        return kind != Kind.BAD_FIELD && kind != Kind.BAD_USER_TYPE;
    }
}
