package dev.sabir.irc.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The line decoder and encoder on an {@link EmbeddedChannel}. */
class IrcLineCodecTest {

    /** Collects typed decoder errors instead of letting them reach the tail. */
    private static final class Errors extends ChannelInboundHandlerAdapter {
        final List<IrcCodecException.Kind> kinds = new ArrayList<>();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            kinds.add(((IrcCodecException) cause).kind());
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static List<IrcMessage> drain(EmbeddedChannel ch) {
        List<IrcMessage> out = new ArrayList<>();
        IrcMessage m;
        while ((m = ch.readInbound()) != null) {
            out.add(m);
        }
        return out;
    }

    @Test
    void decodesLinesSplitAtEveryByte() {
        byte[] input =
                bytes(
                        "@time=2024-01-01T00:00:00Z :a!b@c PRIVMSG #x :héllo 😀\r\nPING :tok\n\r\n:s 001 me :Welcome\r\n");
        for (int cut = 0; cut <= input.length; cut++) {
            EmbeddedChannel ch = new EmbeddedChannel(new IrcLineDecoder());
            ch.writeInbound(Unpooled.copiedBuffer(input, 0, cut));
            ch.writeInbound(Unpooled.copiedBuffer(input, cut, input.length - cut));
            List<IrcMessage> got = drain(ch);
            assertThat(got)
                    .extracting(IrcMessage::command)
                    .containsExactly("PRIVMSG", "PING", "001");
            assertThat(got.get(0).trailing()).isEqualTo("héllo 😀");
            assertThat(got.get(0).tags()).containsEntry("time", "2024-01-01T00:00:00Z");
            assertFalse(ch.finish());
        }
        EmbeddedChannel single = new EmbeddedChannel(new IrcLineDecoder());
        for (byte b : input) {
            single.writeInbound(Unpooled.copiedBuffer(new byte[] {b}));
        }
        assertThat(drain(single)).hasSize(3);
        assertFalse(single.finish());
    }

    @Test
    void invalidUtf8FallsBackToLatin1() {
        EmbeddedChannel ch = new EmbeddedChannel(new IrcLineDecoder());
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(bytes("PRIVMSG #x :caf"));
        b.write(0xE9); // é in Latin-1, invalid as UTF-8
        b.writeBytes(bytes("\r\n"));
        ch.writeInbound(Unpooled.wrappedBuffer(b.toByteArray()));
        IrcMessage m = ch.readInbound();
        assertThat(m.trailing()).isEqualTo("café");
        assertFalse(ch.finish());
    }

    @Test
    void enforcesTheLineLimitsWithTypedErrors() {
        Errors errors = new Errors();
        EmbeddedChannel ch = new EmbeddedChannel(new IrcLineDecoder(), errors);
        String ok510 = "PRIVMSG #x :" + "a".repeat(510 - 12);
        String tooLong = "PRIVMSG #x :" + "b".repeat(600);
        String tags = "@" + "k=" + "v".repeat(8000) + " ";
        String hugeTags = "@" + "k=" + "v".repeat(9000) + " PING x";
        ch.writeInbound(
                Unpooled.wrappedBuffer(
                        bytes(
                                ok510
                                        + "\r\n"
                                        + tooLong
                                        + "\r\n"
                                        + tags
                                        + ok510
                                        + "\r\n"
                                        + hugeTags
                                        + "\r\nPING :after\r\n")));
        List<IrcMessage> got = drain(ch);
        assertThat(got).hasSize(3);
        assertThat(got.get(0).trailing()).hasSize(498);
        assertThat(got.get(1).tags().get("k")).hasSize(8000);
        assertThat(got.get(2).trailing()).isEqualTo("after");
        assertThat(errors.kinds)
                .containsExactly(
                        IrcCodecException.Kind.LINE_TOO_LONG, IrcCodecException.Kind.TAGS_TOO_LONG);
        assertFalse(ch.finish());
    }

    @Test
    void anEndlessLineIsDiscardedWithoutBuffering() {
        Errors errors = new Errors();
        EmbeddedChannel ch = new EmbeddedChannel(new IrcLineDecoder(), errors);
        for (int i = 0; i < 100; i++) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes("x".repeat(1000))));
        }
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("\r\nPING :ok\r\n")));
        assertThat(drain(ch)).extracting(IrcMessage::trailing).containsExactly("ok");
        assertThat(errors.kinds).containsExactly(IrcCodecException.Kind.LINE_TOO_LONG);
        assertFalse(ch.finish());
    }

    @Test
    void randomGarbageNeverBreaksTheDecoder() {
        Random rnd = new Random(42);
        Errors errors = new Errors();
        EmbeddedChannel ch = new EmbeddedChannel(new IrcLineDecoder(), errors);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[rnd.nextInt(700)];
            rnd.nextBytes(junk);
            ch.writeInbound(Unpooled.wrappedBuffer(junk));
        }
        drain(ch);
        ch.writeInbound(Unpooled.wrappedBuffer(bytes("\r\nPING :still-alive\r\n")));
        assertThat(drain(ch)).extracting(IrcMessage::trailing).contains("still-alive");
        assertThat(errors.kinds).isNotEmpty();
        assertFalse(ch.finish());
    }

    @Test
    void encoderWritesCrLfAndRefusesOverlongLines() {
        EmbeddedChannel ch = new EmbeddedChannel(new IrcLineEncoder());
        ch.writeOutbound(IrcMessages.privmsg("#x", "hi there"));
        ByteBuf out = ch.readOutbound();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("PRIVMSG #x :hi there\r\n");
        out.release();
        assertThatThrownBy(() -> ch.writeOutbound(IrcMessages.privmsg("#x", "é".repeat(300))))
                .hasCauseInstanceOf(IrcCodecException.class);
        assertFalse(ch.finish());
    }

    @Test
    void messagesRefuseLineBreaksInParameters() {
        assertThatThrownBy(() -> IrcMessages.privmsg("#x", "a\r\nQUIT"))
                .isInstanceOf(IrcCodecException.class);
        assertThatThrownBy(() -> IrcMessage.of("PRIVMSG", "#a b", "x"))
                .isInstanceOf(IrcCodecException.class);
    }

    @Test
    void saslPayloadsAreChunkedAt400Bytes() {
        assertThat(IrcMessages.authenticateChunks(""))
                .extracting(m -> m.param(0))
                .containsExactly("+");
        String exact = "A".repeat(400);
        assertThat(IrcMessages.authenticateChunks(exact))
                .extracting(m -> m.param(0))
                .containsExactly(exact, "+");
        assertThat(IrcMessages.authenticateChunks("B".repeat(450)))
                .extracting(m -> m.param(0).length())
                .containsExactly(400, 50);
    }
}
