package dev.sabir.torchat;

import dev.sabir.api.FileSpool.Range;
import dev.sabir.api.FileSpool.Upload;
import java.util.BitSet;

/** A file we receive into the host's spool. Only touched on the session's event loop. */
final class IncomingFile {
    final String id;
    final String name;
    final long size;
    final int blockSize;
    final int blocks;
    final Upload upload;
    private final BitSet got = new BitSet();
    private int gotCount;

    IncomingFile(String id, String name, long size, int blockSize, Upload upload) {
        this.id = id;
        this.name = name;
        this.size = size;
        this.blockSize = blockSize;
        this.blocks = (int) ((size + blockSize - 1) / blockSize);
        this.upload = upload;
        // blocks the spool already holds (a resumed transfer) count as received
        for (int b = 0; b < blocks; b++) {
            long start = (long) b * blockSize;
            long end = Math.min(size, start + blockSize);
            boolean missing = false;
            for (Range r : upload.missing()) {
                if (r.offset() < end && r.offset() + r.length() > start) {
                    missing = true;
                    break;
                }
            }
            if (!missing) {
                got.set(b);
                gotCount++;
            }
        }
    }

    /** The length a block at this offset must have, or -1 when the offset is not a block start. */
    int expectedLength(long offset) {
        if (offset < 0 || offset % blockSize != 0 || offset >= size) {
            return -1;
        }
        return (int) Math.min(blockSize, size - offset);
    }

    void received(long offset) {
        int b = (int) (offset / blockSize);
        if (!got.get(b)) {
            got.set(b);
            gotCount++;
        }
    }

    boolean complete() {
        return gotCount >= blocks;
    }

    long receivedBytes() {
        return Math.min(size, (long) gotCount * blockSize);
    }
}
