package dev.sabir.ipcfile.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;

/** Writes {@link IpcFrame}s to a byte stream (TCP). Stateless, so one instance may be shared. */
@Sharable
public final class IpcFrameEncoder extends MessageToByteEncoder<IpcFrame> {
    @Override
    protected void encode(ChannelHandlerContext ctx, IpcFrame frame, ByteBuf out) {
        byte[] payload = frame.payloadShared();
        out.ensureWritable(IpcFrame.HEADER + payload.length);
        out.writeByte(frame.type());
        out.writeInt(payload.length);
        out.writeByte(frame.userType());
        out.writeBytes(payload);
    }
}
