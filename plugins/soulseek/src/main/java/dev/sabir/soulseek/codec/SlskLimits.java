package dev.sabir.soulseek.codec;

/**
 * Size limits applied while decoding, checked before anything is allocated.
 *
 * @param maxFrame largest frame accepted, in bytes (the length field's value)
 * @param maxString largest string accepted, in bytes
 * @param maxInflated largest decompressed size of a zlib payload, in bytes
 */
public record SlskLimits(int maxFrame, int maxString, int maxInflated) {

    /** Defaults for a client talking to a server: big frames for room lists. */
    public static final SlskLimits CLIENT = new SlskLimits(4 << 20, 1 << 20, 16 << 20);

    /** Defaults for a server reading from clients: clients only send small messages. */
    public static final SlskLimits SERVER = new SlskLimits(64 << 10, 16 << 10, 1 << 20);

    /** Checks the values. */
    public SlskLimits {
        if (maxFrame < 8 || maxString < 1 || maxInflated < 1) {
            throw new IllegalArgumentException("limits must be positive (maxFrame >= 8)");
        }
    }
}
