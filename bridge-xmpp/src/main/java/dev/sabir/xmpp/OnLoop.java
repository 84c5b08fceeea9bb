package dev.sabir.xmpp;

import dev.sabir.api.DeliveryException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/** Runs work on a session's event loop, where its XMPP state lives, and hands back the result. */
public final class OnLoop {
    private OnLoop() {}

    /**
     * Runs the task on the loop; the future fails with what it throws, or as offline when the loop
     * no longer takes tasks.
     */
    public static <T> CompletableFuture<T> call(Executor loop, Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            loop.execute(
                    () -> {
                        try {
                            f.complete(task.call());
                        } catch (Throwable t) {
                            f.completeExceptionally(t);
                        }
                    });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(DeliveryException.offline("event loop stopped"));
        }
        return f;
    }
}
