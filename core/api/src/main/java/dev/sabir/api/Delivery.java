package dev.sabir.api;

import java.util.Objects;

/**
 * An event the router asks a session to carry into its network.
 *
 * @param id the durable delivery id (stable across replays of the same delivery)
 * @param destination the conversation on this session's account to deliver to
 * @param event the event, already adapted to the destination: its conversation is the destination,
 *     message ids are translated to this network's ids, and unsupported features are degraded
 * @param source the conversation the event came from
 * @param text the text rendered with the link's nick template (for relay identities); for puppet
 *     networks {@code event} carries the sender and the raw text instead
 */
public record Delivery(
        long id, Address destination, BridgeEvent event, Address source, String text) {

    /** Checks the parts. */
    public Delivery {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(event, "event");
        Objects.requireNonNull(source, "source");
        text = text == null ? "" : text;
    }
}
