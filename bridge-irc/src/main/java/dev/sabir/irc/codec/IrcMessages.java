package dev.sabir.irc.codec;

import java.util.ArrayList;
import java.util.List;

/** Static factories for the messages a client sends. */
public final class IrcMessages {
    private IrcMessages() {}

    /** {@code CAP LS 302}: asks for the server's capabilities (IRCv3 capability negotiation). */
    public static IrcMessage capLs() {
        return IrcMessage.of("CAP", "LS", "302");
    }

    /** {@code CAP REQ :caps}. */
    public static IrcMessage capReq(List<String> caps) {
        return IrcMessage.of("CAP", "REQ", String.join(" ", caps));
    }

    /** {@code CAP END}. */
    public static IrcMessage capEnd() {
        return IrcMessage.of("CAP", "END");
    }

    /** {@code PASS password}. */
    public static IrcMessage pass(String password) {
        return IrcMessage.of("PASS", password);
    }

    /** {@code NICK nick}. */
    public static IrcMessage nick(String nick) {
        return IrcMessage.of("NICK", nick);
    }

    /** {@code USER user 0 * :realname}. */
    public static IrcMessage user(String user, String realName) {
        return IrcMessage.of("USER", user, "0", "*", realName);
    }

    /** {@code AUTHENTICATE payload} (a mechanism name, base64 data or {@code +}). */
    public static IrcMessage authenticate(String payload) {
        return IrcMessage.of("AUTHENTICATE", payload);
    }

    /** {@code JOIN channel}. */
    public static IrcMessage join(String channel) {
        return IrcMessage.of("JOIN", channel);
    }

    /** {@code PART channel :reason}. */
    public static IrcMessage part(String channel, String reason) {
        return reason == null || reason.isEmpty()
                ? IrcMessage.of("PART", channel)
                : IrcMessage.of("PART", channel, reason);
    }

    /** {@code PRIVMSG target :text}. */
    public static IrcMessage privmsg(String target, String text) {
        return IrcMessage.of("PRIVMSG", target, text);
    }

    /** {@code NOTICE target :text}. */
    public static IrcMessage notice(String target, String text) {
        return IrcMessage.of("NOTICE", target, text);
    }

    /** A CTCP ACTION ({@code /me}) as a PRIVMSG. */
    public static IrcMessage action(String target, String text) {
        return IrcMessage.of("PRIVMSG", target, "\u0001ACTION " + text + "\u0001");
    }

    /** {@code PING :token}. */
    public static IrcMessage ping(String token) {
        return IrcMessage.of("PING", token);
    }

    /** {@code PONG :token}. */
    public static IrcMessage pong(String token) {
        return IrcMessage.of("PONG", token);
    }

    /** {@code QUIT :reason}. */
    public static IrcMessage quit(String reason) {
        return reason == null || reason.isEmpty()
                ? IrcMessage.of("QUIT")
                : IrcMessage.of("QUIT", reason);
    }

    /** {@code NAMES channel}. */
    public static IrcMessage names(String channel) {
        return IrcMessage.of("NAMES", channel);
    }

    /** {@code AWAY :text}: marks the client away with a message. */
    public static IrcMessage away(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("an away message needs text; use back()");
        }
        return IrcMessage.of("AWAY", text);
    }

    /** {@code AWAY} without text: the client is back. */
    public static IrcMessage back() {
        return IrcMessage.of("AWAY");
    }

    /** {@code WHO mask}: lists the members of a channel with their here/gone flags. */
    public static IrcMessage who(String mask) {
        return IrcMessage.of("WHO", mask);
    }

    /** {@code WHOIS nick}: asks about one user (its reply carries RPL_AWAY when away). */
    public static IrcMessage whois(String nick) {
        return IrcMessage.of("WHOIS", nick);
    }

    /** Splits a base64 SASL payload into AUTHENTICATE messages of at most 400 bytes each. */
    public static List<IrcMessage> authenticateChunks(String base64) {
        List<IrcMessage> out = new ArrayList<>();
        if (base64.isEmpty()) {
            out.add(authenticate("+"));
            return out;
        }
        for (int i = 0; i < base64.length(); i += 400) {
            out.add(authenticate(base64.substring(i, Math.min(base64.length(), i + 400))));
        }
        if (base64.length() % 400 == 0) {
            out.add(authenticate("+"));
        }
        return out;
    }
}
