package dev.sabir.simplex;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.Session;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * SimpleX-style groups (the 2021 chat protocol design) carried over Sabir's own encrypted queues
 * between members. Account keys: {@code listen} (host:port, required), {@code advertise} (host:port
 * put into invitations, default the listen address), {@code name} (profile name, default the
 * account name), {@code groups} (names of groups this account creates and owns), {@code inviteRole}
 * (role given to invited members: {@code admin} or {@code member}, default admin).
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
        return new SimplexSession(
                account.name(), host, sink, listen, advertise, name, groups, role);
    }
}
