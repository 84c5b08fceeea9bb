package dev.sabir.jabberft.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads the {@link DataHeader} line of an incoming data connection, then steps out of the pipeline
 * so the raw bytes after it pass through untouched. A line over {@link DataHeader#MAX_LENGTH} or
 * one that is not a header is a {@link BadHeaderException}.
 */
public final class DataHeaderDecoder extends ByteToMessageDecoder {
    private boolean done;

    /** A header line was missing or malformed. */
    public static final class BadHeaderException extends DecoderException {
        private static final long serialVersionUID = 1L;

        /**
         * @param message what was wrong
         */
        public BadHeaderException(String message) {
            super(message);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (done) {
            return;
        }
        int scan = Math.min(in.readableBytes(), DataHeader.MAX_LENGTH);
        int nl = in.indexOf(in.readerIndex(), in.readerIndex() + scan, (byte) '\n');
        if (nl < 0) {
            if (in.readableBytes() >= DataHeader.MAX_LENGTH) {
                done = true;
                in.skipBytes(in.readableBytes());
                throw new BadHeaderException(
                        "no header line within " + DataHeader.MAX_LENGTH + " bytes");
            }
            return;
        }
        String line =
                in.toString(in.readerIndex(), nl - in.readerIndex(), StandardCharsets.US_ASCII);
        in.readerIndex(nl + 1);
        done = true;
        try {
            out.add(DataHeader.parse(line));
        } catch (FtProtocolException e) {
            in.skipBytes(in.readableBytes());
            throw new BadHeaderException(e.getMessage());
        }
        ctx.pipeline().remove(this);
    }
}
