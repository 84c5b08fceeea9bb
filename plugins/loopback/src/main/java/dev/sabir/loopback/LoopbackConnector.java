package dev.sabir.loopback;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.RegistrationField;
import dev.sabir.api.Session;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The loopback test network: each account is a small line-based chat server on a TCP port. Test
 * clients (and people with {@code nc}) connect, pick a nick, join rooms and chat; Sabir's session
 * is the server, so everything said there is bridged. It is a test fixture, but a real network:
 * sockets, framing limits, malformed input, several clients.
 *
 * <p>Account keys: {@code listen} (host:port, required), {@code nick} (relay identity, default
 * {@code sabir}), {@code relay} ({@code template} — the default, shows the router's rendered text
 * from the relay nick — or {@code puppet}, shows each remote sender as {@code nick@network}),
 * {@code capabilities} (list of {@link Capability} names to advertise per account; default all but
 * FILES), {@code echo} (true: the network echoes delivered messages back, as IRC echo-message
 * does), {@code history} (messages replayed to a client joining a room, default 50). An account
 * with {@code connect: host:port} instead of {@code listen} is a relay client of another loopback
 * account's server.
 */
@Extension
public final class LoopbackConnector implements Connector {

    /** Everything the loopback network can carry. */
    static final Set<Capability> ALL =
            EnumSet.of(
                    Capability.ROOMS,
                    Capability.DIRECT_MESSAGES,
                    Capability.EDITS,
                    Capability.RETRACTIONS,
                    Capability.REPLIES,
                    Capability.TYPING,
                    Capability.PRESENCE,
                    Capability.ACTIONS,
                    Capability.MULTILINE,
                    Capability.PUPPETS,
                    Capability.TOPICS,
                    Capability.FILES);

    @Override
    public String protocol() {
        return "loopback";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.copyOf(ALL);
    }

    @Override
    public Set<Capability> capabilities(AccountConfig account) throws InvalidConfigException {
        return account.has("connect")
                ? capabilities()
                : LoopbackSettings.from(account).capabilities();
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        if (account.has("connect")) {
            return new LoopbackClientSession(
                    account.address(),
                    account.hostPort("connect", null),
                    account.string("nick", "sabir"),
                    host,
                    sink);
        }
        return new LoopbackSession(LoopbackSettings.from(account), host, sink);
    }

    @Override
    public List<RegistrationField> registrationFields() {
        return List.of(
                new RegistrationField("listen", "Address to listen on (host:port)", true, false),
                new RegistrationField("nick", "Your nick on the loopback network", false, false));
    }
}
