package dev.sabir.server.router;

import dev.sabir.api.Address;

/**
 * Where one event goes.
 *
 * @param key the destination endpoint (for the id map and the outbox)
 * @param account the account whose session carries the delivery
 * @param destination {@code Delivery.destination}
 * @param link the link name ({@code gateway} for gateway routes), for metrics
 * @param format the nick template
 */
record Target(String key, Address account, Address destination, String link, String format) {

    /** Link name used in metrics and rows for gateway routes. */
    static final String GATEWAY = "gateway";

    /** A link member. */
    static Target member(Address member, String link, String format) {
        return new Target(
                member.toString(), member.accountAddress(), member, link, Templates.orDefault(format));
    }

    /** The gateway view of a personal account's conversation. */
    static Target gateway(Address gatewayAccount, Address conversation) {
        return new Target(
                gatewayKey(gatewayAccount, conversation),
                gatewayAccount,
                conversation,
                GATEWAY,
                Templates.DEFAULT);
    }

    /** The endpoint key of a personal account's conversation as its gateway session sees it. */
    static String gatewayKey(Address gatewayAccount, Address conversation) {
        return gatewayAccount.accountAddress() + ">" + conversation;
    }
}
