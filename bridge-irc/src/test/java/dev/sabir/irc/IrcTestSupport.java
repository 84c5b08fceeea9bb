package dev.sabir.irc;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.Sender;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Accounts and deliveries for the IRC tests. */
final class IrcTestSupport {
    private static final AtomicLong IDS = new AtomicLong(1);

    private IrcTestSupport() {}

    /** A relay account on the local server. */
    static Map<String, Object> relay(String server, String nick, List<String> channels) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("server", server);
        s.put("nick", nick);
        s.put("channels", channels);
        s.put("reconnect_min", "200ms");
        s.put("reconnect_max", "2s");
        s.put("flood", Map.of("burst", 20, "per_second", 20));
        return s;
    }

    static AccountConfig account(String name, Map<String, Object> settings) {
        return new AccountConfig(name, "irc", true, settings);
    }

    /** A delivery as the router makes it: a message from {@code nick} on another network. */
    static Delivery fromOtherNetwork(Address dest, String nick, String text) {
        return fromOtherNetwork(dest, nick, text, ChatMessage.MessageKind.NORMAL);
    }

    static Delivery fromOtherNetwork(
            Address dest, String nick, String text, ChatMessage.MessageKind kind) {
        Address source = new Address("xmpp", "main", "room@conference.localhost");
        ChatMessage msg =
                ChatMessage.of(
                                dest,
                                Sender.of(nick + "@xmpp", nick),
                                UUID.randomUUID().toString(),
                                text)
                        .withText(text, kind);
        return new Delivery(
                IDS.incrementAndGet(), dest, msg, source, "<" + nick + "@xmpp> " + text);
    }
}
