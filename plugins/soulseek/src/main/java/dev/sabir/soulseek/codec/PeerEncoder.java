package dev.sabir.soulseek.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/**
 * Writes {@link PeerInitMessage}s (uint8 code) and {@link PeerMessage}s (uint32 code) as frames;
 * raw {@link ByteBuf}s (file data) pass through untouched.
 */
public final class PeerEncoder extends MessageToByteEncoder<Object> {
    private final SlskLimits limits;

    /**
     * @param limits the limits
     */
    public PeerEncoder(SlskLimits limits) {
        this.limits = limits;
    }

    @Override
    public boolean acceptOutboundMessage(Object msg) {
        return msg instanceof PeerInitMessage || msg instanceof PeerMessage;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, Object msg, ByteBuf out) {
        if (msg instanceof PeerInitMessage init) {
            PeerInitMessage.writeFrame(init, out);
        } else {
            PeerMessage.writeFrame((PeerMessage) msg, out, limits);
        }
    }

    /** Encodes a peer init message into a buffer (for tests and raw sockets). */
    public static void encodeInit(PeerInitMessage m, ByteBuf out) {
        PeerInitMessage.writeFrame(m, out);
    }

    /** Encodes a peer message into a buffer (for tests and raw sockets). */
    public static void encodePeer(PeerMessage m, ByteBuf out) {
        PeerMessage.writeFrame(m, out, SlskLimits.CLIENT);
    }

    /** Decodes a peer init frame's content (for tests and raw sockets). */
    public static PeerInitMessage decodeInit(ByteBuf frame, SlskLimits limits) {
        return PeerInitMessage.decodeFrame(frame, limits);
    }
}
