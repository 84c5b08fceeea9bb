package dev.sabir.irc;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code burst} tokens at most, refilled at {@code perSecond}. Thread-safe, so one
 * bucket can be shared by all connections of an account to the same server.
 */
final class TokenBucket {
    private final double burst;
    private final double perNano;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    TokenBucket(int burst, double perSecond, LongSupplier nanoTime) {
        this.burst = burst;
        this.perNano = perSecond / 1_000_000_000.0;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.last = nanoTime.getAsLong();
    }

    /** Nanoseconds until a token is available; 0 when one is available now. */
    synchronized long waitNanos() {
        refill();
        if (tokens >= 1) {
            return 0;
        }
        return Math.max(1, (long) Math.ceil((1 - tokens) / perNano));
    }

    /** Takes a token (the balance may go below zero for lines that cannot wait, like PONG). */
    synchronized void take() {
        refill();
        tokens -= 1;
    }

    /** Tokens available now (for tests and metrics). */
    synchronized double available() {
        refill();
        return tokens;
    }

    private void refill() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
    }

    /** The longer wait of two buckets. */
    static long waitBoth(TokenBucket a, TokenBucket b) {
        return Math.max(a.waitNanos(), b.waitNanos());
    }
}
