package dev.sabir.server.plugin;

import com.fasterxml.jackson.databind.type.TypeFactory;
import dev.sabir.server.threads.HostThreads;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.internal.InternalThreadLocalMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the host's long-lived threads and shared-library caches from holding on to an unloaded
 * plugin, so that its class loader can be collected.
 *
 * <p>Found with a heap dump of a server whose real plugins had been unloaded ({@code
 * PluginUnloadLeakTest}); each of these alone kept every plugin's classes alive:
 *
 * <ul>
 *   <li>Netty caches, per thread, the message type of every {@code SimpleChannelInboundHandler},
 *       {@code MessageToByteEncoder} and friends ({@code TypeParameterMatcher}), keyed by the
 *       handler's class, in strong maps: {@link #scrub} empties them of the plugin's classes on
 *       every host thread, running on that thread.
 *   <li>A thread remembers the protection domains of the code that created it and the creator's
 *       context class loader; a pool thread started lazily under a plugin's call (a plugin emitting
 *       the first event) pinned that plugin. {@link HostThreads#threads} makes host threads with
 *       neither.
 *   <li>Netty's {@code ImmediateEventExecutor} keeps an exception created while its class is
 *       initialised, and that exception's stack trace names the classes that first used it; {@link
 *       HostThreads#prime()} initialises such classes from host code before any plugin runs.
 *   <li>Jackson's shared {@link TypeFactory} caches the types plugins read and write.
 * </ul>
 */
public final class UnloadHygiene {
    private static final Logger log = LoggerFactory.getLogger(UnloadHygiene.class);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final List<EventExecutorGroup> loops = new CopyOnWriteArrayList<>();
    private final Map<ExecutorService, Integer> pools =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** Event loops whose threads are scrubbed after an unload. */
    public void watch(EventExecutorGroup group) {
        loops.add(group);
    }

    /** A pool of {@code threads} fixed threads whose threads are scrubbed after an unload. */
    public void watch(ExecutorService pool, int threads) {
        pools.put(pool, threads);
    }

    /** {@link #scrub} on a thread of its own, so the caller (holding the host's lock) goes on. */
    public void scrubLater(ClassLoader loader) {
        if (loader != null) {
            HostThreads.threads("sabir-unload").newThread(() -> scrub(loader)).start();
        }
    }

    /**
     * Removes what the host's threads and shared caches keep of the classes of {@code loader}. Best
     * effort: a thread busy for longer than a few seconds is skipped and logged.
     */
    public void scrub(ClassLoader loader) {
        if (loader == null) {
            return;
        }
        TypeFactory.defaultInstance().clearCache();
        Runnable task = () -> scrubCurrentThread(loader);
        int skipped = 0;
        List<Future<?>> waits = new ArrayList<>();
        for (EventExecutorGroup g : loops) {
            if (g.isShuttingDown()) {
                continue;
            }
            for (EventExecutor e : g) {
                try {
                    waits.add(e.submit(task));
                } catch (RejectedExecutionException rejected) {
                    skipped++;
                }
            }
        }
        for (Future<?> f : waits) {
            try {
                f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                skipped++;
            }
        }
        for (Map.Entry<ExecutorService, Integer> p : pools.entrySet()) {
            skipped += onEveryThread(p.getKey(), p.getValue(), task);
        }
        if (skipped > 0) {
            log.info("plugin unload: {} busy host threads not cleaned", skipped);
        }
    }

    /**
     * Runs {@code task} once on each of the {@code n} threads of a fixed pool: every copy waits
     * until all have started, so no thread runs two.
     *
     * @return how many copies did not run
     */
    private static int onEveryThread(ExecutorService pool, int n, Runnable task) {
        if (pool.isShutdown()) {
            return 0;
        }
        CountDownLatch started = new CountDownLatch(n);
        CountDownLatch done = new CountDownLatch(n);
        for (int i = 0; i < n; i++) {
            try {
                pool.execute(
                        () -> {
                            started.countDown();
                            try {
                                task.run();
                                started.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            } finally {
                                done.countDown();
                            }
                        });
            } catch (RejectedExecutionException e) {
                done.countDown();
            }
        }
        try {
            if (!done.await(2 * WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                return (int) done.getCount();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return (int) done.getCount();
        }
        return 0;
    }

    /** Empties the calling thread's Netty type-matcher caches of the loader's classes. */
    static void scrubCurrentThread(ClassLoader loader) {
        InternalThreadLocalMap map = InternalThreadLocalMap.getIfSet();
        if (map == null) {
            return;
        }
        map.typeParameterMatcherFindCache().keySet().removeIf(c -> definedBy(c, loader));
        map.typeParameterMatcherGetCache().keySet().removeIf(c -> definedBy(c, loader));
    }

    private static boolean definedBy(Class<?> c, ClassLoader loader) {
        Class<?> k = c;
        while (k.isArray()) {
            k = k.getComponentType();
        }
        return k.getClassLoader() == loader;
    }
}
