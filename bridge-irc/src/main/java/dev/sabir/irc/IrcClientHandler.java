package dev.sabir.irc;

import dev.sabir.irc.codec.IrcCodecException;
import dev.sabir.irc.codec.IrcMessage;
import dev.sabir.irc.codec.IrcMessages;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of one IRC connection up to and after registration: IRCv3 capability negotiation
 * ({@code CAP LS 302}), SASL PLAIN / EXTERNAL, nick collisions during registration, PING/PONG and
 * idle detection. Everything after registration is handed to {@link Events}.
 */
final class IrcClientHandler extends SimpleChannelInboundHandler<IrcMessage> {
    private static final Logger LOG = LoggerFactory.getLogger(IrcClientHandler.class);

    /** Capabilities requested when the server offers them. */
    static final List<String> WANTED_CAPS =
            List.of("message-tags", "server-time", "echo-message", "multi-prefix", "away-notify");

    /** Too many malformed lines in a row close the connection. */
    static final int MAX_BAD_LINES = 20;

    /** What the handler reports. */
    interface Events {
        /** Registration finished (001 up to the end of the MOTD). */
        void ready(IrcClientHandler handler);

        /** A message after registration. */
        void message(IrcMessage message);

        /** The connection is unusable; it is being closed. */
        void failed(String reason);
    }

    /**
     * What to register with.
     *
     * @param nick the wanted nick
     * @param user user name
     * @param realName real name
     * @param password server password or null
     * @param sasl SASL login or null
     * @param maxNickLength longest nick to try before the server says (NICKLEN)
     */
    record Registration(
            String nick,
            String user,
            String realName,
            String password,
            IrcSettings.Sasl sasl,
            int maxNickLength) {}

    private enum State {
        CAP_LS,
        CAP_REQ,
        SASL,
        REGISTERING,
        REGISTERED,
        READY
    }

    private final Registration reg;
    private final Events events;
    private State state = State.CAP_LS;
    private final Set<String> offered = new LinkedHashSet<>();
    private final Set<String> enabled = new LinkedHashSet<>();
    private final Map<String, String> isupport = new HashMap<>();
    private String saslMechs = "";
    private int nickAttempt;
    private volatile String nick;
    private volatile String ownPrefix;
    private boolean awaitingPong;
    private int badLines;
    private boolean failed;

    IrcClientHandler(Registration reg, Events events) {
        this.reg = reg;
        this.events = events;
        this.nick = reg.nick();
    }

    /** The current nick. */
    String nick() {
        return nick;
    }

    /** Capabilities the server acknowledged. */
    Set<String> enabledCaps() {
        return Set.copyOf(enabled);
    }

    /** True when the capability is enabled. */
    boolean hasCap(String cap) {
        return enabled.contains(cap);
    }

    /** An ISUPPORT (005) token's value, or null. */
    String isupport(String key) {
        return isupport.get(key);
    }

    /** NICKLEN from ISUPPORT, or the configured guess. */
    int nickLength() {
        try {
            String v = isupport.get("NICKLEN");
            return v == null ? reg.maxNickLength() : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return reg.maxNickLength();
        }
    }

    /**
     * Bytes the server adds in front of what this client sends when relaying it to others ({@code
     * :nick!user@host }): exact once the own prefix was seen, otherwise a safe over-estimate.
     */
    int relayPrefixBytes() {
        if (ownPrefix != null) {
            return IrcText.utf8Length(ownPrefix) + 1;
        }
        return IrcText.utf8Length(nick) + IrcText.utf8Length(reg.user()) + 1 + 63 + 4;
    }

