package dev.sabir.soulseek.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Truncated, lying and oversize input becomes typed errors; several frames survive any split. */
class DecoderErrorTest {
    private static final SlskLimits LIMITS = new SlskLimits(1024, 256, 4096);

    private static EmbeddedChannel server() {
        return new EmbeddedChannel(
                ServerMessageDecoder.frameDecoder(LIMITS),
                new ServerMessageDecoder(ServerMessageDecoder.Side.TO_SERVER, LIMITS));
    }

    @Test
    void stringLongerThanTheFrameIsTruncated() {
        ByteBuf b = Unpooled.buffer().writeIntLE(12).writeIntLE(13).writeIntLE(200).writeIntLE(0);
        assertThatThrownBy(() -> server().writeInbound(b))
                .isInstanceOfSatisfying(
                        SoulseekCodecException.class,
                        e -> assertThat(e.kind()).isEqualTo(SoulseekCodecException.Kind.TRUNCATED));
    }

    @Test
    void stringOverTheLimitIsRejectedBeforeAllocating() {
        ByteBuf b = Unpooled.buffer().writeIntLE(8).writeIntLE(3).writeIntLE(Integer.MAX_VALUE);
        assertThatThrownBy(() -> server().writeInbound(b))
                .isInstanceOfSatisfying(
                        SoulseekCodecException.class,
                        e ->
                                assertThat(e.kind())
                                        .isEqualTo(SoulseekCodecException.Kind.STRING_TOO_LONG));
    }

    @Test
    void oversizeFrameFailsFast() {
        ByteBuf b = Unpooled.buffer().writeIntLE(1 << 30).writeIntLE(1);
        assertThatThrownBy(() -> server().writeInbound(b))
                .isInstanceOf(TooLongFrameException.class);
    }

    @Test
    void frameWithoutCode() {
        ByteBuf b = Unpooled.buffer().writeIntLE(2).writeShort(7);
        assertThatThrownBy(() -> server().writeInbound(b))
                .isInstanceOfSatisfying(
                        SoulseekCodecException.class,
                        e ->
                                assertThat(e.kind())
                                        .isEqualTo(SoulseekCodecException.Kind.BAD_FRAME_LENGTH));
    }

    @Test
    void lyingArrayCount() {
        ByteBuf b =
                Unpooled.buffer()
                        .writeIntLE(12)
                        .writeIntLE(149)
                        .writeIntLE(0x7fffffff)
                        .writeIntLE(0);
        assertThatThrownBy(() -> server().writeInbound(b))
                .isInstanceOfSatisfying(
                        SoulseekCodecException.class,
                        e -> assertThat(e.kind()).isEqualTo(SoulseekCodecException.Kind.BAD_COUNT));
    }

    @Test
    void zlibBombAndGarbageAreRejected() {
        byte[] bomb = SlskZlib.deflate(new byte[100_000]);
        ByteBuf b = Unpooled.buffer();
        b.writeIntLE(4 + bomb.length).writeIntLE(5).writeBytes(bomb);
        EmbeddedChannel ch =
                new EmbeddedChannel(
                        ServerMessageDecoder.frameDecoder(LIMITS), new PeerMessageDecoder(LIMITS));
        assertThatThrownBy(() -> ch.writeInbound(b))
                .isInstanceOfSatisfying(
                        SoulseekCodecException.class,
                        e ->
                                assertThat(e.kind())
                                        .isEqualTo(SoulseekCodecException.Kind.BAD_COMPRESSED));
        ByteBuf g = Unpooled.buffer().writeIntLE(8).writeIntLE(5).writeIntLE(0xdeadbeef);
        EmbeddedChannel ch2 =
                new EmbeddedChannel(
                        ServerMessageDecoder.frameDecoder(LIMITS), new PeerMessageDecoder(LIMITS));
        assertThatThrownBy(() -> ch2.writeInbound(g)).isInstanceOf(SoulseekCodecException.class);
    }

    @Test
    void peerInitWithBadLengthOrCode() {
        assertThatThrownBy(
                        () ->
                                new EmbeddedChannel(new PeerInitDecoder(LIMITS))
                                        .writeInbound(Unpooled.buffer().writeIntLE(0)))
                .isInstanceOf(SoulseekCodecException.class);
        assertThatThrownBy(
                        () ->
                                new EmbeddedChannel(new PeerInitDecoder(LIMITS))
                                        .writeInbound(Unpooled.buffer().writeIntLE(1).writeByte(9)))
                .isInstanceOfSatisfying(
                        SoulseekCodecException.class,
                        e -> assertThat(e.kind()).isEqualTo(SoulseekCodecException.Kind.BAD_VALUE));
    }

    @Test
    void peerInitThenRawBytesPassThrough() {
        ByteBuf b = Unpooled.buffer();
        PeerEncoder.encodeInit(new PeerInitMessage.PeerInit("bob", "F", 1), b);
        b.writeIntLE(42);
        EmbeddedChannel ch = new EmbeddedChannel(new PeerInitDecoder(LIMITS));
        ch.writeInbound(b);
        assertThat((Object) ch.readInbound())
                .isEqualTo(new PeerInitMessage.PeerInit("bob", "F", 1));
        ByteBuf rest = ch.readInbound();
        assertThat(rest.readIntLE()).isEqualTo(42);
        rest.release();
        assertFalse(ch.finish());
    }

    @Test
    void textFallsBackToCp1252WhenNotUtf8() {
        byte[] cp1252 = {'c', 'a', 'f', (byte) 0xe9, ' ', (byte) 0x80};
        assertThat(SlskReader.decodeText(cp1252)).isEqualTo("caf\u00e9 \u20ac");
        assertThat(
                        SlskReader.decodeText(
                                "caf\u00e9".getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .isEqualTo("caf\u00e9");
    }

    @Test
    void severalFramesSplitAtEveryByte() {
        List<ServerMessage.ToServer> msgs =
                List.of(
                        ServerMessages.login("alice", "pw"),
                        ServerMessages.joinRoom("lobby"),
                        new ServerMessage.Ping(),
                        ServerMessages.say("lobby", "h\u00e9llo"),
                        new ServerMessage.MessageUsers(List.of("a", "b"), "x"));
        ByteBuf all = Unpooled.buffer();
        msgs.forEach(m -> ServerCodec.writeFrame(m, all));
        byte[] bytes = ByteBufUtil.getBytes(all);
        for (int i = 0; i <= bytes.length; i++) {
            EmbeddedChannel ch = server();
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, i));
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, bytes.length - i));
            List<Object> got = new ArrayList<>();
            for (Object o; (o = ch.readInbound()) != null; ) {
                got.add(o);
            }
            assertThat(got).as("split at %d", i).hasSize(5);
            assertThat(got.get(3)).isEqualTo(msgs.get(3));
            assertThat(got.get(4)).isEqualTo(msgs.get(4));
            assertFalse(ch.finish());
        }
    }
}
