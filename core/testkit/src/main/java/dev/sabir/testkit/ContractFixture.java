package dev.sabir.testkit;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Connector;

/**
 * What a protocol plugin gives the {@link ConnectorContract}: two accounts of its connector that
 * reach each other through a real network or server the fixture starts.
 */
public interface ContractFixture extends AutoCloseable {

    /** The connector under test. */
    Connector connector();

    /** The first account. */
    AccountConfig first();

    /** The second account. */
    AccountConfig second();

    /** A conversation on the first account (room or peer) ... */
    Address conversationOnFirst();

    /** ... and the same conversation seen from the second account. */
    Address conversationOnSecond();

    /**
     * Sends malformed bytes at the protocol's endpoint (a raw socket to a listener, a bad line to
     * the server) so the contract can check that other sessions keep working.
     */
    default void sendGarbage() throws Exception {}

    /** Stops whatever the fixture started. */
    @Override
    default void close() throws Exception {}
}
