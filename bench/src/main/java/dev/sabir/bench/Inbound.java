package dev.sabir.bench;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import org.openjdk.jmh.infra.Blackhole;

/** Helpers to push bytes through an {@link EmbeddedChannel} and consume what comes out. */
final class Inbound {
    private Inbound() {}

    /**
     * Feeds one chunk (as one socket read would deliver it) and hands every decoded message to the
     * blackhole ({@code null} during setup, where they are only counted).
     *
     * @return how many messages came out
     */
    static int feed(EmbeddedChannel ch, ByteBuf chunk, Blackhole bh) {
        ch.writeInbound(chunk.retainedDuplicate());
        return drainInbound(ch, bh);
    }

    /** Consumes the decoded messages waiting in the channel. */
    static int drainInbound(EmbeddedChannel ch, Blackhole bh) {
        int n = 0;
        Object m;
        while ((m = ch.readInbound()) != null) {
            if (bh != null) {
                bh.consume(m);
            }
            ReferenceCountUtil.release(m);
            n++;
        }
        return n;
    }

    /** Consumes (and releases) the encoded buffers waiting in the channel. */
    static int drainOutbound(EmbeddedChannel ch, Blackhole bh) {
        int n = 0;
        Object m;
        while ((m = ch.readOutbound()) != null) {
            if (m instanceof ByteBuf b) {
                bh.consume(b.readableBytes());
            } else {
                bh.consume(m);
            }
            ReferenceCountUtil.release(m);
            n++;
        }
        return n;
    }

    /** Fails the setup when a batch did not decode into the expected number of messages. */
    static void check(int got, int expected, String what) {
        if (got != expected) {
            throw new IllegalStateException(
                    what + ": decoded " + got + " messages, expected " + expected);
        }
    }
}
