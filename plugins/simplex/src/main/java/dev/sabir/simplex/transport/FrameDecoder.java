package dev.sabir.simplex.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.util.List;

/**
 * Cuts the byte stream into {@link Blocks#SIZE}-byte blocks and decodes each into a {@link Frame}.
 * A malformed block is one {@link DecoderException} caused by a {@link TransportException}; after
 * it the decoder discards everything (the handler closes the channel).
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    private boolean broken;

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (broken) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.readableBytes() >= Blocks.SIZE) {
            byte[] block = new byte[Blocks.SIZE];
            in.readBytes(block);
            try {
                out.add(FrameCodec.decode(block));
            } catch (TransportException e) {
                broken = true;
                in.skipBytes(in.readableBytes());
                throw new DecoderException(e);
            }
        }
    }
}
