package dev.sabir.api;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Names a conversation (a room or a 1:1 peer) on one account of one network.
 *
 * <p>Printed and parsed as {@code protocol:account/id}, for example {@code
 * torchat:main/abcdefghijklmnop}, {@code irc:libera/#sabir} or {@code soulseek:local/room:indie}.
 * The id may contain any character except line breaks; the protocol is lower-case letters, digits,
 * {@code -} and {@code _}; the account name may not contain {@code /} or {@code :}.
 *
 * @param protocol the protocol id of the connector, e.g. {@code irc}
 * @param account the configured account name
 * @param id the conversation id within the account; empty for the account itself
 */
public record Address(String protocol, String account, String id) {
    private static final Pattern PROTOCOL = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final Pattern ACCOUNT = Pattern.compile("[^/:\\s]{1,64}");

    /** Validates the three parts. */
    public Address {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(id, "id");
        if (!PROTOCOL.matcher(protocol).matches()) {
            throw new IllegalArgumentException("bad protocol id '" + protocol + "'");
        }
        if (!ACCOUNT.matcher(account).matches()) {
            throw new IllegalArgumentException("bad account name '" + account + "'");
        }
        if (id.length() > 1024 || id.indexOf('\n') >= 0 || id.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("bad conversation id");
        }
    }

    /**
     * Parses {@code protocol:account/id}.
     *
     * @throws IllegalArgumentException when the text is not an address
     */
    public static Address parse(String text) {
        int colon = text.indexOf(':');
        int slash = colon < 0 ? -1 : text.indexOf('/', colon + 1);
        if (colon <= 0) {
            throw new IllegalArgumentException(
                    "'" + text + "' is not an address (expected protocol:account/id)");
        }
        if (slash < 0) {
            return new Address(text.substring(0, colon), text.substring(colon + 1), "");
        }
        return new Address(
                text.substring(0, colon),
                text.substring(colon + 1, slash),
                text.substring(slash + 1));
    }

    /** The address of an account as a whole (empty id). */
    public static Address ofAccount(String protocol, String account) {
        return new Address(protocol, account, "");
    }

    /** Another conversation on the same account. */
    public Address withId(String newId) {
        return new Address(protocol, account, newId);
    }

    /** The address of the account this conversation belongs to. */
    public Address accountAddress() {
        return new Address(protocol, account, "");
    }

    /** True when both addresses are on the same account of the same protocol. */
    public boolean sameAccount(Address other) {
        return protocol.equals(other.protocol) && account.equals(other.account);
    }

    @Override
    public String toString() {
        return id.isEmpty() ? protocol + ":" + account : protocol + ":" + account + "/" + id;
    }
}
