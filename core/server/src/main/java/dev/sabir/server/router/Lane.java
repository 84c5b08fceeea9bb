package dev.sabir.server.router;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared pool: an ordered lane without a
 * thread of its own. Submitting never blocks; a lane holds at most {@code capacity} waiting tasks.
 * After a batch of tasks the lane yields its thread so other lanes get a turn.
 */
final class Lane {
    private static final Logger LOG = LoggerFactory.getLogger(Lane.class);
    private static final int BATCH = 64;

    private final String name;
    private final Executor pool;
    private final int capacity;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    Lane(String name, Executor pool, int capacity) {
        this.name = name;
        this.pool = pool;
        this.capacity = capacity;
    }

    /** Queues a task; false when the lane is full (the task is not queued). */
    boolean offer(Runnable task) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        tasks.add(task);
        schedule();
        return true;
    }

    /** Queues a task regardless of the capacity (for internal follow-ups that must not be lost). */
    void execute(Runnable task) {
        size.incrementAndGet();
        tasks.add(task);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) {
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                scheduled.set(false);
                LOG.debug("lane {}: pool closed, {} task(s) not run", name, size.get());
            }
        }
    }

    private void drain() {
        try {
            for (int n = 0; n < BATCH; n++) {
                Runnable r = tasks.poll();
                if (r == null) {
                    break;
                }
                size.decrementAndGet();
                try {
                    r.run();
                } catch (RuntimeException e) {
                    LOG.error("lane {}: task failed", name, e);
                }
            }
        } finally {
            scheduled.set(false);
        }
        if (!tasks.isEmpty()) {
            schedule();
        }
    }
}
