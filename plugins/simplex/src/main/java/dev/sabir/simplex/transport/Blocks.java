package dev.sabir.simplex.transport;

import dev.sabir.simplex.transport.TransportException.Reason;
import java.util.Arrays;

/**
 * Fixed-size padded blocks: {@code 2-byte big-endian length ‖ payload ‖ '#' padding}, as SimpleX's
 * queue protocol pads its transmissions so their size says nothing about their content.
 */
public final class Blocks {
    /** Size of every transport block on the wire. */
    public static final int SIZE = 16384;

    private Blocks() {}

    /** Pads a payload to {@code size} bytes. */
    public static byte[] pad(byte[] payload, int size) {
        if (payload.length > size - 2 || size > 65537) {
            throw new IllegalArgumentException(
                    "payload of "
                            + payload.length
                            + " bytes does not fit a "
                            + size
                            + "-byte block");
        }
        byte[] out = new byte[size];
        out[0] = (byte) (payload.length >>> 8);
        out[1] = (byte) payload.length;
        System.arraycopy(payload, 0, out, 2, payload.length);
        Arrays.fill(out, 2 + payload.length, size, (byte) '#');
        return out;
    }

    /** Reads the payload of a padded block, checking the length and the padding. */
    public static byte[] unpad(byte[] block) throws TransportException {
        if (block.length < 2) {
            throw new TransportException(Reason.BAD_BLOCK, "block too short");
        }
        int len = ((block[0] & 0xFF) << 8) | (block[1] & 0xFF);
        if (len > block.length - 2) {
            throw new TransportException(Reason.BAD_BLOCK, "length " + len + " over block size");
        }
        for (int i = 2 + len; i < block.length; i++) {
            if (block[i] != '#') {
                throw new TransportException(Reason.BAD_BLOCK, "padding is not '#'");
            }
        }
        return Arrays.copyOfRange(block, 2, 2 + len);
    }
}
