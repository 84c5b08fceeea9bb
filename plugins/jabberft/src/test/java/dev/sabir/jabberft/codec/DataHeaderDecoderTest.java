package dev.sabir.jabberft.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The data connection's header line, whole and split at every byte, and its failures. */
class DataHeaderDecoderTest {
    static final byte[] PAYLOAD =
            "raw\n bytes \u0000\u0001 after the header".getBytes(StandardCharsets.ISO_8859_1);

    static byte[] stream() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(new DataHeader("0a1b2c", 13000).encode());
        b.writeBytes(PAYLOAD);
        return b.toByteArray();
    }

    static void check(EmbeddedChannel ch) {
        assertThat((Object) ch.readInbound()).isEqualTo(new DataHeader("0a1b2c", 13000));
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        for (Object o; (o = ch.readInbound()) != null; ) {
            ByteBuf b = (ByteBuf) o;
            byte[] a = new byte[b.readableBytes()];
            b.readBytes(a);
            b.release();
            rest.writeBytes(a);
        }
        assertThat(rest.toByteArray()).isEqualTo(PAYLOAD);
        assertThat(ch.pipeline().get(DataHeaderDecoder.class))
                .as("steps out after the header")
                .isNull();
    }

    @Test
    void headerThenRawBytes() {
        EmbeddedChannel ch = new EmbeddedChannel(new DataHeaderDecoder());
        ch.writeInbound(Unpooled.wrappedBuffer(stream()));
        check(ch);
        assertFalse(ch.finish());
    }

    @Test
    void splitAtEveryByte() {
        byte[] all = stream();
        for (int cut = 1; cut < all.length; cut++) {
            EmbeddedChannel ch = new EmbeddedChannel(new DataHeaderDecoder());
            ch.writeInbound(Unpooled.wrappedBuffer(all, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(all, cut, all.length - cut));
            check(ch);
            assertFalse(ch.finish());
        }
    }

    @Test
    void garbageAndOverlongLinesAreTypedErrors() {
        for (String bad :
                new String[] {
                    "GET / HTTP/1.1\r\n",
                    "SABIRFT/0 sid\n",
                    "SABIRFT/0 s!d 1\n",
                    "SABIRFT/0 sid -1\n",
                    "x".repeat(DataHeader.MAX_LENGTH + 5)
                }) {
            EmbeddedChannel ch = new EmbeddedChannel(new DataHeaderDecoder());
            assertThatThrownBy(
                            () ->
                                    ch.writeInbound(
                                            Unpooled.copiedBuffer(bad, StandardCharsets.US_ASCII)))
                    .as(bad)
                    .isInstanceOf(DataHeaderDecoder.BadHeaderException.class);
            assertFalse(ch.finish());
        }
    }
}
