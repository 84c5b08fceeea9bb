package dev.sabir.soulseek.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Reads the one {@link PeerInitMessage} that opens a peer socket, then passes every later byte on
 * unchanged. The handler that receives the init message installs what the connection type needs (a
 * frame decoder and {@link PeerMessageDecoder} for {@code P}; nothing for {@code F}) right after
 * this decoder.
 */
public final class PeerInitDecoder extends ByteToMessageDecoder {
    private final SlskLimits limits;
    private boolean done;

    /**
     * @param limits the frame and string limits
     */
    public PeerInitDecoder(SlskLimits limits) {
        this.limits = limits;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (done) {
            if (in.isReadable()) {
                out.add(in.readRetainedSlice(in.readableBytes()));
            }
            return;
        }
        if (in.readableBytes() < 4) {
            return;
        }
        long len = in.getUnsignedIntLE(in.readerIndex());
        if (len < 1 || len > limits.maxFrame()) {
            in.skipBytes(in.readableBytes());
            throw new SoulseekCodecException(
                    SoulseekCodecException.Kind.BAD_FRAME_LENGTH,
                    "peer init frame of " + len + " bytes");
        }
        if (in.readableBytes() < 4 + len) {
            return;
        }
        in.skipBytes(4);
        ByteBuf frame = in.readSlice((int) len);
        done = true;
        out.add(PeerInitMessage.decodeFrame(frame, limits));
    }
}
