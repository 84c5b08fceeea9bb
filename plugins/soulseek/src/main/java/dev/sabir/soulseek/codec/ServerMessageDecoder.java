package dev.sabir.soulseek.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Turns one server-message frame (as cut by {@link #frameDecoder}) into a {@link ServerMessage}.
 * Truncated or lying frames raise {@link SoulseekCodecException}.
 */
public final class ServerMessageDecoder extends MessageToMessageDecoder<ByteBuf> {

    /** Which side's messages to decode. */
    public enum Side {
        /** Decode what clients send (used by a server). */
        TO_SERVER,
        /** Decode what the server sends (used by a client). */
        FROM_SERVER
    }

    private final Side side;
    private final SlskLimits limits;

    /**
     * @param side which side's messages this channel receives
     * @param limits the string and frame limits
     */
    public ServerMessageDecoder(Side side, SlskLimits limits) {
        this.side = side;
        this.limits = limits;
    }

    /**
     * A frame decoder for {@code uint32 length} (little-endian) frames, rejecting lengths over the
     * limit before buffering them (fail fast).
     */
    public static LengthFieldBasedFrameDecoder frameDecoder(SlskLimits limits) {
        return new LengthFieldBasedFrameDecoder(
                ByteOrder.LITTLE_ENDIAN, limits.maxFrame() + 4, 0, 4, 0, 4, true);
    }

    /** Decodes one frame's content (code and payload). */
    public static ServerMessage decodeFrame(ByteBuf frame, Side side, SlskLimits limits) {
        if (frame.readableBytes() < 4) {
            throw new SoulseekCodecException(
                    SoulseekCodecException.Kind.BAD_FRAME_LENGTH,
                    "frame of " + frame.readableBytes() + " bytes has no code");
        }
        int code = frame.readIntLE();
        SlskReader r = new SlskReader(frame, limits);
        return side == Side.TO_SERVER
                ? ServerCodec.decodeToServer(code, r)
                : ServerCodec.decodeFromServer(code, r);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(decodeFrame(frame, side, limits));
    }
}
