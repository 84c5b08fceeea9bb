package dev.sabir.torchat.codec;

import io.netty.handler.codec.DecoderException;

/** A line that is not a well-formed TorChat packet (bad name, missing or malformed arguments). */
public final class TorChatCodecException extends DecoderException {
    private static final long serialVersionUID = 1L;
    private final String packetName;

    /**
     * @param packetName the packet name when it could be read, else empty
     * @param message what is wrong
     */
    public TorChatCodecException(String packetName, String message) {
        super(message);
        this.packetName = packetName == null ? "" : packetName;
    }

    /** The packet name when it could be read, else empty. */
    public String packetName() {
        return packetName;
    }
}
