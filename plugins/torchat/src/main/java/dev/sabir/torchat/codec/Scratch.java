package dev.sabir.torchat.codec;

/**
 * A byte array one decoder reuses from line to line, so that a stream of equally sized file blocks
 * does not allocate a fresh array per block only to have the packet record copy it. Arrays handed
 * out are only valid until the next call, so they may only be given to constructors that copy them
 * (every record holding bytes does) or turned into Strings. Not thread-safe: one per channel.
 */
final class Scratch {
    /** Arrays larger than this are not kept between lines. */
    static final int MAX_KEPT = 64 * 1024;

    private byte[] buf;

    /** An array of exactly {@code n} bytes (contents undefined). */
    byte[] exactly(int n) {
        if (buf != null && buf.length == n) {
            return buf;
        }
        return keep(new byte[n]);
    }

    /** An array of at least {@code n} bytes (contents undefined). */
    byte[] atLeast(int n) {
        if (buf != null && buf.length >= n) {
            return buf;
        }
        return keep(new byte[n]);
    }

    private byte[] keep(byte[] b) {
        if (b.length <= MAX_KEPT) {
            buf = b;
        }
        return b;
    }
}