    /** True when the message's source is this connection. */
    boolean isOwn(IrcMessage m) {
        return m.prefix() != null && IrcText.fold(m.sourceNick()).equals(IrcText.fold(nick));
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.write(IrcMessages.capLs());
        if (reg.password() != null) {
            ctx.write(IrcMessages.pass(reg.password()));
        }
        ctx.write(IrcMessages.nick(nick));
        ctx.writeAndFlush(IrcMessages.user(reg.user(), reg.realName()));
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, IrcMessage m) {
        awaitingPong = false;
        badLines = 0;
        switch (m.command()) {
            case "PING" -> {
                ctx.writeAndFlush(IrcMessages.pong(m.trailing()));
                return;
            }
            case "PONG" -> {
                return;
            }
            case "ERROR" -> {
                fail(ctx, "server error: " + m.trailing());
                return;
            }
            case "CAP" -> {
                onCap(ctx, m);
                return;
            }
            case "AUTHENTICATE" -> {
                onAuthenticate(ctx, m);
                return;
            }
            case "903" -> {
                LOG.info(
                        "SASL login as {} succeeded", reg.sasl() == null ? "?" : reg.sasl().user());
                endCap(ctx);
                return;
            }
            case "902", "904", "905", "906", "908" -> {
                if (state == State.SASL) {
                    fail(
                            ctx,
                            "SASL "
                                    + reg.sasl().mechanism()
                                    + " login failed ("
                                    + m.command()
                                    + ")");
                }
                return;
            }
            case "433", "432", "436", "437" -> {
                if (state.compareTo(State.REGISTERED) < 0) {
                    nickAttempt++;
                    if (nickAttempt > 8) {
                        fail(ctx, "no usable nick (" + m.command() + " " + m.trailing() + ")");
                        return;
                    }
                    nick = alternative(reg.nick(), nickAttempt, nickLength());
                    LOG.info("nick taken or refused ({}), trying {}", m.command(), nick);
                    ctx.writeAndFlush(IrcMessages.nick(nick));
                    return;
                }
            }
            case "421" -> {
                if ("CAP".equalsIgnoreCase(m.param(1)) && state.compareTo(State.REGISTERING) < 0) {
                    state = State.REGISTERING; // a server without capability negotiation
                    return;
                }
            }
            case "001" -> {
                nick = m.param(0);
                state = State.REGISTERED;
            }
            case "005" -> {
                for (int i = 1; i < m.params().size() - 1; i++) {
                    String t = m.param(i);
                    int eq = t.indexOf('=');
                    isupport.put(
                            eq < 0 ? t : t.substring(0, eq), eq < 0 ? "" : t.substring(eq + 1));
                }
            }
            case "376", "422" -> {
                if (state == State.REGISTERED) {
                    state = State.READY;
                    events.ready(this);
                    return;
                }
            }
            case "NICK" -> {
                if (isOwn(m)) {
                    nick = m.param(0);
                    ownPrefix = null;
                }
            }
            case "JOIN" -> {
                if (isOwn(m) && m.fromUser()) {
                    ownPrefix = ":" + m.prefix();
                }
            }
            default -> {}
        }
        if (state.compareTo(State.REGISTERED) >= 0) {
            events.message(m);
        }
    }

