package dev.sabir.soulseek.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Turns one {@code P} connection frame (cut by {@link ServerMessageDecoder#frameDecoder}) into a
 * {@link PeerMessage}.
 */
public final class PeerMessageDecoder extends MessageToMessageDecoder<ByteBuf> {
    private final SlskLimits limits;

    /**
     * @param limits the string, frame and inflate limits
     */
    public PeerMessageDecoder(SlskLimits limits) {
        this.limits = limits;
    }

    /** Decodes one frame's content (code and payload). */
    public static PeerMessage decodeFrame(ByteBuf frame, SlskLimits limits) {
        return PeerMessage.decodeFrame(frame, limits);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(PeerMessage.decodeFrame(frame, limits));
    }
}
