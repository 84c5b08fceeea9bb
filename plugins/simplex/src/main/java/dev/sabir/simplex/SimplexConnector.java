package dev.sabir.simplex;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.Session;
import dev.sabir.simplex.codec.ChatMsgCodec;
import dev.sabir.simplex.transport.ConnLink;
import dev.sabir.simplex.transport.QueueCrypto;
import java.util.EnumSet;
import java.util.Set;
import org.pf4j.Extension;

/**
 * SimpleX-style groups (the 2021 chat protocol design) carried over Sabir's own encrypted queues
 * between members.
 *
 * <p>Account keys:
 *
 * <ul>
 *   <li>{@code listen} (host:port, required) — where this account's listener binds;
 *   <li>{@code advertise} (host:port) — the address put into invitations, default the listen
 *       address;
 *   <li>{@code name} — profile name, default the account name;
 *   <li>{@code groups} — names of groups this account creates and owns;
 *   <li>{@code inviteRole} — role given to invited members: {@code admin} or {@code member},
 *       default admin;
 *   <li>{@code inviteSecret} (at least 16 characters) — turns on <em>preset invitations</em>: each
 *       owned group gets {@code presetInvites} invitations whose member ids, queue and keys are
 *       derived from the secret, so their text never changes and can be computed from this
 *       configuration alone ({@link #presetInvitation}, or {@code presetInvitation} on the running
 *       session). Each preset invitation admits one account. Set the secret before the group is
 *       first created: the owner's member id in the group is derived from it too;
 *   <li>{@code presetInvites} (1 to 32, default 1, needs {@code inviteSecret}) — how many;
 *   <li>{@code join} — invitation texts ({@code simplex:/group#...}, one-time or preset) this
 *       account accepts when it connects; an invitation accepted before (even in a group left
 *       since) is skipped, so the list can stay in the configuration. {@link Session#join} of such
 *       a group waits (up to 15 s) until the inviter answered.
 * </ul>
 */
@Extension
public final class SimplexConnector implements Connector {

    @Override
    public String protocol() {
        return SimplexSession.PROTOCOL;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                Capability.ROOMS,
                Capability.EDITS,
                Capability.RETRACTIONS,
                Capability.FILES,
                Capability.MULTILINE);
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        return new SimplexSession(SimplexSettings.parse(account), host, sink);
    }

    /**
     * The text of an owner account's preset invitation, computed from its configuration without
     * running it (e.g. to put into another account's {@code join} list). Valid for groups created
     * while {@code inviteSecret} was set.
     *
     * @param owner the owner account's configuration (with {@code inviteSecret})
     * @param group one of its {@code groups}
     * @param number which preset invitation, 1 to {@code presetInvites}
     * @throws InvalidConfigException when the owner's configuration is invalid
     * @throws IllegalArgumentException when the owner has no secret, does not own the group, the
     *     number is out of range or the advertised port is not known before binding
     */
    public static String presetInvitation(AccountConfig owner, String group, int number)
            throws InvalidConfigException {
        SimplexSettings s = SimplexSettings.parse(owner);
        if (s.inviteSecret() == null) {
            throw new IllegalArgumentException("account " + owner.name() + " has no inviteSecret");
        }
        if (!s.groups().contains(group)) {
            throw new IllegalArgumentException(
                    "account " + owner.name() + " does not own group " + group);
        }
        if (number < 1 || number > s.presetInvites()) {
            throw new IllegalArgumentException(
                    "preset invitation " + number + " of " + s.presetInvites());
        }
        if (s.advertisePort() == 0) {
            throw new IllegalArgumentException(
                    "listen port 0: set advertise or ask the running session");
        }
        ConnLink link =
                new ConnLink(
                        s.advertiseHost(),
                        s.advertisePort(),
                        Presets.queueId(s.inviteSecret(), group, number),
                        QueueCrypto.rawPublic(
                                Presets.keyPair(s.inviteSecret(), group, number).getPublic()));
        return Invitations.text(
                new ChatMsgCodec(16 * 1024),
                new ObjectMapper(),
                group,
                s.name(),
                Presets.ownerMemberId(s.inviteSecret(), group),
                "owner",
                Presets.memberId(s.inviteSecret(), group, number),
                s.inviteRole(),
                link);
    }
}
