package dev.sabir.server.router;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.Capability;
import dev.sabir.api.FileSpool;
import dev.sabir.api.Session;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.store.Database;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Carries events between conversations: links (named sets of conversations on different accounts)
 * and gateway routes (personal accounts of XMPP users). One ordered lane per conversation, echo
 * suppression, nick templates, capability degradation per destination, durable deliveries and the
 * cross-network message id map.
 */
public final class Router implements AutoCloseable {

    /**
     * @param db the database (deliveries, id map, runtime links)
     * @param registry metrics
     * @param settings queue bounds and overflow policy
     * @param spool for file links where a destination has no native file transfer
     */
    public Router(Database db, MeterRegistry registry, SabirConfig.Routing settings, FileSpool spool) {}

    /** Replaces the links that come from the config file (runtime links stay). */
    public void setConfiguredLinks(Collection<SabirConfig.LinkEntry> links) {}

    /** Creates (persists) a runtime link. */
    public void createLink(SabirConfig.LinkEntry link) {}

    /** Removes a runtime or configured link until restart; false when unknown. */
    public boolean removeLink(String name) {
        return false;
    }

    /** All links now in force. */
    public List<SabirConfig.LinkEntry> links() {
        return List.of();
    }

    /** The conversations of an account that are link members (to join when the session starts). */
    public List<Address> conversationsOf(Address account) {
        return List.of();
    }

    /** An event reported by a session. Never blocks. */
    public void accept(BridgeEvent event) {}

    /** The account's session is online: pending deliveries to it are replayed in order. */
    public void attach(Address account, Session session, Set<Capability> capabilities) {}

    /** The account's session is offline or closed: deliveries to it wait in the store. */
    public void detach(Address account) {}

    /** Routes every event of a personal account to its owner's gateway session. */
    public void setGatewayRoute(Address personalAccount, Address gatewayAccount, String owner) {}

    /** Removes a gateway route. */
    public void removeGatewayRoute(Address personalAccount) {}

    /**
     * An event from a gateway user into a conversation of one of their personal accounts.
     *
     * @throws IllegalArgumentException when the conversation's account is not owned by {@code owner}
     */
    public void sendFromGateway(String owner, BridgeEvent event) {}

    /** Deliveries stored and not yet accepted by their destination. */
    public long pending() {
        return 0;
    }

    @Override
    public void close() {}
}
