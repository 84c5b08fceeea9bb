package dev.sabir.loopback;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.InvalidConfigException;
import java.net.InetSocketAddress;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** The loopback account's keys, checked. */
record LoopbackSettings(
        AccountConfig account,
        InetSocketAddress listen,
        String nick,
        boolean puppet,
        Set<Capability> capabilities,
        boolean echo,
        int history) {

    static LoopbackSettings from(AccountConfig a) throws InvalidConfigException {
        InetSocketAddress listen = a.hostPort("listen", null);
        if (listen == null) {
            throw new InvalidConfigException("listen", "missing required key (host:port)");
        }
        String relay = a.string("relay", "template");
        if (!relay.equals("template") && !relay.equals("puppet")) {
            throw new InvalidConfigException(
                    "relay", "expected template or puppet, got '" + relay + "'");
        }
        Set<Capability> caps = EnumSet.noneOf(Capability.class);
        if (a.has("capabilities")) {
            for (String c : a.strings("capabilities")) {
                try {
                    caps.add(Capability.valueOf(c.trim().toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new InvalidConfigException(
                            "capabilities", "unknown capability '" + c + "'");
                }
            }
        } else {
            caps.addAll(LoopbackConnector.ALL);
        }
        String nick = a.string("nick", "sabir");
        if (!LoopbackProtocol.NICK.matcher(nick).matches()) {
            throw new InvalidConfigException("nick", "not a valid nick: '" + nick + "'");
        }
        return new LoopbackSettings(
                a,
                listen,
                nick,
                relay.equals("puppet"),
                Set.copyOf(caps),
                a.bool("echo", false),
                a.integer("history", 50, 0, 10_000));
    }
}
