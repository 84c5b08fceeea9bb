package dev.sabir.soulseek.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes {@link ServerMessage}s as {@code uint32 length, uint32 code, payload} frames. */
@ChannelHandler.Sharable
public final class ServerMessageEncoder extends MessageToByteEncoder<ServerMessage> {
    @Override
    protected void encode(ChannelHandlerContext ctx, ServerMessage msg, ByteBuf out) {
        ServerCodec.writeFrame(msg, out);
    }
}
