package dev.sabir.xmpp.codec;

import io.netty.handler.codec.DecoderException;

/** The peer sent something that is not a well-formed, restricted XMPP stream, or too much of it. */
public final class XmlFrameException extends DecoderException {
    private static final long serialVersionUID = 1L;
    private final Reason reason;

    /**
     * @param reason the kind of fault
     * @param message details for the log
     */
    public XmlFrameException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    /** The kind of fault. */
    public Reason reason() {
        return reason;
    }

    /** Kinds of framing fault; each maps to an XMPP stream error condition. */
    public enum Reason {
        /** An element or the stream header is longer than the limit. */
        TOO_LARGE("policy-violation"),
        /** Comments, processing instructions or DTDs inside the stream. */
        RESTRICTED_XML("restricted-xml"),
        /** Text that cannot be XML. */
        NOT_WELL_FORMED("not-well-formed"),
        /** The first element is not a stream header. */
        BAD_STREAM("invalid-namespace");

        private final String condition;

        Reason(String condition) {
            this.condition = condition;
        }

        /** The RFC 6120 stream error condition. */
        public String condition() {
            return condition;
        }
    }
}
