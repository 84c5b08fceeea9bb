package dev.sabir.server.cli;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.Session;
import java.util.Set;

/** A connector packed into a throwaway plugin JAR by {@link CliTest}; never opened. */
public class DummyConnector implements Connector {
    @Override
    public String protocol() {
        return "dummy";
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.ROOMS);
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink) {
        throw new UnsupportedOperationException("listing only");
    }
}
