package dev.sabir.ipcfile.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The stream framing: whole frames, frames split anywhere, limits before allocation. */
class IpcFrameDecoderTest {
    private static final IpcFrame A =
            IpcFrame.data(
                    IpcFrame.AUTHENTICATION,
                    "{\"mid\":\"1\",\"token\":\"t\",\"files\":[]}"
                            .getBytes(StandardCharsets.UTF_8));
    private static final IpcFrame B = IpcFrame.data(IpcFrame.TRANSFER, new byte[0]);

    private static byte[] both() {
        byte[] a = A.toBytes();
        byte[] b = B.toBytes();
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void headerIsTypeLengthBigEndianAndUserType() {
        byte[] bytes = IpcFrame.data(3, new byte[] {'x', 'y'}).toBytes();
        assertThat(bytes).containsExactly(2, 0, 0, 0, 2, 3, 'x', 'y');
    }

    @Test
    void decodesFramesSplitAtEveryPosition() {
        byte[] all = both();
        for (int split = 0; split <= all.length; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(new IpcFrameDecoder(1024));
            ch.writeInbound(Unpooled.wrappedBuffer(all, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(all, split, all.length - split));
            List<Object> out = new ArrayList<>();
            Object o;
            while ((o = ch.readInbound()) != null) {
                out.add(o);
            }
            assertThat(out).as("split at " + split).containsExactly(A, B);
            assertFalse(ch.finish());
        }
    }

    @Test
    void decodesByteByByte() {
        EmbeddedChannel ch = new EmbeddedChannel(new IpcFrameDecoder(1024));
        for (byte b : both()) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat((Object) ch.readInbound()).isEqualTo(A);
        assertThat((Object) ch.readInbound()).isEqualTo(B);
        assertFalse(ch.finish());
    }

    @Test
    void oversizeLengthIsATypedErrorAndTheRestIsDropped() {
        EmbeddedChannel ch = new EmbeddedChannel(new IpcFrameDecoder(100));
        ByteBuf bad =
                Unpooled.buffer().writeByte(2).writeInt(101).writeByte(1).writeBytes(new byte[20]);
        assertThatThrownBy(() -> ch.writeInbound(bad))
                .isInstanceOf(DecoderException.class)
                .cause()
                .isInstanceOf(IpcCodecException.class)
                .matches(
                        e ->
                                ((IpcCodecException) e).kind()
                                        == IpcCodecException.Kind.FRAME_TOO_LARGE);
        ch.writeInbound(Unpooled.wrappedBuffer(A.toBytes()));
        assertThat((Object) ch.readInbound())
                .as("terminal state: nothing after a bad frame")
                .isNull();
        assertFalse(ch.finish());
    }

    @Test
    void recordsMustHoldExactlyOneFrame() throws Exception {
        byte[] a = A.toBytes();
        assertThat(IpcFrame.fromRecord(a, a.length, 1024)).isEqualTo(A);
        assertThatThrownBy(() -> IpcFrame.fromRecord(a, a.length - 1, 1024))
                .matches(e -> ((IpcCodecException) e).kind() == IpcCodecException.Kind.BAD_LENGTH);
        assertThatThrownBy(() -> IpcFrame.fromRecord(a, 3, 1024))
                .matches(e -> ((IpcCodecException) e).kind() == IpcCodecException.Kind.BAD_LENGTH);
        assertThatThrownBy(() -> IpcFrame.fromRecord(a, a.length, 4))
                .matches(
                        e ->
                                ((IpcCodecException) e).kind()
                                        == IpcCodecException.Kind.FRAME_TOO_LARGE);
    }

    @Test
    void encoderWritesTheSameBytes() {
        EmbeddedChannel ch = new EmbeddedChannel(new IpcFrameEncoder());
        ch.writeOutbound(A);
        ByteBuf out = ch.readOutbound();
        byte[] bytes = new byte[out.readableBytes()];
        out.readBytes(bytes);
        out.release();
        assertThat(bytes).isEqualTo(A.toBytes());
        assertFalse(ch.finish());
    }
}
