package dev.sabir.bench;

import dev.sabir.ipcfile.codec.IpcCodecException;
import dev.sabir.ipcfile.codec.IpcFrame;
import dev.sabir.ipcfile.codec.IpcFrameDecoder;
import dev.sabir.ipcfile.codec.IpcMessage;
import dev.sabir.ipcfile.codec.IpcMessages;
import dev.sabir.ipcfile.json.IpcJson;
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
 * The ipcfile (libipc) TCP read path: {@link IpcFrameDecoder} in an {@link EmbeddedChannel} with
 * the payload limit the upload service uses by default, fed {@value #FRAMES} TRANSFER frames of an
 * 8 KiB chunk (base64 in JSON, as clients send them) in one read. One operation is one frame:
 *
 * <ul>
 *   <li>{@code frames}: header check and payload cut only ({@link IpcFrame} records);
 *   <li>{@code framesAndJson}: the same, then {@link IpcJson#decode} of each frame into an {@link
 *       IpcMessage.Transfer} with the base64 decoded, which is what the service does per chunk.
 * </ul>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IpcFileCodecBenchmark {
    static final int FRAMES = 8;

    /** The service's default limits: 64 KiB chunks, 64 files per authentication. */
    private static final IpcJson.Limits LIMITS =
            new IpcJson.Limits(IpcJson.base64Length(65536) + 16384 + 64 * 1200, 65536, 64, 8192);

    private EmbeddedChannel channel;
    private IpcJson json;
    private ByteBuf stream;

    /** Builds the pipeline and the wire bytes. */
    @Setup(Level.Trial)
    public void setUp() {
        json = new IpcJson(LIMITS);
        channel = new EmbeddedChannel(new IpcFrameDecoder(LIMITS.maxPayload()));
        stream = Unpooled.directBuffer();
        for (int i = 0; i < FRAMES; i++) {
            IpcMessage.Transfer t =
                    IpcMessages.transfer(
                            "m" + i,
                            "c" + i,
                            Payloads.block(i, Payloads.FILE_BLOCK),
                            "fid-1",
                            0,
                            (long) i * Payloads.FILE_BLOCK);
            stream.writeBytes(json.encode(t).toBytes());
        }
        Inbound.check(Inbound.feed(channel, stream, null), FRAMES, "ipcfile frames");
    }

    /** Frees the buffer and closes the channel. */
    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        stream.release();
    }

    /** Cuts {@value #FRAMES} frames; score is per frame. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int frames(Blackhole bh) {
        return Inbound.feed(channel, stream, bh);
    }

    /** Cuts {@value #FRAMES} frames and decodes their JSON; score is per frame. */
    @Benchmark
    @OperationsPerInvocation(FRAMES)
    public int framesAndJson(Blackhole bh) throws IpcCodecException {
        channel.writeInbound(stream.retainedDuplicate());
        int n = 0;
        Object m;
        while ((m = channel.readInbound()) != null) {
            IpcMessage.Transfer t = (IpcMessage.Transfer) json.decode((IpcFrame) m);
            bh.consume(t.length());
            n++;
        }
        return n;
    }
}
