package dev.sabir.jabberft.codec;

import io.netty.handler.codec.DecoderException;

/** The component stream broke the framing rules; the connection is closed. */
public final class XmlFrameException extends DecoderException {
    private static final long serialVersionUID = 1L;

    /** Why the framer gave up. */
    public enum Reason {
        /** Not well-formed (bad tag, text between stanzas, control bytes). */
        NOT_WELL_FORMED,
        /** Comments, processing instructions, DTDs or CDATA inside the stream. */
        RESTRICTED_XML,
        /** A header or element over its size limit. */
        TOO_LARGE
    }

    private final Reason reason;

    /**
     * @param reason the category
     * @param message details for the log
     */
    public XmlFrameException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /** The category of the fault. */
    public Reason reason() {
        return reason;
    }
}
