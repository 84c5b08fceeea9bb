package dev.sabir.server.plugin;

import dev.sabir.api.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.DoubleSupplier;

/**
 * One session's metrics on the host's Micrometer registry, named {@code sabir.plugin.<name>} and
 * tagged with the account and protocol. Gauges hold the plugin's supplier through a host-side
 * reference that is cleared, and the gauge removed, when the session closes.
 */
final class PluginMetrics implements Metrics {

    static final String PREFIX = "sabir.plugin.";

    private final MeterRegistry registry;
    private final Tags base;
    private final Set<Gauge> gauges = ConcurrentHashMap.newKeySet();
    private final List<AtomicReference<DoubleSupplier>> suppliers =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closed;

    PluginMetrics(MeterRegistry registry, String account, String protocol) {
        this.registry = registry;
        this.base = Tags.of("account", account, "protocol", protocol);
    }

    private Tags tags(String... tags) {
        if (tags.length % 2 != 0) {
            throw new IllegalArgumentException("tags come in key, value pairs");
        }
        return base.and(tags);
    }

    @Override
    public void increment(String name, long amount, String... tags) {
        if (closed) {
            return;
        }
        Counter.builder(PREFIX + name).tags(tags(tags)).register(registry).increment(amount);
    }

    @Override
    public void gauge(String name, DoubleSupplier value, String... tags) {
        if (closed) {
            return;
        }
        AtomicReference<DoubleSupplier> ref = new AtomicReference<>(value);
        Gauge g =
                Gauge.builder(PREFIX + name, () -> read(ref))
                        .tags(tags(tags))
                        .strongReference(true)
                        .register(registry);
        suppliers.add(ref);
        gauges.add(g);
    }

    private static double read(AtomicReference<DoubleSupplier> ref) {
        DoubleSupplier s = ref.get();
        if (s == null) {
            return Double.NaN;
        }
        try {
            return s.getAsDouble();
        } catch (RuntimeException e) {
            return Double.NaN;
        }
    }

    @Override
    public void record(String name, Duration duration, String... tags) {
        if (closed) {
            return;
        }
        Timer.builder(PREFIX + name).tags(tags(tags)).register(registry).record(duration);
    }

    /** Number of gauges this session registered and that are still there. */
    int gauges() {
        return gauges.size();
    }

    /** Removes the gauges and forgets the plugin's suppliers. */
    void close() {
        closed = true;
        for (AtomicReference<DoubleSupplier> ref : suppliers) {
            ref.set(null);
        }
        suppliers.clear();
        for (Meter g : gauges) {
            registry.remove(g);
        }
        gauges.clear();
    }
}
