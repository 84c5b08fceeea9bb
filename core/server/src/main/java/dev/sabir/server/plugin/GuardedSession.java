package dev.sabir.server.plugin;

import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.Session;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What the router sees of a plugin's session: the same calls, but a session that throws (or
 * returns null) gives a failed stage instead of an exception in the router's thread, and calls after
 * close fail as "offline".
 */
final class GuardedSession implements Session {

    private final String account;
    private volatile Session delegate;

    GuardedSession(String account, Session delegate) {
        this.account = account;
        this.delegate = delegate;
    }

    @Override
    public CompletionStage<Void> connect() {
        Session s = delegate;
        if (s == null) {
            return CompletableFuture.failedFuture(DeliveryException.offline(account + " is closed"));
        }
        return guard(s::connect, "connect");
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        Session s = delegate;
        if (s == null) {
            return CompletableFuture.failedFuture(DeliveryException.offline(account + " is closed"));
        }
        return guard(() -> s.join(conversation), "join");
    }

    @Override
    public CompletionStage<String> deliver(Delivery delivery) {
        Session s = delegate;
        if (s == null) {
            return CompletableFuture.failedFuture(DeliveryException.offline(account + " is closed"));
        }
        return guard(() -> s.deliver(delivery), "deliver");
    }

    private <T> CompletionStage<T> guard(java.util.function.Supplier<CompletionStage<T>> call, String what) {
        try {
            CompletionStage<T> stage = call.get();
            if (stage == null) {
                return CompletableFuture.failedFuture(
                        DeliveryException.permanent(account + ": " + what + " returned nothing"));
            }
            return stage;
        } catch (DeliveryException e) {
            return CompletableFuture.failedFuture(e);
        } catch (RuntimeException | LinkageError e) {
            return CompletableFuture.failedFuture(
                    DeliveryException.permanent(account + ": " + what + " failed: " + e));
        }
    }

    /** Forgets the plugin's session (it is closed by the account manager). */
    void release() {
        delegate = null;
    }

    /** Closing through the router's view does nothing: the account manager owns the session. */
    @Override
    public void close() {}
}
