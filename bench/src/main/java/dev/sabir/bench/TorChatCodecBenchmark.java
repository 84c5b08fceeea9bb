package dev.sabir.bench;

import dev.sabir.torchat.codec.TorChatCodec;
import dev.sabir.torchat.codec.TorChatPacket;
import dev.sabir.torchat.codec.TorChatPackets;
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
 * The TorChat codec as the session installs it ({@link TorChatCodec#install}: LF framing, packet
 * decoder, packet encoder) in an {@link EmbeddedChannel}. One operation is one packet:
 *
 * <ul>
 *   <li>{@code decodeMessages}: {@value #MESSAGES} {@code message} lines of 100 characters arriving
 *       in one read, framed and parsed into {@link TorChatPacket.Message} records;
 *   <li>{@code decodeFiledata}: {@value #BLOCKS} {@code filedata} lines of 8 KiB random bytes
 *       (escaped on the wire) arriving in one read, parsed, and their MD5 checked as the session
 *       does for every block;
 *   <li>{@code encodeMessage} / {@code encodeFiledata}: one packet written through the pipeline's
 *       encoder into a buffer (for file data including the MD5 the sender computes per block).
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TorChatCodecBenchmark {
    static final int MESSAGES = 64;
    static final int BLOCKS = 8;

    private EmbeddedChannel channel;
    private ByteBuf messageStream;
    private ByteBuf fileStream;
    private TorChatPacket.Message message;
    private byte[] block;
    private long offset;

    /** Builds the pipeline and the wire bytes. */
    @Setup(Level.Trial)
    public void setUp() {
        channel = new EmbeddedChannel();
        TorChatCodec.install(channel.pipeline(), TorChatPacket.MAX_LINE);

        messageStream = Unpooled.directBuffer();
        for (int i = 0; i < MESSAGES; i++) {
            messageStream.writeBytes(
                    TorChatPackets.encode(TorChatPackets.message(Payloads.text(i))));
        }
        fileStream = Unpooled.directBuffer();
        for (int i = 0; i < BLOCKS; i++) {
            byte[] b = Payloads.block(i, Payloads.FILE_BLOCK);
            fileStream.writeBytes(
                    TorChatPackets.encode(TorChatPackets.filedata("f1", (long) i * b.length, b)));
        }
        message = TorChatPackets.message(Payloads.text(7));
        block = Payloads.block(99, Payloads.FILE_BLOCK);

        Inbound.check(Inbound.feed(channel, messageStream, null), MESSAGES, "torchat messages");
        Inbound.check(Inbound.feed(channel, fileStream, null), BLOCKS, "torchat filedata");
    }

    /** Frees the buffers and closes the channel. */
    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        messageStream.release();
        fileStream.release();
    }

    /** Frames and parses {@value #MESSAGES} message lines; score is per packet. */
    @Benchmark
    @OperationsPerInvocation(MESSAGES)
    public int decodeMessages(Blackhole bh) {
        return Inbound.feed(channel, messageStream, bh);
    }

    /** Frames, parses and MD5-checks {@value #BLOCKS} 8 KiB file blocks; score is per block. */
    @Benchmark
    @OperationsPerInvocation(BLOCKS)
    public int decodeFiledata(Blackhole bh) {
        channel.writeInbound(fileStream.retainedDuplicate());
        int n = 0;
        Object m;
        while ((m = channel.readInbound()) != null) {
            TorChatPacket.Filedata d = (TorChatPacket.Filedata) m;
            bh.consume(d.md5Matches());
            n++;
        }
        return n;
    }

    /** Encodes one message packet. */
    @Benchmark
    public int encodeMessage(Blackhole bh) {
        channel.writeOutbound(message);
        return Inbound.drainOutbound(channel, bh);
    }

    /** Builds (MD5 included) and encodes one 8 KiB file block. */
    @Benchmark
    public int encodeFiledata(Blackhole bh) {
        offset += block.length;
        channel.writeOutbound(TorChatPackets.filedata("f1", offset, block));
        return Inbound.drainOutbound(channel, bh);
    }
}
