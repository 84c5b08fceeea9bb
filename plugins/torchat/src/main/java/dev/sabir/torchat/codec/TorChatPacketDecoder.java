package dev.sabir.torchat.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/**
 * Turns one line (a frame from {@link TorChatFrameDecoder}) into a {@link TorChatPacket}. A
 * malformed line raises {@link TorChatCodecException}; the next line is decoded independently.
 */
public final class TorChatPacketDecoder extends MessageToMessageDecoder<ByteBuf> {

    /** Reused for the byte fields of successive lines (file blocks), see {@link Scratch}. */
    private final Scratch scratch = new Scratch();

    /** Creates the decoder (one per channel: it keeps a scratch array between lines). */
    public TorChatPacketDecoder() {
        super(ByteBuf.class);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf frame, List<Object> out) {
        out.add(TorChatPackets.parse(frame, scratch));
    }
}
