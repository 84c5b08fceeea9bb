package dev.sabir.server.router;

import dev.sabir.api.Address;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The router's meters.
 *
 * <ul>
 *   <li>{@code sabir.messages.routed{link,account}}: durable deliveries accepted by their
 *       destination; {@code account} is the destination account, {@code link} the link name or
 *       {@code gateway}
 *   <li>{@code sabir.deliveries.pending}: gauge of stored deliveries not yet done
 *   <li>{@code sabir.deliveries.failed{account,retryable}}: failed delivery attempts
 *   <li>{@code sabir.queue.drops{account,reason}}: deliveries given up: {@code queue-full}, {@code
 *       permanent} (non-retryable failure), {@code error} (repeated unexpected errors), {@code
 *       inbound-full}, {@code store-error}
 * </ul>
 */
final class RouterMetrics {
    static final String ROUTED = "sabir.messages.routed";
    static final String PENDING = "sabir.deliveries.pending";
    static final String FAILED = "sabir.deliveries.failed";
    static final String DROPS = "sabir.queue.drops";

    private final MeterRegistry registry;
    private final Gauge pending;

    RouterMetrics(MeterRegistry registry, AtomicLong pendingCount) {
        this.registry = registry;
        this.pending =
                Gauge.builder(PENDING, pendingCount, AtomicLong::get)
                        .description("Stored deliveries not yet accepted by their destination")
                        .register(registry);
    }

    void routed(String link, Address account) {
        Counter.builder(ROUTED)
                .description("Messages delivered to a destination")
                .tag("link", link)
                .tag("account", account.toString())
                .register(registry)
                .increment();
    }

    void failed(Address account, boolean retryable) {
        Counter.builder(FAILED)
                .description("Failed delivery attempts")
                .tag("account", account.toString())
                .tag("retryable", Boolean.toString(retryable))
                .register(registry)
                .increment();
    }

    void dropped(Address account, String reason) {
        Counter.builder(DROPS)
                .description("Deliveries given up")
                .tag("account", account.toString())
                .tag("reason", reason)
                .register(registry)
                .increment();
    }

    /** Removes the gauge (it refers to the router). */
    void close() {
        registry.remove(pending);
    }
}
