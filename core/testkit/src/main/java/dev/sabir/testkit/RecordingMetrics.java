package dev.sabir.testkit;

import dev.sabir.api.Metrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.DoubleSupplier;

/** {@link Metrics} that remembers what was reported, for assertions. */
public final class RecordingMetrics implements Metrics {
    private final Map<String, AtomicLong> counters = new ConcurrentHashMap<>();
    private final Map<String, DoubleSupplier> gauges = new ConcurrentHashMap<>();
    private final Map<String, List<Duration>> timers = new ConcurrentHashMap<>();

    @Override
    public void increment(String name, long amount, String... tags) {
        counters.computeIfAbsent(name, k -> new AtomicLong()).addAndGet(amount);
    }

    @Override
    public void gauge(String name, DoubleSupplier value, String... tags) {
        gauges.put(name, value);
    }

    @Override
    public void record(String name, Duration duration, String... tags) {
        timers.computeIfAbsent(name, k -> new CopyOnWriteArrayList<>()).add(duration);
    }

    /** A counter's total (all tags together), 0 when never incremented. */
    public long counter(String name) {
        AtomicLong v = counters.get(name);
        return v == null ? 0 : v.get();
    }

    /** A gauge's current value, or NaN when absent. */
    public double gauge(String name) {
        DoubleSupplier s = gauges.get(name);
        return s == null ? Double.NaN : s.getAsDouble();
    }

    /** The durations recorded under a name. */
    public List<Duration> timings(String name) {
        return List.copyOf(timers.getOrDefault(name, List.of()));
    }
}
