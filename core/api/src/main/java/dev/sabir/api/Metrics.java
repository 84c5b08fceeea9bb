package dev.sabir.api;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * Metrics a plugin reports. Names are lower-case with underscores; tags are key, value pairs. The
 * host adds the account and protocol tags.
 */
public interface Metrics {

    /** Adds to a counter. */
    void increment(String name, long amount, String... tags);

    /** Registers a gauge read when metrics are scraped (removed when the session closes). */
    void gauge(String name, DoubleSupplier value, String... tags);

    /** Records a duration (latency, transfer time). */
    void record(String name, Duration duration, String... tags);
}
