package dev.sabir.api;

import java.util.List;
import java.util.Set;
import org.pf4j.ExtensionPoint;

/**
 * One per network protocol: the entry point a plugin registers (a PF4J extension).
 *
 * <p>Implementations must not keep static state about sessions: statics pin the plugin's class
 * loader after it is unloaded.
 */
public interface Connector extends ExtensionPoint {

    /** The protocol id used in config ({@code plugin: irc}) and in addresses. */
    String protocol();

    /** What this network can carry. */
    Set<Capability> capabilities();

    /**
     * What one account can carry, when it differs from the connector's default (e.g. an IRC server
     * without echo-message). The router degrades deliveries to this account accordingly.
     *
     * @throws InvalidConfigException when the account's keys are wrong
     */
    default Set<Capability> capabilities(AccountConfig account) throws InvalidConfigException {
        return capabilities();
    }

    /**
     * Creates a session for one account. Must not block or connect yet: {@link Session#connect()}
     * does that.
     *
     * @throws InvalidConfigException when the account's keys are wrong
     */
    Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException;

    /**
     * The fields an XMPP user fills in to register a personal account on this network through the
     * gateway (XEP-0077 form). Empty when personal accounts are not offered.
     */
    default List<RegistrationField> registrationFields() {
        return List.of();
    }
}
