package dev.sabir.bench;

import dev.sabir.soulseek.codec.ServerCodec;
import dev.sabir.soulseek.codec.ServerMessage;
import dev.sabir.soulseek.codec.ServerMessageDecoder;
import dev.sabir.soulseek.codec.ServerMessageEncoder;
import dev.sabir.soulseek.codec.ServerMessages;
import dev.sabir.soulseek.codec.SlskLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The Soulseek server-connection codec as the client session installs it: the little-endian length
 * frame decoder and {@link ServerMessageDecoder} (server-to-client side, client limits) in an
 * {@link EmbeddedChannel}. One operation is one message:
 *
 * <ul>
 *   <li>{@code decodeChat}: {@value #FRAMES} framed messages arriving in one read, alternating room
 *       messages (code 13) and private messages (code 22) with 100-character texts;
 *   <li>{@code encodeSay}: one {@code SayChatroom} written through {@link ServerMessageEncoder}.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SoulseekCodecBenchmark {
    static final int FRAMES = 64;

    private EmbeddedChannel decoder;
    private EmbeddedChannel encoder;
    private ByteBuf stream;
    private ServerMessage.SayChatroom say;

    /** Builds the pipelines and the wire bytes. */
    @Setup(Level.Trial)
    public void setUp() {
        decoder =
                new EmbeddedChannel(
                        ServerMessageDecoder.frameDecoder(SlskLimits.CLIENT),
                        new ServerMessageDecoder(
                                ServerMessageDecoder.Side.FROM_SERVER, SlskLimits.CLIENT));
        encoder = new EmbeddedChannel(new ServerMessageEncoder());
        stream = Unpooled.directBuffer();
        for (int i = 0; i < FRAMES; i++) {
            ServerMessage m =
                    i % 2 == 0
                            ? new ServerMessage.ChatRoomMessage(
                                    "indie-music", "listener" + i, Payloads.text(i))
                            : new ServerMessage.PrivateMessage(
                                    1000 + i, 1_790_000_000 + i, "friend" + i, Payloads.text(i), 0);
            ServerCodec.writeFrame(m, stream);
        }
        say = ServerMessages.say("indie-music", Payloads.text(3));
        Inbound.check(Inbound.feed(decoder, stream, null), FRAMES, "soulseek frames");
    }

    /** Frees the buffer and closes the channels. */
    @TearDown(Level.Trial)
    public void tearDown() {
        decoder.finishAndReleaseAll();
        encoder.finishAndReleaseAll();
        stream.release();
    }

    /** Cuts and decodes {@value #FRAMES} frames; score is per message. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int decodeChat(Blackhole bh) {
        return Inbound.feed(decoder, stream, bh);
    }

    /** Encodes one room message. */
    @Benchmark
    public int encodeSay(Blackhole bh) {
        encoder.writeOutbound(say);
        return Inbound.drainOutbound(encoder, bh);
    }
}
