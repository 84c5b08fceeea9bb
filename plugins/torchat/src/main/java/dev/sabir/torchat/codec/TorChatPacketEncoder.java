package dev.sabir.torchat.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes a {@link TorChatPacket} as one escaped line. Stateless and sharable. */
@ChannelHandler.Sharable
public final class TorChatPacketEncoder extends MessageToByteEncoder<TorChatPacket> {

    /** Creates the encoder. */
    public TorChatPacketEncoder() {
        super(TorChatPacket.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, TorChatPacket packet, ByteBuf out) {
        TorChatPackets.encode(packet, out);
    }
}
