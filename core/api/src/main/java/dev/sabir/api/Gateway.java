package dev.sabir.api;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Personal accounts of gateway users (XMPP users who registered an account on another network) and
 * the routing of their conversations.
 *
 * <p>Every event of a personal account is delivered to the owner's gateway session (the account
 * named in {@link PersonalAccount#gatewayAccount()}), with the destination set to the conversation
 * on the personal account. What the owner sends back goes through {@link #send}.
 */
public interface Gateway {

    /** A personal account registered by a gateway user. */
    record PersonalAccount(
            String account, String protocol, String gatewayAccount, String owner, String state) {}

    /** Protocols that offer personal accounts, with their registration fields. */
    Map<String, List<RegistrationField>> registrableProtocols();

    /**
     * Creates (or replaces) the owner's personal account on a network and starts it.
     *
     * @param gatewayAccount the gateway session's account (e.g. the XMPP component account)
     * @param owner the gateway user's id (a bare JID)
     * @param protocol the network
     * @param settings the filled-in registration fields
     * @return the new account's name
     * @throws InvalidConfigException when the fields are wrong
     */
    String register(
            String gatewayAccount, String owner, String protocol, Map<String, Object> settings)
            throws InvalidConfigException;

    /** Removes the owner's personal account on a network; false when there was none. */
    boolean unregister(String owner, String protocol);

    /** The owner's personal accounts. */
    List<PersonalAccount> accountsOf(String owner);

    /** The personal account with that name, if it is one. */
    Optional<PersonalAccount> personal(String account);

    /**
     * Sends an event from a gateway user into a conversation of one of their personal accounts
     * (durably, like any delivery). The event's conversation names the destination.
     *
     * @throws IllegalArgumentException when the conversation's account is not owned by {@code
     *     owner}
     */
    void send(String owner, BridgeEvent event);
}
