package dev.sabir.torchat;

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

/** The TorChat connector: peer-to-peer chat between Tor onion services. */
@Extension
public final class TorChatConnector implements Connector {

    @Override
    public String protocol() {
        return "torchat";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                Capability.DIRECT_MESSAGES,
                Capability.ROOMS,
                Capability.TYPING,
                Capability.PRESENCE,
                Capability.FILES,
                Capability.MULTILINE,
                Capability.AVATARS);
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        return new TorChatSession(account, TorChatConfig.from(account), host, sink);
    }
}
