package dev.sabir.api;

import java.util.concurrent.CompletionStage;

/**
 * A way to hand a spooled file straight to one recipient, offered by one plugin for others to use
 * through {@link FileTransports}. The jabberft plugin offers its p2p transfer for XMPP addresses,
 * and the XMPP gateway asks it before it falls back to its own HTTP upload.
 */
public interface DirectFileTransport {

    /** A short name for logs, such as {@code jabberft:ft}. */
    String name();

    /**
     * Whether the recipient can take files this way, for example because its client advertises the
     * feature. Completes {@code false} when it cannot or nobody knows; exceptionally only when the
     * question could not be asked at all (the transport is offline).
     */
    CompletionStage<Boolean> accepts(String recipient);

    /**
     * Offers a spooled file to the recipient.
     *
     * @param recipient the address, in the transport's kind (a full JID for {@code xmpp})
     * @param offer the offer; its {@link FileOffer#spoolId()} names the file
     * @param description a line for the recipient (who sends it), may be empty
     * @return the transfer, already under way
     */
    Transfer offer(String recipient, FileOffer offer, String description);

    /** One offered file. */
    interface Transfer {
        /** The transfer's id, for logs and {@link FileProgress} events. */
        String id();

        /**
         * Completes {@code true} when the recipient accepted the offer and {@code false} when it
         * declined; exceptionally when no answer came or the offer could not be made.
         */
        CompletionStage<Boolean> accepted();

        /**
         * Completes when the recipient confirmed every byte; exceptionally when the transfer failed
         * (also after it was accepted) or the recipient declined.
         */
        CompletionStage<Void> finished();
    }
}
