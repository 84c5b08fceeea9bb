package dev.sabir.torchat.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Netty handlers on an {@link EmbeddedChannel}, with input split at every byte. */
class TorChatCodecChannelTest {

    private static final byte[] STREAM =
            ("ping 7acbk6jpofsanyfp 777bc33f-ab25-4f96-baad-135ca2048c3a\n"
                            + "add_me \n"
                            + "message multi\\nline \\/ text\n"
                            + "status away\n"
                            + "filedata f 0 00000000000000000000000000000000 ab\r\n"
                            + "what_is_this 1 2 3\n")
                    .getBytes(StandardCharsets.UTF_8);

    private static EmbeddedChannel channel(int maxLine) {
        EmbeddedChannel ch = new EmbeddedChannel();
        TorChatCodec.install(ch.pipeline(), maxLine);
        return ch;
    }

    private static List<TorChatPacket> expected() {
        return List.of(
                TorChatPackets.ping("7acbk6jpofsanyfp", "777bc33f-ab25-4f96-baad-135ca2048c3a"),
                TorChatPackets.addMe(),
                TorChatPackets.message("multi\nline \\ text"),
                TorChatPackets.status("away"),
                new TorChatPacket.Filedata(
                        "f", 0, "00000000000000000000000000000000", new byte[] {'a', 'b', '\r'}),
                new TorChatPacket.Unknown(
                        "what_is_this", "1 2 3".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void decodesAStreamSplitAtEveryByte() {
        for (int split = 0; split <= STREAM.length; split++) {
            EmbeddedChannel ch = channel(1024);
            ch.writeInbound(Unpooled.wrappedBuffer(STREAM, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(STREAM, split, STREAM.length - split));
            List<Object> got = new ArrayList<>();
            for (Object o; (o = ch.readInbound()) != null; ) {
                got.add(o);
            }
            assertThat(got).as("split at %d", split).isEqualTo(expected());
            assertFalse(ch.finish());
        }
    }

    @Test
    void decodesAStreamFedOneByteAtATime() {
        EmbeddedChannel ch = channel(1024);
        for (byte b : STREAM) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        List<Object> got = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            got.add(o);
        }
        assertThat(got).isEqualTo(expected());
        assertFalse(ch.finish());
    }

    @Test
    void encoderWritesEscapedLines() {
        EmbeddedChannel ch = channel(1024);
        ch.writeOutbound(TorChatPackets.message("a\nb\\"), TorChatPackets.removeMe());
        ByteBuf a = ch.readOutbound();
        ByteBuf b = ch.readOutbound();
        assertThat(a.toString(StandardCharsets.UTF_8)).isEqualTo("message a\\nb\\/\n");
        assertThat(b.toString(StandardCharsets.UTF_8)).isEqualTo("remove_me\n");
        a.release();
        b.release();
        assertFalse(ch.finish());
    }

    @Test
    void overlongLineFailsFastWithoutBuffering() {
        EmbeddedChannel ch = channel(100);
        byte[] longLine = ("message " + "x".repeat(200)).getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(longLine)))
                .isInstanceOf(TooLongFrameException.class);
        // the rest of the long line is discarded; the next line decodes
        ch.writeInbound(
                Unpooled.wrappedBuffer("xx\nstatus xa\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat((Object) ch.readInbound()).isEqualTo(TorChatPackets.status("xa"));
        assertFalse(ch.finish());
    }

    @Test
    void garbageIsATypedErrorAndTheNextLineStillDecodes() {
        EmbeddedChannel ch = channel(1024);
        assertThatThrownBy(
                        () ->
                                ch.writeInbound(
                                        Unpooled.wrappedBuffer(
                                                new byte[] {(byte) 0xde, (byte) 0xad, '\n'})))
                .isInstanceOf(TorChatCodecException.class);
        ch.writeInbound(Unpooled.wrappedBuffer("pong c\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat((Object) ch.readInbound()).isEqualTo(TorChatPackets.pong("c"));
        assertFalse(ch.finish());
    }
}
