package dev.sabir.api;

/** The only way a session reports what happened on its network. Thread-safe; never blocks. */
@FunctionalInterface
public interface EventSink {

    /** Reports an event. Events of one conversation are routed in the order they are accepted. */
    void accept(BridgeEvent event);
}
