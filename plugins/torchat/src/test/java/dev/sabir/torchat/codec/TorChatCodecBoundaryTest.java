package dev.sabir.torchat.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The edges of the allocation-free decode and encode paths: unescaping straight from the buffer
 * (escapes cut by a read boundary, a backslash as the last byte), the decoder's reused scratch
 * array, the line limit, and the encoder writing into the buffer.
 */
class TorChatCodecBoundaryTest {

    private static EmbeddedChannel channel(int maxLine) {
        EmbeddedChannel ch = new EmbeddedChannel();
        TorChatCodec.install(ch.pipeline(), maxLine);
        return ch;
    }

    private static List<Object> drain(EmbeddedChannel ch) {
        List<Object> got = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            got.add(o);
        }
        return got;
    }

    private static ByteBuf direct(byte[] b, int from, int len) {
        ByteBuf buf = Unpooled.directBuffer(Math.max(len, 1));
        buf.writeBytes(b, from, len);
        return buf;
    }

    /** The deployed clients' two find-and-replace passes, kept here as the reference. */
    private static byte[] referenceUnescape(byte[] in) {
        return replace(replace(in, (byte) 'n', (byte) '\n'), (byte) '/', (byte) '\\');
    }

    private static byte[] replace(byte[] in, byte second, byte with) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < in.length; i++) {
            if (in[i] == '\\' && i + 1 < in.length && in[i + 1] == second) {
                out.write(with);
                i++;
            } else {
                out.write(in[i]);
            }
        }
        return out.toByteArray();
    }

    @Test
    void singlePassUnescapingMatchesTheTwoPassReference() {
        byte[] alphabet = {'\\', 'n', '/', ' ', '\n', 'a'};
        SplittableRandom rnd = new SplittableRandom(42);
        for (int round = 0; round < 5000; round++) {
            byte[] in = new byte[rnd.nextInt(24)];
            for (int i = 0; i < in.length; i++) {
                in[i] = alphabet[rnd.nextInt(alphabet.length)];
            }
            byte[] expected = referenceUnescape(in);
            assertThat(TorChatEscaping.unescape(in)).as(Arrays.toString(in)).isEqualTo(expected);

            // a sub-range of a direct buffer: nothing outside [from, to) is read
            int from = in.length == 0 ? 0 : rnd.nextInt(in.length);
            int to = from + rnd.nextInt(in.length - from + 1);
            ByteBuf buf = direct(in, 0, in.length);
            try {
                byte[] part = referenceUnescape(Arrays.copyOfRange(in, from, to));
                assertThat(TorChatEscaping.unescapedLength(buf, from, to)).isEqualTo(part.length);
                byte[] got = new byte[part.length + 2];
                assertThat(TorChatEscaping.unescape(buf, from, to, got, 1)).isEqualTo(part.length);
                assertThat(Arrays.copyOfRange(got, 1, 1 + part.length)).isEqualTo(part);
            } finally {
                buf.release();
            }
        }
    }

    @Test
    void escapingIntoABufferMatchesTheArrayForm() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int round = 0; round < 500; round++) {
            byte[] raw = new byte[rnd.nextInt(600)];
            rnd.nextBytes(raw);
            ByteBuf out = Unpooled.buffer();
            TorChatEscaping.escape(raw, out);
            assertThat(ByteBufUtil.getBytes(out)).isEqualTo(TorChatEscaping.escape(raw));
            assertThat(out.readableBytes()).isEqualTo(TorChatEscaping.escapedLength(raw));
            assertThat(referenceUnescape(ByteBufUtil.getBytes(out))).isEqualTo(raw);
        }
    }

    @Test
    void escapesCutByEveryReadBoundaryDecode() {
        // a block full of bytes that need escaping, ending in a backslash (so the line ends "\/"),
        // and an unknown packet whose line ends in a stray backslash
        byte[] block = {'\\', 'n', '\n', '/', '\\', '\\', '\n', '\n', 'x', '\\'};
        TorChatPacket.Filedata data = TorChatPackets.filedata("f", 8, block);
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(TorChatPackets.encode(data));
        wire.writeBytes("what_is_this a\\/\\nb\\\n".getBytes(StandardCharsets.US_ASCII));
        wire.writeBytes(TorChatPackets.encode(TorChatPackets.message("a\\b\nc\\")));
        byte[] stream = wire.toByteArray();
        List<Object> expected =
                List.of(
                        data,
                        new TorChatPacket.Unknown(
                                "what_is_this", "a\\\nb\\".getBytes(StandardCharsets.US_ASCII)),
                        TorChatPackets.message("a\\b\nc\\"));

        int cutAfterBackslash = 0;
        for (int split = 0; split <= stream.length; split++) {
            if (split > 0 && stream[split - 1] == '\\') {
                cutAfterBackslash++;
            }
            EmbeddedChannel ch = channel(1024);
            ch.writeInbound(direct(stream, 0, split));
            ch.writeInbound(direct(stream, split, stream.length - split));
            assertThat(drain(ch)).as("split at %d", split).isEqualTo(expected);
            assertFalse(ch.finish());
        }
        assertThat(cutAfterBackslash).isGreaterThan(10);
    }

    @Test
    void equallySizedBlocksInARowKeepTheirOwnBytes() {
        // the decoder reuses one array for blocks of the same size: each record must have copied it
        SplittableRandom rnd = new SplittableRandom(3);
        List<TorChatPacket.Filedata> sent = new ArrayList<>();
        ByteBuf wire = Unpooled.directBuffer();
        for (int i = 0; i < 4; i++) {
            byte[] b = new byte[4096];
            rnd.nextBytes(b);
            sent.add(TorChatPackets.filedata("f", i * 4096L, b));
            wire.writeBytes(TorChatPackets.encode(sent.get(i)));
        }
        wire.writeBytes(TorChatPackets.encode(TorChatPackets.message("between blocks \\ \n")));
        byte[] last = new byte[4096];
        rnd.nextBytes(last);
        sent.add(TorChatPackets.filedata("f", 4 * 4096L, last));
        wire.writeBytes(TorChatPackets.encode(sent.get(4)));

        EmbeddedChannel ch = channel(TorChatPacket.MAX_LINE);
        ch.writeInbound(wire);
        List<Object> got = drain(ch);
        assertThat(got).hasSize(6);
        assertThat(got.get(4)).isEqualTo(TorChatPackets.message("between blocks \\ \n"));
        List<Object> blocks = new ArrayList<>(got);
        blocks.remove(4);
        assertThat(blocks).isEqualTo(new ArrayList<Object>(sent));
        for (Object o : blocks) {
            assertThat(((TorChatPacket.Filedata) o).md5Matches()).isTrue();
        }
        assertFalse(ch.finish());
    }

    @Test
    void aLineOfExactlyTheLimitDecodesAndOneByteMoreDoesNot() {
        int maxLine = 1024;
        String head = "filedata f 0 00000000000000000000000000000000 ";
        byte[] fits = new byte[maxLine - head.length()];
        Arrays.fill(fits, (byte) 'b');
        byte[] line = (head + new String(fits, StandardCharsets.US_ASCII) + "\n").getBytes();
        assertThat(line.length - 1).isEqualTo(maxLine);

        EmbeddedChannel ch = channel(maxLine);
        ch.writeInbound(direct(line, 0, line.length));
        assertThat(((TorChatPacket.Filedata) ch.readInbound()).block()).isEqualTo(fits);

        byte[] tooLong =
                (head + "b" + new String(fits, StandardCharsets.US_ASCII) + "\n").getBytes();
        assertThatThrownBy(() -> ch.writeInbound(direct(tooLong, 0, tooLong.length)))
                .isInstanceOf(TooLongFrameException.class);
        ch.writeInbound(Unpooled.wrappedBuffer("status xa\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat((Object) ch.readInbound()).isEqualTo(TorChatPackets.status("xa"));
        assertFalse(ch.finish());
    }

    @Test
    void theEncoderWritesTheSameBytesAsEncodeAndTheyDecodeBack() {
        byte[] block = new byte[8192];
        new SplittableRandom(11).nextBytes(block);
        List<TorChatPacket> packets =
                List.of(
                        TorChatPackets.filedata("f1", 81920, block),
                        TorChatPackets.message("tab\there \\ and\nthere"),
                        TorChatPackets.addMe(),
                        TorChatPackets.filedata("f1", 0, new byte[0]),
                        TorChatPackets.groupchatLeave("g", "bye \\n"));
        EmbeddedChannel ch = channel(TorChatPacket.MAX_LINE);
        for (TorChatPacket p : packets) {
            ch.writeOutbound(p);
            ByteBuf out = ch.readOutbound();
            byte[] wire = ByteBufUtil.getBytes(out);
            assertThat(wire).isEqualTo(TorChatPackets.encode(p));
            ch.writeInbound(out);
            assertThat((Object) ch.readInbound()).isEqualTo(p);
        }
        assertFalse(ch.finish());
    }

    @Test
    void parsingABufferLeavesItsIndicesAlone() {
        ByteBuf buf = Unpooled.copiedBuffer("xxmessage a\\nb", StandardCharsets.US_ASCII);
        buf.readerIndex(2);
        assertThat(TorChatPackets.parse(buf)).isEqualTo(TorChatPackets.message("a\nb"));
        assertThat(buf.readerIndex()).isEqualTo(2);
        assertThat(buf.writerIndex()).isEqualTo(14);
    }

    @Test
    void md5CheckAgreesWithACaseInsensitiveCompareForEveryCharacter() {
        byte[] data = "some block".getBytes(StandardCharsets.US_ASCII);
        String good = TorChatPackets.md5Hex(data);
        assertThat(Wire.md5Matches(good, data)).isTrue();
        assertThat(Wire.md5Matches(good.toUpperCase(java.util.Locale.ROOT), data)).isTrue();
        assertThat(Wire.md5Matches(good + "0", data)).isFalse();
        assertThat(Wire.md5Matches(good.substring(1), data)).isFalse();
        // every character in the place of the first and the last digit
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            String first = (char) c + good.substring(1);
            String lastDigit = good.substring(0, 31) + (char) c;
            assertThat(Wire.md5Matches(first, data))
                    .as("U+%04X first", c)
                    .isEqualTo(first.equalsIgnoreCase(good));
            assertThat(Wire.md5Matches(lastDigit, data))
                    .as("U+%04X last", c)
                    .isEqualTo(lastDigit.equalsIgnoreCase(good));
        }
    }
}
