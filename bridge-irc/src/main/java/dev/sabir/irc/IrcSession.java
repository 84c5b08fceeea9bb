package dev.sabir.irc;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.ChatMessage.MessageKind;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileSpool;
import dev.sabir.api.HostContext;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.irc.codec.IrcMessage;
import dev.sabir.irc.codec.IrcMessages;
import io.netty.handler.ssl.SslContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One IRC account: a relay connection that joins the configured channels and reports what happens
 * there, and in puppet mode one extra connection per remote user who speaks in a linked channel.
 */
final class IrcSession implements Session {
    private static final Logger LOG = LoggerFactory.getLogger(IrcSession.class);
    private static final String ACTION_OVERHEAD = "\u0001ACTION \u0001";

    /** Longest AWAY text sent, in UTF-8 bytes: leaves room for RPL_AWAY's prefix in 512 bytes. */
    static final int MAX_AWAY_BYTES = 200;

    private final AccountConfig account;
    private final IrcSettings settings;
    private final HostContext host;
    private final EventSink sink;
    private final SslContext ssl;
    private final TokenBucket serverBucket;
    private final IrcConnection main;
    private final Map<String, Puppet> puppets = new ConcurrentHashMap<>();

    /** Channel (folded) to members (folded nick to nick); main connection's loop only. */
    private final Map<String, Map<String, String>> members = new LinkedHashMap<>();

    private final Map<String, List<String>> namesInProgress = new LinkedHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile SessionState.State lastState;
    private volatile boolean closed;
    private volatile boolean started;
    private ScheduledFuture<?> sweeper;
    private ScheduledFuture<?> awayPoller;

    /** Away state of the relay connection's channel members; main connection's loop only. */
    private final IrcAwayTracker away;

    /** A remote user's own IRC connection and its away status. */
    private record Puppet(String key, IrcConnection conn, PuppetAway away) {}

    IrcSession(
            AccountConfig account,
            IrcSettings settings,
            HostContext host,
            EventSink sink,
            SslContext ssl) {
        this.account = account;
        this.settings = settings;
        this.host = host;
        this.sink = sink;
        this.ssl = ssl;
        this.serverBucket =
                new TokenBucket(
                        settings.serverFlood().burst(),
                        settings.serverFlood().perSecond(),
                        System::nanoTime);
        this.main =
                new IrcConnection(
                        account.name(),
                        settings,
                        settings.nick(),
                        settings.realName(),
                        settings.sasl(),
                        host.eventLoops().next(),
                        serverBucket,
                        ssl,
                        host.metrics(),
                        new MainListener());
        this.away = new IrcAwayTracker(new AwayOutput());
        for (String ch : settings.channels()) {
            main.join(ch);
        }
    }

