package dev.sabir.torchat.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Turns one line (a frame from {@link TorChatFrameDecoder}) into a {@link TorChatPacket}. A
 * malformed line raises {@link TorChatCodecException}; the next line is decoded independently.
 */
public final class TorChatPacketDecoder extends MessageToMessageDecoder<ByteBuf> {

    /** Creates the decoder. */
    public TorChatPacketDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(TorChatPackets.parse(ByteBufUtil.getBytes(frame)));
    }
}
