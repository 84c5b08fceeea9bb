package dev.sabir.it;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What a test client received, in order: waits take the first item that matches, and the items
 * skipped on the way stay available to later waits.
 *
 * @param <T> what arrives (lines, IRC messages, stanzas)
 */
final class Inbox<T> {
    private final String owner;
    private final Function<T, String> describe;
    private final LinkedBlockingQueue<T> incoming = new LinkedBlockingQueue<>();
    private final List<T> seen = new ArrayList<>();

    /**
     * @param owner named in failure messages
     * @param describe how an item is shown in failure messages
     */
    Inbox(String owner, Function<T, String> describe) {
        this.owner = owner;
        this.describe = describe;
    }

    /** Something arrived (any thread). */
    void add(T item) {
        incoming.add(item);
    }

    /** Waits for an item not taken before that matches. */
    T await(Predicate<T> match, Duration timeout) {
        synchronized (seen) {
            for (int i = 0; i < seen.size(); i++) {
                if (match.test(seen.get(i))) {
                    return seen.remove(i);
                }
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            T item = poll(deadline);
            synchronized (seen) {
                if (item == null) {
                    throw new AssertionError(
                            owner
                                    + ": nothing matching within "
                                    + timeout
                                    + "; saw "
                                    + seen.stream().map(describe).toList());
                }
                if (match.test(item)) {
                    return item;
                }
                seen.add(item);
            }
        }
    }

    /** Everything received within a short time that no wait has taken yet. */
    List<T> drain(Duration quiet) {
        long deadline = System.nanoTime() + quiet.toNanos();
        T item;
        while ((item = poll(deadline)) != null) {
            synchronized (seen) {
                seen.add(item);
            }
        }
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    private T poll(long deadline) {
        try {
            return incoming.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }
}
