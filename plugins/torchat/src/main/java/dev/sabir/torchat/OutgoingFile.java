package dev.sabir.torchat;

import dev.sabir.api.FileSpool.SpooledFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.BitSet;
import java.util.concurrent.CompletableFuture;

/**
 * A file we send: a sliding window of blocks, each acknowledged by {@code filedata_ok}. Only
 * touched on the session's event loop.
 */
final class OutgoingFile {
    final String id;
    final String buddyId;
    final SpooledFile file;
    final int blockSize;
    final int window;
    final int blocks;
    final CompletableFuture<String> done;

    /** The bridge's offer id (for progress events). */
    String offerId = "";

    /** True once {@code filename} went out at least once. */
    boolean started;

    private final BitSet acked = new BitSet();

    /** Lowest block not yet acknowledged. */
    int lowest;

    /** Next block to send. */
    int next;

    long lastProgressNanos = System.nanoTime();
    private FileChannel channel;

    OutgoingFile(
            String id,
            String buddyId,
            SpooledFile file,
            int blockSize,
            int window,
            CompletableFuture<String> done) {
        this.id = id;
        this.buddyId = buddyId;
        this.file = file;
        this.blockSize = blockSize;
        this.window = window;
        this.blocks = (int) ((file.size() + blockSize - 1) / blockSize);
        this.done = done;
    }

    boolean complete() {
        return lowest >= blocks;
    }

    /** Restarts from the lowest unacknowledged block (after a reconnect or a timeout). */
    void rewind() {
        next = lowest;
        lastProgressNanos = System.nanoTime();
    }

    /** Resend from an offset the receiver reported damaged. */
    void resendFrom(long offset) {
        int block = (int) (offset / blockSize);
        if (block >= 0 && block < blocks) {
            acked.clear(block);
            lowest = Math.min(lowest, block);
            next = Math.min(next, block);
        }
    }

    /** Records an acknowledgement; false when the offset is not a block of this file. */
    boolean ack(long offset) {
        if (offset % blockSize != 0 || offset / blockSize >= blocks) {
            return false;
        }
        acked.set((int) (offset / blockSize));
        while (lowest < blocks && acked.get(lowest)) {
            lowest++;
        }
        lastProgressNanos = System.nanoTime();
        return true;
    }

    /** The next block to send within the window, or -1. Skips blocks already acknowledged. */
    int nextBlock() {
        while (next < blocks && acked.get(next)) {
            next++;
        }
        if (next >= blocks || next - lowest >= window) {
            return -1;
        }
        return next++;
    }

    long acknowledgedBytes() {
        return Math.min(file.size(), (long) acked.cardinality() * blockSize);
    }

    byte[] read(int block) throws IOException {
        if (channel == null) {
            channel = FileChannel.open(file.path(), StandardOpenOption.READ);
        }
        long offset = (long) block * blockSize;
        int len = (int) Math.min(blockSize, file.size() - offset);
        ByteBuffer buf = ByteBuffer.allocate(len);
        while (buf.hasRemaining()) {
            if (channel.read(buf, offset + buf.position()) < 0) {
                throw new IOException("file shorter than announced");
            }
        }
        return buf.array();
    }

    void closeFile() {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing to do
            }
            channel = null;
        }
    }
}