    @Override
    public synchronized CompletionStage<Void> connect() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
        }
        if (!started) {
            started = true;
            main.start()
                    .whenComplete(
                            (v, e) -> {
                                if (e == null) {
                                    connected.complete(null);
                                } else {
                                    connected.completeExceptionally(e);
                                }
                            });
            if (settings.puppetMode()) {
                long period =
                        Math.max(
                                200,
                                Math.min(30_000, settings.puppet().idleTimeout().toMillis() / 4));
                sweeper =
                        host.scheduler()
                                .scheduleAtFixedRate(
                                        this::sweepPuppets, period, period, TimeUnit.MILLISECONDS);
            }
            if (settings.presence()) {
                long poll = settings.presencePoll().toMillis();
                awayPoller =
                        host.scheduler()
                                .scheduleAtFixedRate(
                                        () -> main.loop().execute(this::pollAway),
                                        poll,
                                        poll,
                                        TimeUnit.MILLISECONDS);
            }
        }
        return connected;
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        if (!conversation.sameAccount(account.address())) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException(
                            conversation + " is not on account " + account.name()));
        }
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("session closed"));
        }
        String id = conversation.id();
        if (!IrcText.isChannel(id)) {
            return CompletableFuture.completedFuture(null); // a private conversation needs no join
        }
        return main.join(id);
    }

    @Override
    public CompletionStage<String> deliver(Delivery d) {
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("session closed"));
        }
        String target = d.destination().id();
        if (target.isEmpty() || target.indexOf(' ') >= 0 || target.indexOf(',') >= 0) {
            return CompletableFuture.failedFuture(
                    DeliveryException.permanent("not an IRC target: '" + target + "'"));
        }
        BridgeEvent ev = d.event();
        try {
            if (ev instanceof ChatMessage cm) {
                if (cm.isRetraction() && d.text().isEmpty()) {
                    return CompletableFuture.completedFuture(
                            null); // IRC cannot take a message back
                }
                if (settings.puppetMode() && !cm.sender().self() && !cm.isRetraction()) {
                    Puppet p = puppetFor(d, cm);
                    if (p != null) {
                        return sendText(p.conn(), target, "", cm.text(), cm.kind(), d);
                    }
                    host.metrics().increment("irc_puppet_fallbacks", 1);
                }
                return relay(d, target, cm.text(), cm.kind(), cm.sender());
            }
            if (ev instanceof PresenceUpdate pu) {
                return presence(d, pu);
            }
            if (ev instanceof FileOffer fo) {
                String text =
                        d.text().isEmpty() ? fo.sender().nick() + " sent " + fo.name() : d.text();
                if (fo.spoolId() != null) {
                    text = text + " " + host.spool().link(fo.spoolId());
                }
                return sendText(main, target, "", text, MessageKind.NORMAL, d);
            }
            if (!d.text().isEmpty()) {
                return sendText(main, target, "", d.text(), MessageKind.NOTICE, d);
            }
            return CompletableFuture.completedFuture(null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Sends through the relay connection: the router's rendered text, nick prefix kept per line.
     */
    private CompletionStage<String> relay(
            Delivery d, String target, String raw, MessageKind kind, Sender sender) {
        String rendered = d.text().isEmpty() ? raw : d.text();
        String prefix = "";
        String body = rendered;
        int at = raw.isEmpty() ? -1 : rendered.lastIndexOf(raw);
        if (at > 0 && at + raw.length() == rendered.length()) {
            prefix = rendered.substring(0, at);
            body = raw;
        }
        if (settings.zeroWidthNick() && sender != null && !prefix.isEmpty()) {
            prefix = IrcText.breakHighlight(prefix, sender.nick());
        }
        return sendText(main, target, prefix, body, kind, d);
    }

    /** Splits text into lines that fit and queues them on a connection. */
    private CompletionStage<String> sendText(
            IrcConnection conn,
            String target,
            String prefix,
            String body,
            MessageKind kind,
            Delivery d) {
        String command = kind == MessageKind.NOTICE ? "NOTICE" : "PRIVMSG";
        int room =
                510
                        - conn.relayPrefixBytes()
                        - IrcText.utf8Length(command + " " + target + " :")
                        - (kind == MessageKind.ACTION ? IrcText.utf8Length(ACTION_OVERHEAD) : 0)
                        - IrcText.utf8Length(prefix);
        if (room < 32) {
            return CompletableFuture.failedFuture(
                    DeliveryException.permanent("no room for text in an IRC line"));
        }
        List<String> pieces = new ArrayList<>();
        for (String line : IrcText.lines(body.replace("\0", ""))) {
            if (line.isEmpty()) {
                continue;
            }
            pieces.addAll(IrcText.splitBytes(line, room));
        }
        if (pieces.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        if (pieces.size() > settings.maxLines()) {
            String link = spoolAsText(d, body);
            int keep = settings.maxLines() - 1;
            int rest = pieces.size() - keep;
            List<String> cut = new ArrayList<>(pieces.subList(0, keep));
            String note =
                    link == null
                            ? "(" + rest + " more lines cut)"
                            : "(" + rest + " more lines: " + link + ")";
            cut.add(IrcText.splitBytes(note, room).get(0));
            pieces = cut;
            host.metrics().increment("irc_long_messages_linked", 1);
        }
        List<IrcMessage> lines = new ArrayList<>(pieces.size());
        for (String piece : pieces) {
            String text = prefix + piece;
            lines.add(
                    switch (kind) {
                        case ACTION -> IrcMessages.action(target, text);
                        case NOTICE -> IrcMessages.notice(target, text);
                        case NORMAL -> IrcMessages.privmsg(target, text);
                    });
        }
        return conn.send(lines).thenApply(v -> null);
    }

    /**
     * Carries a remote user's presence to their puppet as {@code AWAY}: only in puppet mode, only
     * to a puppet that already exists (presence alone does not bring a puppet onto the server), and
     * never for OFFLINE (the idle timeout takes puppets away). In relay mode presence is dropped: a
     * line per status change would drown the channel.
     */
    private CompletionStage<String> presence(Delivery d, PresenceUpdate pu) {
        if (!settings.presence()
                || !settings.puppetMode()
                || pu.who().self()
                || pu.status() == PresenceUpdate.Status.OFFLINE) {
            return CompletableFuture.completedFuture(null);
        }
        Address src = d.source();
        Puppet p = puppets.get(src.protocol() + ":" + src.account() + "/" + pu.who().id());
        if (p == null) {
            return CompletableFuture.completedFuture(null);
        }
        p.away().want(awayText(pu));
        return CompletableFuture.completedFuture(null);
    }

    /** The AWAY text for a status: empty for available, else the status text or its name. */
    static String awayText(PresenceUpdate pu) {
        if (pu.status() == PresenceUpdate.Status.AVAILABLE) {
            return "";
        }
        String text = IrcAwayTracker.clean(pu.statusText());
        if (text.isEmpty()) {
            text =
                    switch (pu.status()) {
                        case XA -> "extended away";
                        case DND -> "do not disturb";
                        default -> "away";
                    };
        }
        return IrcText.splitBytes(text, MAX_AWAY_BYTES).get(0);
    }

    /**
     * The away status of one puppet: the wanted text ("" for here) is sent when it differs from
     * what the server has, at most one AWAY line per {@code away_interval}; changes in between are
     * merged and the last one is sent when the interval ends.
     */
    private final class PuppetAway {
        private IrcConnection conn;
        private String wanted = "";
        private String sent = "";
        private long lastSent;
        private boolean everSent;
        private boolean lost;
        private boolean done;
        private ScheduledFuture<?> timer;

        synchronized void want(String text) {
            if (done) {
                return;
            }
            wanted = text;
            if (timer == null) {
                flush();
            }
        }

        private synchronized void fire() {
            timer = null;
            flush();
        }

        private void flush() {
            if (done || wanted.equals(sent)) {
                return;
            }
            long now = System.nanoTime();
            long gap = settings.awayInterval().toNanos() - (now - lastSent);
            if (everSent && gap > 0) {
                timer = host.scheduler().schedule(this::fire, gap, TimeUnit.NANOSECONDS);
                return;
            }
            sent = wanted;
            lastSent = now;
            everSent = true;
            host.metrics().increment("irc_away_sent", 1);
            conn.send(List.of(sent.isEmpty() ? IrcMessages.back() : IrcMessages.away(sent)), false);
        }

        /** The connection state changed: after a reconnect the server forgot the away status. */
        synchronized void state(SessionState.State state) {
            if (state == SessionState.State.OFFLINE) {
                lost = everSent;
            } else if (state == SessionState.State.ONLINE && lost) {
                lost = false;
                sent = "";
                if (timer == null) {
                    flush();
                }
            }
        }

        synchronized void close() {
            done = true;
            if (timer != null) {
                timer.cancel(false);
                timer = null;
            }
        }
    }

    /** Sends WHO to every joined channel when the server does not push AWAY changes. */
    private void pollAway() {
        IrcClientHandler h = main.handler();
        if (closed || h == null || !main.online() || h.hasCap("away-notify")) {
            return;
        }
        away.startRound();
        for (String ch : members.keySet()) {
            if (main.inChannel(ch)) {
                main.send(List.of(IrcMessages.who(ch)), false);
            }
        }
    }

    /** Connects the away tracker to the channels and the relay connection. */
    private final class AwayOutput implements IrcAwayTracker.Output {
        @Override
        public boolean tracked(String nick) {
            String f = IrcText.fold(nick);
            if (f.equals(IrcText.fold(main.nick())) || isPuppetNick(nick)) {
                return false;
            }
            for (Map<String, String> mem : members.values()) {
                if (mem.containsKey(f)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void changed(String nick, boolean isAway, String text) {
            String f = IrcText.fold(nick);
            for (Map.Entry<String, Map<String, String>> e : members.entrySet()) {
                String spelled = e.getValue().get(f);
                if (spelled != null) {
                    sink.accept(presenceEvent(e.getKey(), spelled, isAway, text));
                }
            }
        }

        @Override
        public void query(IrcMessage m) {
            main.send(List.of(m), false);
        }
    }

    private PresenceUpdate presenceEvent(String channel, String nick, boolean isAway, String text) {
        return new PresenceUpdate(
                account.address().withId(channel),
                new Sender(nick, nick, false),
                isAway ? PresenceUpdate.Status.AWAY : PresenceUpdate.Status.AVAILABLE,
                text);
    }

    /** Puts the full text into the host's spool as a .txt file; its link, or null on failure. */
    private String spoolAsText(Delivery d, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            String sha =
                    HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
            FileSpool.Upload up =
                    host.spool()
                            .receive(
                                    d.source(),
                                    "irc-long-" + d.id(),
                                    "message-" + d.id() + ".txt",
                                    bytes.length,
                                    sha);
            if (!up.missing().isEmpty()) {
                up.write(0, bytes, 0, bytes.length);
            }
            FileSpool.SpooledFile f = up.complete();
            return host.spool().link(f.spoolId()).toString();
        } catch (FileSpool.SpoolException | NoSuchAlgorithmException | RuntimeException e) {
            LOG.warn("{}: cannot spool a long message: {}", account.name(), e.getMessage());
            return null;
        }
    }

    /** The puppet of the message's sender, started when needed; null when over the cap. */
    private Puppet puppetFor(Delivery d, ChatMessage cm) {
        Address src = d.source();
        String key = src.protocol() + ":" + src.account() + "/" + cm.sender().id();
        String target = d.destination().id();
        Puppet p;
        synchronized (puppets) {
            p = puppets.get(key);
            if (p == null) {
                if (puppets.size() >= settings.puppet().max()) {
                    return null;
                }
                String wanted =
                        settings.puppet()
                                .nickTemplate()
                                .replace("{nick}", cm.sender().nick())
                                .replace("{network}", src.account())
                                .replace("{protocol}", src.protocol());
                String nick = IrcText.sanitiseNick(wanted, main.nickLength());
                PuppetAway pa = new PuppetAway();
                IrcConnection conn =
                        new IrcConnection(
                                account.name() + "/" + nick,
                                settings,
                                nick,
                                cm.sender().nick() + " via Sabir",
                                null,
                                host.eventLoops().next(),
                                serverBucket,
                                ssl,
                                host.metrics(),
                                new IrcConnection.Listener() {
                                    @Override
                                    public void state(
                                            IrcConnection c,
                                            SessionState.State state,
                                            String reason) {
                                        pa.state(state);
                                    }
                                });
                pa.conn = conn;
                p = new Puppet(key, conn, pa);
                puppets.put(key, p);
                LOG.info("{}: starting puppet {} for {}", account.name(), nick, key);
                host.metrics().increment("irc_puppets_started", 1);
                conn.start();
            }
        }
        if (IrcText.isChannel(target)) {
            p.conn().join(target);
        }
        return p;
    }

    private void sweepPuppets() {
        long idle = settings.puppet().idleTimeout().toNanos();
        long now = System.nanoTime();
        synchronized (puppets) {
            puppets.values()
                    .removeIf(
                            p -> {
                                if (now - p.conn().lastActivity() > idle) {
                                    LOG.info(
                                            "{}: puppet {} idle, disconnecting",
                                            account.name(),
                                            p.conn().nick());
                                    p.away().close();
                                    p.conn().close("idle");
                                    return true;
                                }
                                return false;
                            });
        }
    }

    /** The nicks of the live puppets (for tests and self detection). */
    List<String> puppetNicks() {
        List<String> out = new ArrayList<>();
        for (Puppet p : puppets.values()) {
            out.add(p.conn().nick());
        }
        return out;
    }

    private boolean isPuppetNick(String nick) {
        if (puppets.isEmpty()) {
            return false;
        }
        String f = IrcText.fold(nick);
        for (Puppet p : puppets.values()) {
            if (IrcText.fold(p.conn().nick()).equals(f)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        if (awayPoller != null) {
            awayPoller.cancel(false);
        }
        List<CompletableFuture<Void>> done = new ArrayList<>();
        synchronized (puppets) {
            for (Puppet p : puppets.values()) {
                p.away().close();
                done.add(p.conn().close("bridge closing"));
            }
            puppets.clear();
        }
        done.add(main.close("bridge closing"));
        connected.completeExceptionally(DeliveryException.permanent("session closed"));
        if (!main.loop().inEventLoop()) {
            try {
                CompletableFuture.allOf(done.toArray(CompletableFuture[]::new))
                        .get(3, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.warn("{}: sockets did not close in time: {}", account.name(), e.toString());
            }
        }
        report(SessionState.State.OFFLINE, "closed");
    }

    private void report(SessionState.State state, String reason) {
        if (state == lastState) {
            return;
        }
        lastState = state;
        sink.accept(new SessionState(account.address(), state, reason));
    }

    /** Turns what the relay connection sees into bridge events. Runs on the main loop. */
    private final class MainListener implements IrcConnection.Listener {
        @Override
        public void state(IrcConnection c, SessionState.State state, String reason) {
            if (closed) {
                return;
            }
            if (state == SessionState.State.OFFLINE) {
                members.clear();
                away.clear();
            }
            report(state, reason);
        }

        @Override
        public void message(IrcConnection c, IrcClientHandler h, IrcMessage m) {
            if (closed) {
                return;
            }
            if (settings.presence()) {
                away.handle(m);
            }
            switch (m.command()) {
                case "PRIVMSG", "NOTICE" -> chat(h, m);
                case "JOIN" -> {
                    String ch = m.param(0);
                    String nick = m.sourceNick();
                    member(ch).put(IrcText.fold(nick), nick);
                    Sender who = sender(h, nick);
                    sink.accept(RoomUpdate.joined(room(ch), who));
                    if (settings.presence() && !who.self() && away.isAway(nick)) {
                        // already away in another shared channel: tell this one too
                        sink.accept(presenceEvent(ch, nick, true, away.awayText(nick)));
                    }
                }
                case "PART" -> {
                    String ch = m.param(0);
                    member(ch).remove(IrcText.fold(m.sourceNick()));
                    forgetIfGone(m.sourceNick());
                    sink.accept(
                            RoomUpdate.left(
                                    room(ch),
                                    sender(h, m.sourceNick()),
                                    m.params().size() > 1 ? m.trailing() : ""));
                }
                case "KICK" -> {
                    String ch = m.param(0);
                    member(ch).remove(IrcText.fold(m.param(1)));
                    forgetIfGone(m.param(1));
                    sink.accept(
                            new RoomUpdate(
                                    room(ch),
                                    RoomUpdate.Change.KICKED,
                                    sender(h, m.param(1)),
                                    m.param(2),
                                    List.of()));
                }
                case "QUIT" -> {
                    String who = IrcText.fold(m.sourceNick());
                    away.forget(m.sourceNick());
                    for (Map.Entry<String, Map<String, String>> e : members.entrySet()) {
                        String nick = e.getValue().remove(who);
                        if (nick != null) {
                            sink.accept(
                                    RoomUpdate.left(
                                            room(e.getKey()), sender(h, nick), m.trailing()));
                        }
                    }
                }
                case "NICK" -> {
                    String old = IrcText.fold(m.sourceNick());
                    for (Map<String, String> mem : members.values()) {
                        if (mem.remove(old) != null) {
                            mem.put(IrcText.fold(m.param(0)), m.param(0));
                        }
                    }
                    away.rename(m.sourceNick(), m.param(0));
                }
                case "TOPIC" ->
                        sink.accept(
                                RoomUpdate.topic(
                                        room(m.param(0)), sender(h, m.sourceNick()), m.trailing()));
                case "332" -> sink.accept(RoomUpdate.topic(room(m.param(1)), null, m.trailing()));
                case "353" -> {
                    String ch = m.param(2);
                    List<String> acc =
                            namesInProgress.computeIfAbsent(
                                    IrcText.fold(ch), k -> new ArrayList<>());
                    for (String n : m.trailing().split(" ")) {
                        String nick = n.replaceFirst("^[~&@%+!]+", "");
                        if (!nick.isEmpty()) {
                            acc.add(nick);
                        }
                    }
                }
                case "366" -> {
                    String ch = m.param(1);
                    List<String> acc = namesInProgress.remove(IrcText.fold(ch));
                    if (acc != null) {
                        Map<String, String> mem = member(ch);
                        mem.clear();
                        List<Sender> list = new ArrayList<>();
                        for (String nick : acc) {
                            mem.put(IrcText.fold(nick), nick);
                            list.add(sender(h, nick));
                        }
                        sink.accept(RoomUpdate.members(room(ch), list));
                        if (settings.presence() && c.inChannel(ch)) {
                            // who is away already: the WHO reply's G flags
                            away.startRound();
                            c.send(List.of(IrcMessages.who(ch)), false);
                        }
                    }
                }
                default -> {}
            }
        }

        private void chat(IrcClientHandler h, IrcMessage m) {
            if (!m.fromUser()) {
                return; // server notices
            }
            String target = m.param(0);
            String text = m.trailing();
            MessageKind kind =
                    m.command().equals("NOTICE") ? MessageKind.NOTICE : MessageKind.NORMAL;
            if (IrcText.isCtcp(text)) {
                String cmd = IrcText.ctcpCommand(text);
                if (!cmd.equals("ACTION")) {
                    return; // other CTCP requests (VERSION, PING, ...) are not chat
                }
                text = IrcText.ctcpArgument(text);
                kind = MessageKind.ACTION;
            }
            text = IrcText.stripFormatting(text);
            String nick = m.sourceNick();
            String conv = IrcText.isChannel(target) ? target : nick;
            if (h.isOwn(m) && !IrcText.isChannel(target)) {
                conv = target; // an echo of our own private message
            }
            String id = m.tags().getOrDefault("msgid", "");
            if (id.isEmpty()) {
                id =
                        "irc-"
                                + Long.toString(System.currentTimeMillis(), 36)
                                + "-"
                                + ids.incrementAndGet();
            }
            Instant ts = host.clock().instant();
            String time = m.tags().get("time");
            if (time != null) {
                try {
                    ts = Instant.parse(time);
                } catch (DateTimeParseException ignored) {
                    // keep the local time
                }
            }
            if (text.length() > ChatMessage.MAX_TEXT) {
                text = text.substring(0, ChatMessage.MAX_TEXT);
            }
            sink.accept(
                    new ChatMessage(
                            room(conv), sender(h, nick), id, text, kind, null, null, null, ts));
        }

        private void forgetIfGone(String nick) {
            String f = IrcText.fold(nick);
            for (Map<String, String> mem : members.values()) {
                if (mem.containsKey(f)) {
                    return;
                }
            }
            away.forget(nick);
        }

        private Sender sender(IrcClientHandler h, String nick) {
            boolean self = IrcText.fold(nick).equals(IrcText.fold(h.nick())) || isPuppetNick(nick);
            return new Sender(nick, nick, self);
        }

        private Address room(String id) {
            return account.address().withId(id);
        }

        private Map<String, String> member(String ch) {
            return members.computeIfAbsent(IrcText.fold(ch), k -> new LinkedHashMap<>());
        }
    }
}
