package dev.sabir.jabberft;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.Session;
import java.util.EnumSet;
import java.util.Set;
import org.pf4j.Extension;

/**
 * The jabber p2p file transfer connector: the 2002 JDEV proposal (send and get proposals,
 * listening/connecting role switch, append resume, abort, timeout) in Sabir's namespace {@code
 * urn:sabir:p2pft:0}, spoken by an XEP-0114 component of its own, with raw TCP data connections.
 */
@Extension
public final class JabberFtConnector implements Connector {

    @Override
    public String protocol() {
        return "jabberft";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(Capability.FILES, Capability.DIRECT_MESSAGES, Capability.MULTILINE);
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        return new JabberFtSession(account, JabberFtConfig.from(account), host, sink);
    }
}
