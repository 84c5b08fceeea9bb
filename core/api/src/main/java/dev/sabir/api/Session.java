package dev.sabir.api;

import java.util.concurrent.CompletionStage;

/**
 * One live account on one network.
 *
 * <p>{@link #close()} is idempotent and releases every socket, timer, thread and pipeline handler
 * the session created, so the plugin's class loader can be collected after unload.
 */
public interface Session extends AutoCloseable {

    /**
     * Starts connecting; completes when the session is online for the first time (or fails). The
     * session reconnects by itself afterwards and reports {@link SessionState} events.
     */
    CompletionStage<Void> connect();

    /** Joins a room (or opens a 1:1 conversation) so that its events are reported. */
    CompletionStage<Void> join(Address conversation);

    /**
     * Delivers an event into this network. Completes with the network's id of what was sent (or
     * null when the network has no ids); completes exceptionally with {@link DeliveryException}
     * when it could not be sent ({@link DeliveryException#retryable()} tells the router whether to
     * keep it queued).
     */
    CompletionStage<String> deliver(Delivery delivery);

    /** Closes the session and releases everything it holds. */
    @Override
    void close();
}
