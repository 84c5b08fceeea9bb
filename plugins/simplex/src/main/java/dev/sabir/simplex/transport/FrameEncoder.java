package dev.sabir.simplex.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes each {@link Frame} as one padded block. */
@Sharable
public final class FrameEncoder extends MessageToByteEncoder<Frame> {
    @Override
    protected void encode(ChannelHandlerContext ctx, Frame msg, ByteBuf out) {
        out.writeBytes(FrameCodec.encode(msg));
    }
}
