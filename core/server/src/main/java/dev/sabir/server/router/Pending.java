package dev.sabir.server.router;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;

/**
 * One delivery waiting in an outbox.
 *
 * @param id the durable id (0 for transient events)
 * @param target where it goes
 * @param source {@code Delivery.source}
 * @param sourceKey the source endpoint (for the id map)
 * @param sourceId the source network's id of the event (null for transient events)
 * @param event the event as the source reported it
 */
record Pending(
        long id, Target target, Address source, String sourceKey, String sourceId, BridgeEvent event) {

    /** True when the delivery is in the store. */
    boolean durable() {
        return id > 0;
    }
}
