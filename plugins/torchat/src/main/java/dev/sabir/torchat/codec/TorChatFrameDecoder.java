package dev.sabir.torchat.codec;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DelimiterBasedFrameDecoder;

/**
 * Splits the stream into lines at LF only, without the LF. A CR before the LF stays part of the
 * line: TorChat does not escape CR, so it may end a binary file block ({@code
 * LineBasedFrameDecoder} would strip it). A line longer than the limit fails fast with {@link
 * io.netty.handler.codec.TooLongFrameException}.
 */
public final class TorChatFrameDecoder extends DelimiterBasedFrameDecoder {

    /**
     * @param maxLine the longest line accepted, LF excluded
     */
    public TorChatFrameDecoder(int maxLine) {
        super(checked(maxLine), true, true, Unpooled.wrappedBuffer(new byte[] {'\n'}));
    }

    private static int checked(int maxLine) {
        if (maxLine < 64) {
            throw new IllegalArgumentException("line limit too small: " + maxLine);
        }
        return maxLine;
    }
}