    private void onCap(ChannelHandlerContext ctx, IrcMessage m) {
        String sub = m.param(1).toUpperCase(Locale.ROOT);
        switch (sub) {
            case "LS" -> {
                if (state != State.CAP_LS) {
                    return;
                }
                boolean more = m.params().size() >= 4 && m.param(2).equals("*");
                for (String cap : m.trailing().split(" ")) {
                    if (cap.isEmpty()) {
                        continue;
                    }
                    int eq = cap.indexOf('=');
                    String name = eq < 0 ? cap : cap.substring(0, eq);
                    offered.add(name);
                    if (name.equals("sasl")) {
                        saslMechs = eq < 0 ? "" : cap.substring(eq + 1);
                    }
                }
                if (more) {
                    return;
                }
                List<String> req = new ArrayList<>();
                for (String c : WANTED_CAPS) {
                    if (offered.contains(c)) {
                        req.add(c);
                    }
                }
                if (reg.sasl() != null) {
                    if (offered.contains("sasl")
                            && (saslMechs.isEmpty()
                                    || List.of(saslMechs.split(","))
                                            .contains(reg.sasl().mechanism()))) {
                        req.add("sasl");
                    } else {
                        fail(ctx, "the server does not offer SASL " + reg.sasl().mechanism());
                        return;
                    }
                }
                if (req.isEmpty()) {
                    endCap(ctx);
                } else {
                    state = State.CAP_REQ;
                    ctx.writeAndFlush(IrcMessages.capReq(req));
                }
            }
            case "ACK" -> {
                for (String cap : m.trailing().split(" ")) {
                    if (cap.startsWith("-")) {
                        enabled.remove(cap.substring(1));
                    } else if (!cap.isEmpty()) {
                        enabled.add(cap);
                    }
                }
                if (state == State.CAP_REQ) {
                    if (reg.sasl() != null && enabled.contains("sasl")) {
                        state = State.SASL;
                        ctx.writeAndFlush(IrcMessages.authenticate(reg.sasl().mechanism()));
                    } else if (reg.sasl() != null) {
                        fail(ctx, "the server refused the sasl capability");
                    } else {
                        endCap(ctx);
                    }
                }
            }
            case "NAK" -> {
                if (state == State.CAP_REQ) {
                    if (reg.sasl() != null) {
                        fail(ctx, "the server refused the capabilities " + m.trailing());
                    } else {
                        endCap(ctx);
                    }
                }
            }
            case "DEL" -> {
                for (String cap : m.trailing().split(" ")) {
                    enabled.remove(cap);
                }
            }
            default -> {}
        }
    }

    private void onAuthenticate(ChannelHandlerContext ctx, IrcMessage m) {
        if (state != State.SASL || !m.param(0).equals("+")) {
            return;
        }
        IrcSettings.Sasl sasl = reg.sasl();
        String payload;
        if (sasl.mechanism().equals("PLAIN")) {
            byte[] raw =
                    ("\0" + sasl.user() + "\0" + sasl.password()).getBytes(StandardCharsets.UTF_8);
            payload = Base64.getEncoder().encodeToString(raw);
        } else {
            payload =
                    sasl.user().isEmpty()
                            ? ""
                            : Base64.getEncoder()
                                    .encodeToString(sasl.user().getBytes(StandardCharsets.UTF_8));
        }
        for (IrcMessage chunk : IrcMessages.authenticateChunks(payload)) {
            ctx.write(chunk);
        }
        ctx.flush();
    }

    private void endCap(ChannelHandlerContext ctx) {
        if (state.compareTo(State.REGISTERING) < 0) {
            state = State.REGISTERING;
            ctx.writeAndFlush(IrcMessages.capEnd());
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent) {
            if (state != State.READY) {
                fail(ctx, "registration timed out");
            } else if (awaitingPong) {
                fail(ctx, "ping timeout");
            } else {
                awaitingPong = true;
                ctx.writeAndFlush(IrcMessages.ping("sabir-" + System.nanoTime()));
            }
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IrcCodecException bad) {
            badLines++;
            LOG.warn("skipped a bad line from the server: {}", bad.getMessage());
            if (badLines > MAX_BAD_LINES) {
                fail(ctx, "too many malformed lines");
            }
            return;
        }
        fail(ctx, cause.getClass().getSimpleName() + ": " + cause.getMessage());
    }

    private void fail(ChannelHandlerContext ctx, String reason) {
        if (!failed) {
            failed = true;
            events.failed(reason);
        }
        ctx.close();
    }

    /** The n-th alternative nick: {@code nick_}, {@code nick__}, then random digits, cut to fit. */
    static String alternative(String base, int attempt, int maxLength) {
        String suffix =
                switch (attempt) {
                    case 0 -> "";
                    case 1 -> "_";
                    case 2 -> "__";
                    default -> String.valueOf(ThreadLocalRandom.current().nextInt(100, 1000));
                };
        int keep = Math.max(1, Math.min(base.length(), maxLength - suffix.length()));
        return base.substring(0, keep) + suffix;
    }
}
