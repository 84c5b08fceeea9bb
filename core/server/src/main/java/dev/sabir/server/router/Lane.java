package dev.sabir.server.router;

import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ordered lane without a thread of its own: items are handed to the handler one batch at a time,
 * in submission order, on a shared pool. Submitting never blocks; a lane holds at most {@code
 * capacity} waiting items. After each batch the lane yields its thread so other lanes get a turn.
 *
 * @param <T> the item type
 */
final class Lane<T> {
    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);
    static final int BATCH = 64;

    private final String name;
    private final Executor pool;
    private final int capacity;
    private final Consumer<List<T>> handler;
    private final Queue<T> items = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    Lane(String name, Executor pool, int capacity, Consumer<List<T>> handler) {
        this.name = name;
        this.pool = pool;
        this.capacity = capacity;
        this.handler = handler;
    }

    /** A lane of tasks, each run on its own. */
    static Lane<Runnable> ofTasks(String name, Executor pool) {
        return new Lane<>(name, pool, Integer.MAX_VALUE, batch -> batch.forEach(Lane::runSafely));
    }

    private static void runSafely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.error("lane task failed", e);
        }
    }

    /** Queues an item; false when the lane is full (the item is not queued). */
    boolean offer(T item) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        items.add(item);
        schedule();
        return true;
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                LOG.debug("lane {}: pool closed, {} item(s) left", name, size.get());
            }
        }
    }

    private void drain() {
        try {
            int handled = 0;
            while (handled < BATCH) {
                List<T> batch = new ArrayList<>();
                T item;
                while (handled + batch.size() < BATCH && (item = items.poll()) != null) {
                    size.decrementAndGet();
                    batch.add(item);
                }
                if (batch.isEmpty()) {
                    break;
                }
                handled += batch.size();
                try {
                    handler.accept(batch);
                } catch (RuntimeException e) {
                    LOG.error("lane {}: batch failed", name, e);
                }
            }
        } finally {
            scheduled.set(false);
        }
        if (!items.isEmpty()) {
            schedule();
        }
    }
}
