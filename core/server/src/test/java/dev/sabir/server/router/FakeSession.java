package dev.sabir.server.router;

import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.Session;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A session for router tests: records what it is asked to deliver, answers with ids {@code
 * <prefix>-<n>}, and can be told to fail the next attempts or to hold answers back.
 */
final class FakeSession implements Session {
    private final String prefix;
    private final List<Delivery> delivered = new ArrayList<>();
    private final Queue<RuntimeException> failures = new ConcurrentLinkedQueue<>();
    private final AtomicInteger attempts = new AtomicInteger();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile boolean returnNullIds;

    FakeSession(String prefix) {
        this.prefix = prefix;
    }

    /** The next attempts fail with these exceptions, in order. */
    FakeSession failNext(RuntimeException... errors) {
        failures.addAll(List.of(errors));
        return this;
    }

    /** Answer with null ids (a network without message ids). */
    FakeSession withoutIds() {
        returnNullIds = true;
        return this;
    }

    @Override
    public CompletionStage<Void> connect() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<String> deliver(Delivery delivery) {
        attempts.incrementAndGet();
        RuntimeException failure = failures.poll();
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        synchronized (delivered) {
            delivered.add(delivery);
        }
        String id = returnNullIds ? null : prefix + "-" + counter.incrementAndGet();
        return CompletableFuture.completedFuture(id);
    }

    /** Everything delivered successfully, in order. */
    List<Delivery> delivered() {
        synchronized (delivered) {
            return List.copyOf(delivered);
        }
    }

    /** The texts of the delivered chat messages' events. */
    List<String> texts() {
        List<String> out = new ArrayList<>();
        for (Delivery d : delivered()) {
            if (d.event() instanceof dev.sabir.api.ChatMessage m) {
                out.add(m.text());
            }
        }
        return out;
    }

    /** The last delivery. */
    Delivery last() {
        List<Delivery> all = delivered();
        return all.get(all.size() - 1);
    }

    int attempts() {
        return attempts.get();
    }

    @Override
    public void close() {}
}
