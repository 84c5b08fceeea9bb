package dev.sabir.simplex;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.simplex.codec.ChatMsgCodec;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * The checked account keys of a SimpleX-style account (see {@link SimplexConnector} for their
 * meaning).
 *
 * @param account the account name
 * @param listen where the listener binds
 * @param advertise the address put into invitations, or null for the listen address
 * @param name the profile name
 * @param groups groups this account creates and owns
 * @param inviteRole the role given to invited members
 * @param inviteSecret the secret preset invitations are derived from, or null
 * @param presetInvites how many preset invitations each owned group has (with a secret)
 * @param join invitation texts accepted when the session connects
 */
record SimplexSettings(
        String account,
        InetSocketAddress listen,
        InetSocketAddress advertise,
        String name,
        List<String> groups,
        String inviteRole,
        String inviteSecret,
        int presetInvites,
        List<String> join) {

    /** Shortest accepted {@code inviteSecret}. */
    static final int MIN_SECRET = 16;

    SimplexSettings {
        groups = List.copyOf(groups);
        join = List.copyOf(join);
    }

    /** Reads and checks the keys, naming the offending key on error. */
    static SimplexSettings parse(AccountConfig account) throws InvalidConfigException {
        InetSocketAddress listen = account.hostPort("listen", null);
        if (listen == null) {
            throw new InvalidConfigException(
                    "listen", "missing required key (host:port to listen on)");
        }
        InetSocketAddress advertise = account.hostPort("advertise", null);
        if (advertise != null && advertise.getPort() == 0) {
            throw new InvalidConfigException("advertise", "needs a real port");
        }
        String name = account.string("name", account.name());
        if (name.isBlank() || name.length() > 100) {
            throw new InvalidConfigException("name", "must be 1 to 100 characters");
        }
        List<String> groups = account.strings("groups");
        for (String g : groups) {
            if (!g.matches("[A-Za-z0-9._-]{1,64}")) {
                throw new InvalidConfigException(
                        "groups", "group name '" + g + "' must be letters, digits, . _ -");
            }
        }
        String role = account.string("inviteRole", "admin");
        if (!role.equals("admin") && !role.equals("member")) {
            throw new InvalidConfigException("inviteRole", "must be admin or member");
        }
        String secret = account.string("inviteSecret", null);
        if (secret != null && secret.length() < MIN_SECRET) {
            throw new InvalidConfigException(
                    "inviteSecret", "must be at least " + MIN_SECRET + " characters");
        }
        int presets = account.integer("presetInvites", 1, 1, 32);
        if (account.has("presetInvites") && secret == null) {
            throw new InvalidConfigException("presetInvites", "needs inviteSecret");
        }
        List<String> join = account.strings("join");
        ChatMsgCodec codec = new ChatMsgCodec(16 * 1024);
        for (int i = 0; i < join.size(); i++) {
            try {
                Invitations.parse(codec, join.get(i));
            } catch (IllegalArgumentException e) {
                throw new InvalidConfigException(
                        "join", "entry " + (i + 1) + ": " + e.getMessage());
            }
        }
        return new SimplexSettings(
                account.name(), listen, advertise, name, groups, role, secret, presets, join);
    }

    /** Everything but the secret (records print every component otherwise). */
    @Override
    public String toString() {
        return "SimplexSettings[account="
                + account
                + ", listen="
                + listen
                + ", groups="
                + groups
                + ", inviteSecret="
                + (inviteSecret == null ? "none" : "***")
                + ", join="
                + join.size()
                + "]";
    }

    /** The host put into invitations. */
    String advertiseHost() {
        return advertise == null ? listen.getHostString() : advertise.getHostString();
    }

    /** The port put into invitations (0 until bound when listening on port 0). */
    int advertisePort() {
        return advertise == null ? listen.getPort() : advertise.getPort();
    }
}
