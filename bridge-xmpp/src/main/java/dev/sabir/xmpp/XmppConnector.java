package dev.sabir.xmpp;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.RegistrationField;
import dev.sabir.api.Session;
import dev.sabir.xmpp.client.ClientConfig;
import dev.sabir.xmpp.client.ClientSession;
import dev.sabir.xmpp.component.ComponentConfig;
import dev.sabir.xmpp.component.ComponentSession;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The XMPP connector: {@code mode: component} (an XEP-0114 component serving link rooms as MUC
 * rooms and the gateway's contacts as JIDs) or {@code mode: client} (a relay account in existing
 * MUC rooms, on Smack).
 */
@Extension
public final class XmppConnector implements Connector {

    /** Creates the connector (PF4J and ServiceLoader need a public no-argument constructor). */
    public XmppConnector() {}

    @Override
    public String protocol() {
        return "xmpp";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
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
                Capability.AVATARS,
                Capability.FILES);
    }

    /**
     * Both modes carry files: a component uploads them to the server's XEP-0363 service (or hands
     * them to a direct transfer), a client account uploads them with its own connection; either
     * falls back to the host's spool link.
     */
    @Override
    public Set<Capability> capabilities(AccountConfig account) throws InvalidConfigException {
        return EnumSet.copyOf(capabilities());
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        Stanzas.initSmack();
        String mode = account.string("mode", "component");
        return switch (mode) {
            case "component" ->
                    new ComponentSession(account, ComponentConfig.from(account), host, sink);
            case "client" -> new ClientSession(account, ClientConfig.from(account), host, sink);
            default ->
                    throw new InvalidConfigException(
                            "mode", "expected component or client, got '" + mode + "'");
        };
    }

    @Override
    public List<RegistrationField> registrationFields() {
        return List.of();
    }
}
