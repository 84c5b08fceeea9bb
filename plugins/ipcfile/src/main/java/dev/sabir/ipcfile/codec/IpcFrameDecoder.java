package dev.sabir.ipcfile.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.util.List;

/**
 * Splits a byte stream (TCP) into {@link IpcFrame}s. A state machine: read the 6-byte header, check
 * the announced length against the limit <em>before</em> allocating anything, then wait for the
 * payload. A bad header moves it to a terminal state that drops all further input and fires one
 * {@link DecoderException} wrapping an {@link IpcCodecException}.
 */
public final class IpcFrameDecoder extends ByteToMessageDecoder {
    private enum State {
        HEADER,
        PAYLOAD,
        BAD
    }

    private final int maxPayload;
    private State state = State.HEADER;
    private int type;
    private int userType;
    private int length;

    /**
     * @param maxPayload the largest payload accepted, in bytes
     */
    public IpcFrameDecoder(int maxPayload) {
        if (maxPayload < 1) {
            throw new IllegalArgumentException("maxPayload must be positive");
        }
        this.maxPayload = maxPayload;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (true) {
            switch (state) {
                case HEADER -> {
                    if (in.readableBytes() < IpcFrame.HEADER) {
                        return;
                    }
                    int t = in.readUnsignedByte();
                    long len = in.readUnsignedInt();
                    int u = in.readUnsignedByte();
                    if (len > maxPayload) {
                        fail(
                                in,
                                IpcCodecException.Kind.FRAME_TOO_LARGE,
                                "frame of " + len + " bytes, limit " + maxPayload);
                    }
                    type = t;
                    userType = u;
                    length = (int) len;
                    state = State.PAYLOAD;
                }
                case PAYLOAD -> {
                    if (in.readableBytes() < length) {
                        return;
                    }
                    byte[] payload = new byte[length];
                    in.readBytes(payload);
                    out.add(IpcFrame.adopt(type, userType, payload));
                    state = State.HEADER;
                }
                case BAD -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void fail(ByteBuf in, IpcCodecException.Kind kind, String message) {
        state = State.BAD;
        in.skipBytes(in.readableBytes());
        throw new DecoderException(new IpcCodecException(kind, message));
    }
}
