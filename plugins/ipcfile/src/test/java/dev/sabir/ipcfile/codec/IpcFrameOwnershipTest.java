package dev.sabir.ipcfile.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@link IpcFrame} stays immutable from the outside now that the decoders hand it their array
 * without a second copy.
 */
class IpcFrameOwnershipTest {
    private static final byte[] PAYLOAD = "{\"mid\":\"9\"}".getBytes(StandardCharsets.UTF_8);

    @Test
    void theConstructorAndTheAccessorCopy() {
        byte[] mine = PAYLOAD.clone();
        IpcFrame f = IpcFrame.data(IpcFrame.TRANSFER, mine);
        mine[0] = 'X';
        assertThat(f.payload()).isEqualTo(PAYLOAD);
        f.payload()[0] = 'Y';
        assertThat(f.payload()).isEqualTo(PAYLOAD);
        assertThat(f).isEqualTo(IpcFrame.data(IpcFrame.TRANSFER, PAYLOAD));
        assertThat(f.hashCode()).isEqualTo(IpcFrame.data(IpcFrame.TRANSFER, PAYLOAD).hashCode());
        assertThatThrownBy(() -> new IpcFrame(256, 1, PAYLOAD))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new IpcFrame(2, 1, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void theViewReadsWithoutCopyingAndCannotWrite() {
        IpcFrame f = IpcFrame.data(IpcFrame.TRANSFER, PAYLOAD);
        ByteBuffer view = f.payloadView();
        assertThat(view.isReadOnly()).isTrue();
        assertThat(view.remaining()).isEqualTo(PAYLOAD.length);
        byte[] read = new byte[view.remaining()];
        view.get(read);
        assertThat(read).isEqualTo(PAYLOAD);
        assertThatThrownBy(() -> f.payloadView().put(0, (byte) 'X'))
                .isInstanceOf(ReadOnlyBufferException.class);
        assertThat(f.payload()).isEqualTo(PAYLOAD);
    }

    @Test
    void decodedFramesDoNotShareTheInputBytes() throws IpcCodecException {
        byte[] wire = IpcFrame.data(IpcFrame.TRANSFER, PAYLOAD).toBytes();
        ByteBuf in = Unpooled.buffer().writeBytes(wire);
        EmbeddedChannel ch = new EmbeddedChannel(new IpcFrameDecoder(1024));
        ch.writeInbound(in.retain());
        in.setByte(IpcFrame.HEADER, 'X'); // the reader's buffer changes afterwards
        IpcFrame got = ch.readInbound();
        assertThat(got.payload()).isEqualTo(PAYLOAD);
        in.release();
        assertFalse(ch.finish());

        byte[] record = wire.clone();
        IpcFrame fromRecord = IpcFrame.fromRecord(record, record.length, 1024);
        record[IpcFrame.HEADER] = 'X';
        assertThat(fromRecord.payload()).isEqualTo(PAYLOAD);
    }

    @Test
    void theEncoderWritesTheFrameUnchanged() {
        IpcFrame f = IpcFrame.data(IpcFrame.RESPONSE, PAYLOAD);
        EmbeddedChannel ch = new EmbeddedChannel(new IpcFrameEncoder());
        ch.writeOutbound(f);
        ByteBuf out = ch.readOutbound();
        assertThat(ByteBufUtil.getBytes(out)).isEqualTo(f.toBytes());
        out.release();
        assertThat(f.payload()).isEqualTo(PAYLOAD);
        assertFalse(ch.finish());
    }
}
