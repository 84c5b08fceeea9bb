package dev.sabir.server.plugin;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.Capability;
import dev.sabir.api.Session;
import dev.sabir.server.router.Router;
import java.util.List;
import java.util.Set;

/**
 * The part of the {@link Router} the account manager uses. A seam so the manager can be tested
 * without a database behind the router.
 */
interface RouterPort {

    List<Address> conversationsOf(Address account);

    void accept(BridgeEvent event);

    void attach(Address account, Session session, Set<Capability> capabilities);

    void detach(Address account);

    void setGatewayRoute(Address personalAccount, Address gatewayAccount, String owner);

    void removeGatewayRoute(Address personalAccount);

    void sendFromGateway(String owner, BridgeEvent event);

    /** Adapts the real router. */
    static RouterPort of(Router router) {
        return new RouterPort() {
            @Override
            public List<Address> conversationsOf(Address account) {
                return router.conversationsOf(account);
            }

            @Override
            public void accept(BridgeEvent event) {
                router.accept(event);
            }

            @Override
            public void attach(Address account, Session session, Set<Capability> capabilities) {
                router.attach(account, session, capabilities);
            }

            @Override
            public void detach(Address account) {
                router.detach(account);
            }

            @Override
            public void setGatewayRoute(Address personal, Address gateway, String owner) {
                router.setGatewayRoute(personal, gateway, owner);
            }

            @Override
            public void removeGatewayRoute(Address personal) {
                router.removeGatewayRoute(personal);
            }

            @Override
            public void sendFromGateway(String owner, BridgeEvent event) {
                router.sendFromGateway(owner, event);
            }
        };
    }
}
