package dev.sabir.soulseek.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every vector in testdata/ (packed by src/test/vectors/make_vectors.py from the spec's field
 * lists) is decoded through the Netty pipeline whole and split at every byte, then encoded again.
 */
class CodecVectorTest {

    record Vector(String name, String direction, boolean roundtrip, byte[] bytes) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Vector> vectors() throws IOException, URISyntaxException {
        Path dir = Path.of(CodecVectorTest.class.getResource("testdata").toURI());
        List<Vector> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.sorted().toList()) {
                String direction = null, hex = null;
                boolean rt = true;
                for (String line : Files.readAllLines(p)) {
                    if (line.startsWith("direction: ")) direction = line.substring(11).trim();
                    if (line.startsWith("roundtrip: "))
                        rt = line.substring(11).trim().equals("yes");
                    if (line.startsWith("hex: ")) hex = line.substring(5).trim();
                }
                out.add(
                        new Vector(
                                p.getFileName().toString().replace(".vec", ""),
                                direction,
                                rt,
                                HexFormat.of().parseHex(hex)));
            }
        }
        return out.stream();
    }

    @Test
    void thereIsAVectorForEveryKnownMessage() throws Exception {
        assertThat(vectors().count()).isGreaterThanOrEqualTo(110);
    }

    private static EmbeddedChannel channel(String direction) {
        SlskLimits l = SlskLimits.CLIENT;
        ChannelHandler[] h =
                switch (direction) {
                    case "to-server" ->
                            new ChannelHandler[] {
                                ServerMessageDecoder.frameDecoder(l),
                                new ServerMessageDecoder(ServerMessageDecoder.Side.TO_SERVER, l)
                            };
                    case "from-server" ->
                            new ChannelHandler[] {
                                ServerMessageDecoder.frameDecoder(l),
                                new ServerMessageDecoder(ServerMessageDecoder.Side.FROM_SERVER, l)
                            };
                    case "peer-init" -> new ChannelHandler[] {new PeerInitDecoder(l)};
                    case "peer" ->
                            new ChannelHandler[] {
                                ServerMessageDecoder.frameDecoder(l), new PeerMessageDecoder(l)
                            };
                    default -> throw new IllegalArgumentException(direction);
                };
        return new EmbeddedChannel(h);
    }

    private static Object decode(Vector v, int split) {
        EmbeddedChannel ch = channel(v.direction());
        if (split <= 0 || split >= v.bytes().length) {
            ch.writeInbound(Unpooled.wrappedBuffer(v.bytes()));
        } else {
            ch.writeInbound(Unpooled.wrappedBuffer(v.bytes(), 0, split));
            assertNull(ch.readInbound(), "nothing before the frame is complete");
            ch.writeInbound(Unpooled.wrappedBuffer(v.bytes(), split, v.bytes().length - split));
        }
        Object m = ch.readInbound();
        assertNull(ch.readInbound());
        assertFalse(ch.finish());
        return m;
    }

    private static byte[] encode(Object m) {
        ByteBuf out = Unpooled.buffer();
        if (m instanceof ServerMessage s) {
            ServerCodec.writeFrame(s, out);
        } else if (m instanceof PeerInitMessage i) {
            PeerEncoder.encodeInit(i, out);
        } else {
            PeerEncoder.encodePeer((PeerMessage) m, out);
        }
        return ByteBufUtil.getBytes(out);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("vectors")
    void decodesSplitAtEveryByteAndEncodesBack(Vector v) {
        Object whole = decode(v, 0);
        assertThat(whole).isNotNull();
        assertThat(whole)
                .isNotInstanceOfAny(ServerMessage.Unknown.class, PeerMessage.Unknown.class);
        for (int i = 1; i < v.bytes().length; i++) {
            assertEquals(whole, decode(v, i), "split at " + i);
        }
        byte[] again = encode(whole);
        if (v.roundtrip()) {
            assertThat(HexFormat.of().formatHex(again))
                    .isEqualTo(HexFormat.of().formatHex(v.bytes()));
        } else {
            assertThat(decode(new Vector(v.name(), v.direction(), true, again), 0))
                    .isEqualTo(whole);
        }
    }

    @Test
    void encoderWritesWhatTheDecoderReads() {
        EmbeddedChannel out = new EmbeddedChannel(new ServerMessageEncoder());
        out.writeOutbound(ServerMessages.say("lobby", "hi"));
        ByteBuf b = out.readOutbound();
        EmbeddedChannel in = channel("to-server");
        in.writeInbound(b);
        assertThat((Object) in.readInbound())
                .isEqualTo(new ServerMessage.SayChatroom("lobby", "hi"));
        assertFalse(in.finish());
        assertFalse(out.finish());
    }
}
