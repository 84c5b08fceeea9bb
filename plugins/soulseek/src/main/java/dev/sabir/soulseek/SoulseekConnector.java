package dev.sabir.soulseek;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.RegistrationField;
import dev.sabir.api.Session;
import dev.sabir.soulseek.client.ClientSession;
import dev.sabir.soulseek.server.ServerSession;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The Soulseek connector. {@code mode: client} logs into a Soulseek server as one user (a relay
 * identity); {@code mode: server} makes Sabir a Soulseek server for unmodified clients, with remote
 * participants of bridged rooms shown as virtual users.
 */
@Extension
public final class SoulseekConnector implements Connector {

    /** The protocol id. */
    public static final String PROTOCOL = "soulseek";

    @Override
    public String protocol() {
        return PROTOCOL;
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                Capability.ROOMS,
                Capability.DIRECT_MESSAGES,
                Capability.PRESENCE,
                Capability.PUPPETS,
                Capability.ECHOES,
                Capability.TOPICS,
                Capability.FILES);
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        String mode = account.string("mode", "client");
        return switch (mode) {
            case "client" -> new ClientSession(account, host, sink);
            case "server" -> new ServerSession(account, host, sink);
            default ->
                    throw new InvalidConfigException(
                            "mode", "expected client or server, got '" + mode + "'");
        };
    }

    @Override
    public List<RegistrationField> registrationFields() {
        return List.of(
                new RegistrationField("server", "Soulseek server (host:port)", true, false),
                new RegistrationField("user", "User name", true, false),
                new RegistrationField("password", "Password", true, true));
    }
}
