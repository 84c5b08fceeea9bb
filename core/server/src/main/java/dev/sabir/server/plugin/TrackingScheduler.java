package dev.sabir.server.plugin;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One session's view of the host's shared scheduler. It remembers every task it scheduled and
 * cancels the ones still pending when the session closes; a cancelled task drops its reference to
 * the plugin's code so a task left in the shared queue cannot pin the plugin's class loader.
 * Shutting this view down never shuts the shared scheduler down.
 */
final class TrackingScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final ScheduledExecutorService shared;
    private final Set<Task<?>> tasks = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    TrackingScheduler(ScheduledExecutorService shared) {
        this.shared = shared;
    }

    /** Tasks scheduled and not yet finished or cancelled. */
    int pending() {
        return tasks.size();
    }

    /** Cancels every pending task and refuses new ones. */
    void closeAndCancel() {
        closed = true;
        for (Task<?> t : List.copyOf(tasks)) {
            t.cancel(false);
        }
        tasks.clear();
        if (shared instanceof ScheduledThreadPoolExecutor stpe) {
            stpe.purge();
        }
    }

    private <V> Task<V> track(Task<V> task, ScheduledFuture<?> future) {
        task.bind(future);
        return task;
    }

    private <V> Task<V> newTask(Callable<V> body, boolean periodic) {
        if (closed) {
            throw new RejectedExecutionException("the session is closed");
        }
        Task<V> task = new Task<>(body, periodic);
        tasks.add(task);
        return task;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        Task<Object> task = newTask(callable(command), false);
        return track(task, shared.schedule(task::runOnce, delay, unit));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        Task<V> task = newTask(callable, false);
        return track(task, shared.schedule(task::callOnce, delay, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(
            Runnable command, long initialDelay, long period, TimeUnit unit) {
        Task<Object> task = newTask(callable(command), true);
        return track(task, shared.scheduleAtFixedRate(task::runOnce, initialDelay, period, unit));
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(
            Runnable command, long initialDelay, long delay, TimeUnit unit) {
        Task<Object> task = newTask(callable(command), true);
        return track(task, shared.scheduleWithFixedDelay(task::runOnce, initialDelay, delay, unit));
    }

    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.NANOSECONDS);
    }

    private static Callable<Object> callable(Runnable r) {
        if (r == null) {
            throw new NullPointerException("task");
        }
        return () -> {
            r.run();
            return null;
        };
    }

    @Override
    public void shutdown() {
        closed = true;
    }

    @Override
    public List<Runnable> shutdownNow() {
        closeAndCancel();
        return new ArrayList<>();
    }

    @Override
    public boolean isShutdown() {
        return closed;
    }

    @Override
    public boolean isTerminated() {
        return closed && tasks.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    /** A tracked task: forgets the plugin's code once finished or cancelled. */
    private final class Task<V> implements ScheduledFuture<V> {
        private volatile Callable<V> body;
        private final boolean periodic;
        private volatile ScheduledFuture<?> future;
        private volatile boolean cancelled;

        Task(Callable<V> body, boolean periodic) {
            this.body = body;
            this.periodic = periodic;
        }

        void bind(ScheduledFuture<?> f) {
            future = f;
            if (cancelled) {
                f.cancel(false);
            }
        }

        void runOnce() {
            try {
                callOnce();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        V callOnce() throws Exception {
            Callable<V> b = body;
            if (b == null) {
                return null;
            }
            boolean done = !periodic;
            try {
                return b.call();
            } catch (Exception | Error e) {
                done = true;
                throw e;
            } finally {
                if (done) {
                    finish();
                }
            }
        }

        private void finish() {
            tasks.remove(this);
            body = null;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            cancelled = true;
            body = null;
            tasks.remove(this);
            ScheduledFuture<?> f = future;
            return f == null || f.cancel(mayInterruptIfRunning);
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }

        @Override
        public boolean isDone() {
            ScheduledFuture<?> f = future;
            return cancelled || (f != null && f.isDone());
        }

        @Override
        @SuppressWarnings("unchecked")
        public V get() throws InterruptedException, ExecutionException {
            return (V) awaitFuture().get();
        }

        @Override
        @SuppressWarnings("unchecked")
        public V get(long timeout, TimeUnit unit)
                throws InterruptedException, ExecutionException, TimeoutException {
            return (V) awaitFuture().get(timeout, unit);
        }

        private ScheduledFuture<?> awaitFuture() {
            ScheduledFuture<?> f = future;
            if (f == null) {
                throw new IllegalStateException("not scheduled yet");
            }
            return f;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            ScheduledFuture<?> f = future;
            return f == null ? 0 : f.getDelay(unit);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.NANOSECONDS), o.getDelay(TimeUnit.NANOSECONDS));
        }
    }
}
