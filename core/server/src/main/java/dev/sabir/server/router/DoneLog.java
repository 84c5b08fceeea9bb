package dev.sabir.server.router;

import dev.sabir.server.store.StoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit of finished deliveries: outboxes hand their "done" marks (with the remote ids) here
 * and move on; a background task writes whatever has gathered in one transaction. Anything that
 * reads the id map calls {@link #flush()} first, which returns only when every mark handed in
 * before the call is committed. A crash before a flush means those deliveries are attempted again
 * after the restart (deliveries are at least once anyway).
 */
final class DoneLog {
    private static final Logger LOG = LoggerFactory.getLogger(DoneLog.class);

    private final DeliveryStore store;
    private final Executor executor;
    private final Queue<DeliveryStore.Done> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final Object writing = new Object();

    DoneLog(DeliveryStore store, Executor executor) {
        this.store = store;
        this.executor = executor;
    }

    /** Hands in a finished delivery. */
    void add(Pending p, String remoteId) {
        queue.add(new DeliveryStore.Done(p, remoteId));
        if (scheduled.compareAndSet(false, true)) {
            try {
                executor.execute(
                        () -> {
                            scheduled.set(false);
                            flush();
                        });
            } catch (RejectedExecutionException e) {
                scheduled.set(false); // closing: close() flushes
            }
        }
    }

    /** Writes every mark handed in so far; returns once they are committed (or failed). */
    void flush() {
        if (queue.isEmpty()) {
            // Another thread may be writing what it took from the queue: wait for it.
            synchronized (writing) {
                return;
            }
        }
        synchronized (writing) {
            List<DeliveryStore.Done> batch = new ArrayList<>();
            DeliveryStore.Done d;
            while ((d = queue.poll()) != null) {
                batch.add(d);
            }
            if (batch.isEmpty()) {
                return;
            }
            try {
                store.markDone(batch);
            } catch (StoreException e) {
                LOG.error("cannot mark {} deliveries done: {}", batch.size(), e.getMessage());
            }
        }
    }
}
