package dev.sabir.simplex;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileSpool;
import dev.sabir.api.HostContext;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.Metrics;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.SessionState;
import dev.sabir.simplex.Model.FileIn;
import dev.sabir.simplex.Model.FileOut;
import dev.sabir.simplex.Model.Group;
import dev.sabir.simplex.Model.Intro;
import dev.sabir.simplex.Model.Member;
import dev.sabir.simplex.codec.BodyPart;
import dev.sabir.simplex.codec.ChatMsg;
import dev.sabir.simplex.codec.ChatMsgCodec;
import dev.sabir.simplex.codec.ChatMsgs;
import dev.sabir.simplex.codec.ContentPart;
import dev.sabir.simplex.codec.SyntaxException;
import dev.sabir.simplex.transport.ConnLink;
import dev.sabir.simplex.transport.TransportException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One account in SimpleX-style groups: the group protocol of the spec (invitation, acceptance,
 * announcement, introductions, connected notices), messages with updates and deletes, and files in
 * chunks, over the {@link Agent}'s encrypted queues. All state changes happen on one event loop and
 * are persisted in the host's store before the message that caused them is acknowledged.
 */
final class SimplexSession
        implements dev.sabir.api.Session,
                SimplexAdmin,
                dev.sabir.api.AccountCommands,
                Agent.Listener {
    private static final Logger log = LoggerFactory.getLogger(SimplexSession.class);
    static final String PROTOCOL = "simplex";
    static final String GROUP_PREFIX = "group:";
    static final String INVITATION_PREFIX = Invitations.PREFIX;
    static final int CHUNK = 15000;
    static final int MAX_TEXT_BYTES = 15000;
    private static final int FILE_WINDOW = 4;

    /** How long {@link #join} waits for the inviter of a group accepted but not yet connected. */
    static final long JOIN_WAIT_MS = 15_000;

    private static final Base64.Encoder B64U = Base64.getUrlEncoder().withoutPadding();

    private final HostContext host;
    private final EventSink sink;
    private final KeyValueStore store;
    private final String account;
    private final String profileName;
    private final String inviteRole;
    private final List<String> ownedGroups;
    private final SimplexSettings settings;
    private final Metrics metrics;
    private final EventLoop loop;
    private final Agent agent;
    private final ObjectMapper json =
            new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    private final ChatMsgCodec codec = new ChatMsgCodec(16 * 1024);
    private final SecureRandom random = new SecureRandom();
    private final Map<String, FileSpool.Upload> uploads = new java.util.HashMap<>();

    /** Joins waiting for a group's inviter to answer, by group id (touched on the loop only). */
    private final Map<String, List<CompletableFuture<Void>>> joinWaiters =
            new java.util.HashMap<>();

    private volatile boolean closed;
    private volatile boolean online;

    SimplexSession(SimplexSettings settings, HostContext host, EventSink sink) {
        this.settings = settings;
        this.account = settings.account();
        this.host = host;
        this.sink = sink;
        this.store = host.store();
        this.metrics = host.metrics();
        this.profileName = settings.name();
        this.ownedGroups = settings.groups();
        this.inviteRole = settings.inviteRole();
        this.loop = host.eventLoops().next();
        this.agent =
                new Agent(
                        loop, store, json, settings.listen(), settings.advertise(), this, metrics);
    }

    // ---- Session -----------------------------------------------------------------------

    @Override
    public CompletionStage<Void> connect() {
        sink.accept(
                new SessionState(
                        Address.ofAccount(PROTOCOL, account), SessionState.State.CONNECTING, ""));
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(
                () -> {
                    try {
                        for (String name : ownedGroups) {
                            if (group(name) == null && store.get("left/" + name).isEmpty()) {
                                createGroup(name);
                            }
                            Group g = group(name);
                            if (g != null) {
                                ensurePresets(g);
                            }
                        }
                        agent.start()
                                .whenComplete(
                                        (v, e) -> {
                                            if (e != null) {
                                                sink.accept(
                                                        new SessionState(
                                                                Address.ofAccount(
                                                                        PROTOCOL, account),
                                                                SessionState.State.OFFLINE,
                                                                "cannot listen: "
                                                                        + e.getMessage()));
                                                done.completeExceptionally(e);
                                                return;
                                            }
                                            online = true;
                                            for (String text : settings.join()) {
                                                try {
                                                    acceptOnLoop(text);
                                                } catch (RuntimeException ex) {
                                                    log.warn(
                                                            "simplex {} cannot accept a"
                                                                    + " configured invitation: {}",
                                                            account,
                                                            ex.getMessage());
                                                }
                                            }
                                            for (String k : store.list("grp/").keySet()) {
                                                Group g = group(k.substring(4));
                                                if (g == null) {
                                                    continue; // a group left earlier
                                                }
                                                announceMembers(g);
                                                for (Member m : members(g)) {
                                                    if (m.connId != null
                                                            && agent.conn(m.connId) != null) {
                                                        pumpFiles(agent.conn(m.connId));
                                                    }
                                                    flushIntros(g, m);
                                                }
                                            }
                                            sink.accept(
                                                    new SessionState(
                                                            Address.ofAccount(PROTOCOL, account),
                                                            SessionState.State.ONLINE,
                                                            ""));
                                            done.complete(null);
                                        });
                    } catch (RuntimeException e) {
                        done.completeExceptionally(e);
                    }
                });
        return done;
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        return onLoop(
                        () -> {
                            Group g = groupOf(conversation);
                            if (g == null) {
                                throw DeliveryException.permanent("no group " + conversation.id());
                            }
                            announceMembers(g);
                            return g;
                        })
                .thenCompose(this::awaitInviter);
    }

    /**
     * Completes when the group's inviter has answered (at once for groups already connected); fails
     * as offline after {@link #JOIN_WAIT_MS}, the connection still completing later.
     */
    private CompletionStage<Void> awaitInviter(Group g) {
        CompletableFuture<Void> f = new CompletableFuture<>();
        loop.execute(
                () -> {
                    Group cur = group(g.id);
                    if (closed) {
                        f.completeExceptionally(DeliveryException.offline("session closed"));
                        return;
                    }
                    Member inviter =
                            cur == null || cur.inviter == null ? null : member(cur, cur.inviter);
                    if (inviter == null
                            || inviter.status.connected()
                            || inviter.status == MemberStatus.LEFT) {
                        f.complete(null);
                        return;
                    }
                    joinWaiters.computeIfAbsent(g.id, k -> new ArrayList<>()).add(f);
                    ScheduledFuture<?> timer =
                            loop.schedule(
                                    () -> {
                                        List<CompletableFuture<Void>> l = joinWaiters.get(g.id);
                                        if (l != null && l.remove(f) && l.isEmpty()) {
                                            joinWaiters.remove(g.id);
                                        }
                                        f.completeExceptionally(
                                                DeliveryException.offline(
                                                        "group "
                                                                + g.id
                                                                + ": the inviter has not answered"
                                                                + " yet; the group connects when"
                                                                + " it does"));
                                    },
                                    JOIN_WAIT_MS,
                                    TimeUnit.MILLISECONDS);
                    f.whenComplete((v, e) -> timer.cancel(false));
                });
        return f;
    }

    /** Completes the joins waiting for this group (on the loop). */
    private void releaseJoinWaiters(Group g) {
        List<CompletableFuture<Void>> l = joinWaiters.remove(g.id);
        if (l != null) {
            l.forEach(w -> w.complete(null));
        }
    }

    @Override
    public CompletionStage<String> deliver(Delivery delivery) {
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("session closed"));
        }
        return onLoop(() -> deliverOnLoop(delivery));
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        online = false;
        CompletableFuture<Void> done = new CompletableFuture<>();
        loop.execute(
                () -> {
                    uploads.clear();
                    List<CompletableFuture<Void>> waiting = new ArrayList<>();
                    joinWaiters.values().forEach(waiting::addAll);
                    joinWaiters.clear();
                    waiting.forEach(
                            w ->
                                    w.completeExceptionally(
                                            DeliveryException.offline("session closed")));
                    agent.close().whenComplete((v, e) -> done.complete(null));
                });
        try {
            done.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            log.warn("simplex session {} did not close cleanly: {}", account, e.toString());
        }
        sink.accept(
                new SessionState(
                        Address.ofAccount(PROTOCOL, account),
                        SessionState.State.OFFLINE,
                        "closed"));
    }

    // ---- SimplexAdmin ------------------------------------------------------------------

    @Override
    public java.util.List<String> commandNames() {
        return java.util.List.of("invite", "join");
    }

    /** {@code invite GROUP} prints an invitation; {@code join TEXT} accepts one. */
    @Override
    public String runCommand(String command, java.util.List<String> args) {
        if (args.size() != 1) {
            throw new IllegalArgumentException(command + " takes exactly one argument");
        }
        switch (command) {
            case "invite":
                return createInvitation(args.get(0));
            case "join":
                acceptInvitation(args.get(0));
                return "joined";
            default:
                throw new IllegalArgumentException("unknown command " + command);
        }
    }

    @Override
    public String createInvitation(String groupName) {
        return await(
                onLoop(
                        () -> {
                            Group g = group(stripPrefix(groupName));
                            if (g == null) {
                                throw new IllegalArgumentException("no group " + groupName);
                            }
                            if (!canInvite(g.myRole)) {
                                throw new IllegalArgumentException(
                                        "role " + g.myRole + " may not invite");
                            }
                            Member m = new Member();
                            m.memberId = newMemberId();
                            m.role = inviteRole;
                            m.name = m.memberId;
                            m.category = "invitee";
                            m.status = MemberStatus.INVITED;
                            Conn c = agent.create(g.id, m.memberId);
                            m.connId = c.id;
                            save(g, m);
                            log.info(
                                    "simplex {} invited member {} to {}",
                                    account,
                                    m.memberId,
                                    g.id);
                            return invitationText(g, m, c);
                        }));
    }

    @Override
    public String presetInvitation(String groupName, int number) {
        return await(
                onLoop(
                        () -> {
                            Group g = group(stripPrefix(groupName));
                            if (g == null || !ownedGroups.contains(g.id)) {
                                throw new IllegalArgumentException("no owned group " + groupName);
                            }
                            String secret = settings.inviteSecret();
                            if (secret == null || number < 1 || number > settings.presetInvites()) {
                                throw new IllegalArgumentException(
                                        "no preset invitation " + number + " (see inviteSecret)");
                            }
                            Member m = member(g, Presets.memberId(secret, g.id, number));
                            Conn c = m == null ? null : agent.conn(m.connId);
                            if (m == null || m.status != MemberStatus.INVITED || c == null) {
                                throw new IllegalArgumentException(
                                        "preset invitation " + number + " was used already");
                            }
                            return invitationText(g, m, c);
                        }));
    }

    private String invitationText(Group g, Member invitee, Conn c) {
        return Invitations.text(
                codec,
                json,
                g.name,
                profileName,
                g.myMemberId,
                g.myRole,
                invitee.memberId,
                invitee.role,
                agent.link(c));
    }

    /**
     * Makes sure an owned group has its preset invitations (with {@code inviteSecret}): a member
     * record waiting as invited and the connection with derived queue and keys. An invitation
     * already used (the member accepted, or left since) is not made again.
     */
    private void ensurePresets(Group g) {
        String secret = settings.inviteSecret();
        if (secret == null) {
            return;
        }
        for (int n = 1; n <= settings.presetInvites(); n++) {
            String id = Presets.memberId(secret, g.id, n);
            if (member(g, id) != null) {
                continue;
            }
            Member m = new Member();
            m.memberId = id;
            m.role = inviteRole;
            m.name = id;
            m.category = "invitee";
            m.status = MemberStatus.INVITED;
            Conn c =
                    agent.createPreset(
                            g.id,
                            id,
                            Presets.connId(secret, g.id, n),
                            Presets.queueId(secret, g.id, n),
                            Presets.keyPair(secret, g.id, n));
            m.connId = c.id;
            save(g, m);
            log.info("simplex {} group {}: preset invitation {} ready", account, g.id, n);
        }
    }

    @Override
    public void acceptInvitation(String text) {
        await(
                onLoop(
                        () -> {
                            acceptOnLoop(text);
                            return null;
                        }));
    }

    /** Accepts an invitation unless it was accepted before (also when the group was left since). */
    private void acceptOnLoop(String text) {
        ChatMsg inv = Invitations.parse(codec, text);
        ConnLink link;
        try {
            link = ConnLink.parse(inv.param(4));
        } catch (TransportException e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        String groupName = profileName(inv.body(0));
        for (String v : store.list("grp/").values()) {
            Group other = read(v, Group.class);
            if (inv.param(2).equals(other.myMemberId)) {
                log.info("simplex {} already accepted the invitation to {}", account, other.id);
                return;
            }
        }
        Group g = new Group();
        g.id = uniqueGroupId(groupName);
        g.name = groupName;
        g.myMemberId = inv.param(2);
        g.myRole = inv.param(3);
        g.myStatus = MemberStatus.ACCEPTED;
        g.inviter = inv.param(0);
        Member inviter = new Member();
        inviter.memberId = inv.param(0);
        inviter.role = inv.param(1);
        inviter.name = profileName(inv.body(1), inviter.memberId);
        inviter.category = "inviter";
        inviter.status = MemberStatus.INVITED_ME;
        Conn c =
                agent.join(
                        link,
                        codec.encode(ChatMsgs.groupAccept(g.myMemberId, profile(profileName))),
                        g.id,
                        inviter.memberId);
        inviter.connId = c.id;
        save(g);
        save(g, inviter);
        log.info("simplex {} accepted invitation to group {}", account, g.id);
    }

    // ---- Agent.Listener ----------------------------------------------------------------

    @Override
    public void onConfirmation(Conn conn, byte[] raw) throws Exception {
        Group g = group(conn.group);
        Member m = g == null ? null : member(g, conn.member);
        if (m == null) {
            throw new TransportException(
                    TransportException.Reason.BAD_QUEUE, "confirmation for unknown member");
        }
        ChatMsg msg = codec.decode(raw);
        if ("x.grp.acpt".equals(msg.event())
                && m.memberId.equals(msg.param(0))
                && "invitee".equals(m.category)) {
            m.name = profileName(msg.body(0), m.memberId);
            m.status = MemberStatus.ACCEPTED;
            save(g, m);
            m.status = MemberStatus.CONNECTED;
            save(g, m);
            log.info(
                    "simplex {} member {} ({}) accepted group {}",
                    account,
                    m.memberId,
                    m.name,
                    g.id);
            announce(g, m);
        } else if ("x.grp.mem.info".equals(msg.event()) && m.memberId.equals(msg.param(0))) {
            m.name = profileName(msg.body(0), m.memberId);
            agent.send(
                    conn, codec.encode(ChatMsgs.probe(m.probe == null ? newMemberId() : m.probe)));
            linked(g, m, conn);
        } else {
            throw new TransportException(
                    TransportException.Reason.BAD_QUEUE, "unexpected confirmation " + msg.event());
        }
    }

    @Override
    public void onHello(Conn conn) {
        Group g = group(conn.group);
        Member m = g == null ? null : member(g, conn.member);
        if (m == null || m.status == MemberStatus.LEFT) {
            return;
        }
        if (!m.memberId.equals(g.inviter)) {
            linked(g, m, conn);
            return;
        }
        m.status = MemberStatus.CONNECTED;
        save(g, m);
        g.myStatus = MemberStatus.CONNECTED;
        save(g);
        releaseJoinWaiters(g);
        joined(g, m);
    }

    /**
     * A connection with a member (other than my inviter) works both ways. The first one makes the
     * member connected: the members who introduced us or forwarded the invitation hear of it, the
     * room sees the member, and introductions waiting for this member go out. A later one is the
     * spare of a double introduction: it stays open (the member may send over it, and messages are
     * de-duplicated by id) but changes nothing.
     */
    private void linked(Group g, Member m, Conn conn) {
        if (m.status.connected()) {
            save(g, m);
            log.info(
                    "simplex {} group {}: second connection {} with member {} (double"
                            + " introduction); {} stays in use",
                    account,
                    g.id,
                    conn.id,
                    m.memberId,
                    m.connId);
            return;
        }
        m.status = MemberStatus.CONNECTED;
        m.connId = conn.id;
        save(g, m);
        TreeSet<String> introducers = new TreeSet<>();
        if (m.introducedBy != null) {
            introducers.add(m.introducedBy);
        }
        if (m.forwardedBy != null) {
            introducers.add(m.forwardedBy);
        }
        for (String id : introducers) {
            Member via = member(g, id);
            if (via != null && via.connId != null && agent.conn(via.connId) != null) {
                agent.send(
                        agent.conn(via.connId), codec.encode(ChatMsgs.memberConnected(m.memberId)));
            }
        }
        joined(g, m);
        flushIntros(g, m);
    }

    @Override
    public void onMessage(Conn conn, byte[] raw) throws Exception {
        Group g = group(conn.group);
        Member from = g == null ? null : member(g, conn.member);
        if (from == null) {
            return;
        }
        ChatMsg msg;
        try {
            msg = codec.decode(raw);
        } catch (SyntaxException e) {
            log.warn(
                    "simplex {} dropped malformed message from {}: {}",
                    account,
                    from.memberId,
                    e.getMessage());
            return;
        }
        if (msg.chatMsgId() != null) {
            String seen = "seen/" + g.id + "/" + from.memberId + "/" + msg.chatMsgId();
            if (store.get(seen).isPresent()) {
                log.debug(
                        "simplex {} duplicate {} from {}", account, msg.chatMsgId(), from.memberId);
                return;
            }
            handle(g, from, conn, msg);
            store.put(seen, "1");
        } else {
            handle(g, from, conn, msg);
        }
    }

    @Override
    public void onAcked(Conn conn) {
        pumpFiles(conn);
    }

    // ---- group protocol ----------------------------------------------------------------

    private void handle(Group g, Member from, Conn conn, ChatMsg msg) throws Exception {
        switch (msg.event()) {
            case "x.grp.mem.new" -> onMemberNew(g, from, msg);
            case "x.grp.mem.intro" -> onIntro(g, from, msg);
            case "x.grp.mem.inv" -> onMemberInvitation(g, from, msg);
            case "x.grp.mem.fwd" -> onForward(g, from, msg);
            case "x.grp.mem.con" -> onMemberConnected(g, from, msg);
            case "x.grp.mem.con.all" -> onConnectedAll(g, msg);
            case "x.info.probe" -> {
                from.probe = msg.param(0);
                save(g, from);
            }
            case "x.grp.leave" -> onLeave(g, from, conn);
            case "x.msg.new" -> onNew(g, from, msg);
            case "x.msg.update" -> onUpdate(g, from, msg);
            case "x.msg.delete" -> onDelete(g, from, msg);
            case "x.msg.file" -> onChunk(g, from, msg);
            default ->
                    log.info("simplex {} ignored {} from {}", account, msg.event(), from.memberId);
        }
    }

    /** As inviter: tell the group about the new member, then introduce the others to it. */
    private void announce(Group g, Member invitee) {
        TreeSet<String> connected = new TreeSet<>();
        for (Member o : members(g)) {
            if (o.status.connected() && !o.memberId.equals(invitee.memberId)) {
                connected.add(o.memberId);
            }
        }
        long n = g.nextMsgId++;
        save(g);
        ChatMsg news =
                ChatMsgs.memberNew(
                        n,
                        invitee.memberId,
                        invitee.role,
                        List.copyOf(connected),
                        profile(invitee.name));
        sendToGroup(g, news, invitee.memberId);
        invitee.status = MemberStatus.ANNOUNCED;
        save(g, invitee);
        Conn c = agent.conn(invitee.connId);
        for (String id : connected) {
            Member o = member(g, id);
            store.put(introKey(g, invitee.memberId, id), write(new Intro()));
            agent.send(c, codec.encode(ChatMsgs.memberIntro(o.memberId, o.role, profile(o.name))));
        }
        joined(g, invitee);
        maybeConnectedAll(g, invitee);
    }

    private void onMemberNew(Group g, Member from, ChatMsg msg) {
        String id = msg.param(0);
        if (id == null || msg.param(1) == null) {
            return;
        }
        if (id.equals(g.myMemberId)) {
            g.myStatus = MemberStatus.ANNOUNCED;
            save(g);
            return;
        }
        Member m = member(g, id);
        if (m != null) {
            log.warn(
                    "simplex {} group {}: member id {} announced by {} is known already",
                    account,
                    g.id,
                    id,
                    from.memberId);
            if (m.status == MemberStatus.LEFT) {
                return;
            }
        } else {
            m = described(new Member(), id, msg, "announced", MemberStatus.ANNOUNCED_TO_ME, from);
            save(g, m);
        }
        planIntros(g, from, m, msg.params().subList(2, msg.params().size()));
    }

    /**
     * The spec's rule for members who join at the same moment: the announcement lists the members
     * its sender is connected to. Every connected member I invited that is not in that list may not
     * know the new member, so I introduce it myself once I am connected to the new member (possibly
     * a double introduction; the spare connection is harmless). The plan is stored, so a restart
     * before that connection keeps it.
     */
    private void planIntros(Group g, Member announcer, Member x, List<String> listed) {
        java.util.Set<String> known = new java.util.HashSet<>(listed);
        for (Member m : members(g)) {
            if (!"invitee".equals(m.category)
                    || !m.status.connected()
                    || known.contains(m.memberId)
                    || m.memberId.equals(x.memberId)
                    || m.memberId.equals(announcer.memberId)
                    || store.get(introKey(g, x.memberId, m.memberId)).isPresent()
                    || store.get(introKey(g, m.memberId, x.memberId)).isPresent()) {
                continue;
            }
            store.put(pendingIntroKey(g, x.memberId, m.memberId), "1");
            log.info(
                    "simplex {} group {}: {} announced {} without my member {}; I introduce them",
                    account,
                    g.id,
                    announcer.memberId,
                    x.memberId,
                    m.memberId);
        }
        flushIntros(g, x);
    }

    /** Sends the planned introductions to member {@code x} once I am connected to it. */
    private void flushIntros(Group g, Member x) {
        String prefix = "dintro/" + g.id + "/" + x.memberId + "/";
        Map<String, String> planned = store.list(prefix);
        if (planned.isEmpty() || !x.status.connected() || x.connId == null) {
            return;
        }
        Conn c = agent.conn(x.connId);
        if (c == null) {
            return;
        }
        for (String k : new java.util.TreeMap<>(planned).keySet()) {
            String id = k.substring(prefix.length());
            Member m = member(g, id);
            store.remove(k);
            if (m == null || !m.status.connected()) {
                continue; // left or gone meanwhile
            }
            store.put(introKey(g, x.memberId, id), write(new Intro()));
            agent.send(c, codec.encode(ChatMsgs.memberIntro(m.memberId, m.role, profile(m.name))));
            log.info(
                    "simplex {} group {}: introduced my member {} to {}",
                    account,
                    g.id,
                    id,
                    x.memberId);
        }
    }

    /**
     * An introduction: normally from the member who invited me; from another connected member it is
     * the double introduction of members who joined at the same moment. It is accepted unless the
     * introduced member is connected or connecting already (known only from an announcement is
     * fine).
     */
    /** Fills a member record from an announcement or introduction (role, then profile body). */
    private Member described(
            Member m, String id, ChatMsg msg, String category, MemberStatus status, Member from) {
        m.memberId = id;
        m.role = msg.param(1);
        m.name = profileName(msg.body(0), id);
        m.category = category;
        m.status = status;
        m.introducedBy = from.memberId;
        return m;
    }

    private void onIntro(Group g, Member from, ChatMsg msg) {
        String id = msg.param(0);
        Member known = id == null ? null : member(g, id);
        String refusal = null;
        if (!from.memberId.equals(g.inviter) && !from.status.connected()) {
            refusal = "the introducer neither invited me nor is connected";
        } else if (id == null || id.equals(g.myMemberId) || msg.param(1) == null) {
            refusal = "bad member id";
        } else if (known != null
                && (known.status != MemberStatus.ANNOUNCED_TO_ME || known.connId != null)) {
            refusal = "member known already as " + known.status;
        }
        if (refusal != null) {
            log.warn(
                    "simplex {} group {}: introduction of {} from {} ignored: {}",
                    account,
                    g.id,
                    id,
                    from.memberId,
                    refusal);
            return;
        }
        Member m =
                described(
                        known == null ? new Member() : known,
                        id,
                        msg,
                        "introduced",
                        MemberStatus.INTRODUCED,
                        from);
        m.probe = newMemberId() + newMemberId();
        Conn c = agent.create(g.id, id);
        m.connId = c.id;
        save(g, m);
        agent.send(
                agent.conn(from.connId),
                codec.encode(ChatMsgs.memberInvitation(id, agent.link(c).toText(), m.probe)));
        m.status = MemberStatus.INTRO_INVITED;
        save(g, m);
    }

    private void onMemberInvitation(Group g, Member from, ChatMsg msg) {
        String id = msg.param(0);
        String key = introKey(g, from.memberId, id == null ? "-" : id);
        Member target = id == null ? null : member(g, id);
        if (store.get(key).isEmpty()
                || target == null
                || target.connId == null
                || msg.params().size() < 4) {
            log.warn(
                    "simplex {} group {}: invitation for {} from {} without introduction",
                    account,
                    g.id,
                    id,
                    from.memberId);
            return;
        }
        agent.send(
                agent.conn(target.connId),
                codec.encode(
                        ChatMsgs.memberForward(
                                from.memberId,
                                msg.param(1),
                                msg.param(2),
                                msg.param(3),
                                profile(from.name))));
    }

    private void onForward(Group g, Member from, ChatMsg msg) throws TransportException {
        String id = msg.param(0);
        Member m = id == null ? null : member(g, id);
        if (!canInvite(from.role)) {
            log.warn(
                    "simplex {} group {}: {} may not forward invitations",
                    account,
                    g.id,
                    from.memberId);
            return;
        }
        if (!from.status.connected() || id == null || id.equals(g.myMemberId)) {
            log.warn(
                    "simplex {} group {}: forwarded invitation for {} from {} ignored",
                    account,
                    g.id,
                    id,
                    from.memberId);
            return;
        }
        if (m != null
                && (m.status.connected()
                        || m.status == MemberStatus.RECEIVED_INVITATION
                        || m.status == MemberStatus.LEFT)) {
            log.info(
                    "simplex {} group {}: spare invitation for member {} from {} ignored ({})",
                    account,
                    g.id,
                    id,
                    from.memberId,
                    m.status);
            return;
        }
        ConnLink link = ConnLink.parse(msg.param(1));
        if (m == null) {
            // a member announced to others only: the forwarding member vouches for it
            m = new Member();
            m.memberId = id;
            m.role = "member";
            m.name = id;
            m.category = "forwarded";
        }
        if (m.name == null || m.name.equals(m.memberId)) {
            m.name = profileName(msg.body(0), m.memberId);
        }
        // with my own invitation for this member still unanswered (another introduction of the
        // same pair), joining theirs as well is what makes sure one of the two completes
        m.forwardedBy = from.memberId;
        m.probe = msg.param(3);
        m.status = MemberStatus.RECEIVED_INVITATION;
        Conn c =
                agent.join(
                        link,
                        codec.encode(
                                ChatMsgs.memberInfo(g.myMemberId, g.myRole, profile(profileName))),
                        g.id,
                        id);
        m.connId = c.id;
        save(g, m);
    }

    private void onMemberConnected(Group g, Member from, ChatMsg msg) {
        String id = msg.param(0);
        if (id == null) {
            return;
        }
        String asInvitee = introKey(g, from.memberId, id);
        String asMember = introKey(g, id, from.memberId);
        Member invitee;
        if (store.get(asInvitee).isPresent()) {
            Intro i = read(store.get(asInvitee).get(), Intro.class);
            i.fromInvitee = true;
            store.put(asInvitee, write(i));
            invitee = from;
        } else if (store.get(asMember).isPresent()) {
            Intro i = read(store.get(asMember).get(), Intro.class);
            i.fromMember = true;
            store.put(asMember, write(i));
            invitee = member(g, id);
        } else {
            return;
        }
        if (invitee != null) {
            maybeConnectedAll(g, invitee);
        }
    }

    private void maybeConnectedAll(Group g, Member invitee) {
        if (invitee.status != MemberStatus.ANNOUNCED) {
            return;
        }
        for (String v : store.list("intro/" + g.id + "/" + invitee.memberId + "/").values()) {
            Intro i = read(v, Intro.class);
            if (!i.fromInvitee || !i.fromMember) {
                return;
            }
        }
        long n = g.nextMsgId++;
        save(g);
        invitee.status = MemberStatus.COMPLETE;
        save(g, invitee);
        sendToGroup(g, ChatMsgs.memberConnectedAll(n, invitee.memberId), null);
        log.info(
                "simplex {} group {}: member {} connected to all", account, g.id, invitee.memberId);
    }

    private void onConnectedAll(Group g, ChatMsg msg) {
        String id = msg.param(0);
        if (g.myMemberId.equals(id)) {
            g.myStatus = MemberStatus.COMPLETE;
            save(g);
        } else {
            Member m = id == null ? null : member(g, id);
            if (m != null && m.status.connected()) {
                m.status = MemberStatus.COMPLETE;
                save(g, m);
            }
        }
    }

    private void onLeave(Group g, Member from, Conn conn) {
        from.status = MemberStatus.LEFT;
        from.connId = null;
        save(g, from);
        loop.execute(() -> agent.delete(conn));
        sink.accept(RoomUpdate.left(address(g), sender(from), "left the group"));
        announceMembers(g);
    }

    // ---- messages ----------------------------------------------------------------------

    private void onNew(Group g, Member from, ChatMsg msg) throws Exception {
        String kind = msg.param(0);
        if ("c.file".equals(kind)) {
            onFileOffer(g, from, msg);
            return;
        }
        BodyPart text = firstText(msg);
        if (text == null) {
            log.info("simplex {} ignored {} message from {}", account, kind, from.memberId);
            return;
        }
        metrics.increment("simplex_messages_received", 1);
        sink.accept(
                new ChatMessage(
                        address(g),
                        sender(from),
                        from.memberId + ":" + msg.chatMsgId(),
                        text.asText(),
                        ChatMessage.MessageKind.NORMAL,
                        null,
                        null,
                        null,
                        Instant.now()));
    }

    private void onUpdate(Group g, Member from, ChatMsg msg) {
        BodyPart text = firstText(msg);
        if (text == null || msg.param(0) == null) {
            return;
        }
        metrics.increment("simplex_messages_received", 1);
        sink.accept(
                new ChatMessage(
                        address(g),
                        sender(from),
                        from.memberId + ":" + msg.chatMsgId(),
                        text.asText(),
                        ChatMessage.MessageKind.NORMAL,
                        null,
                        from.memberId + ":" + msg.param(0),
                        null,
                        Instant.now()));
    }

    private void onDelete(Group g, Member from, ChatMsg msg) {
        if (msg.param(0) == null) {
            return;
        }
        metrics.increment("simplex_messages_received", 1);
        sink.accept(
                new ChatMessage(
                        address(g),
                        sender(from),
                        from.memberId + ":" + msg.chatMsgId(),
                        "",
                        ChatMessage.MessageKind.NORMAL,
                        null,
                        null,
                        from.memberId + ":" + msg.param(0),
                        Instant.now()));
    }

    private static BodyPart firstText(ChatMsg msg) {
        for (int i = 0; i < msg.bodies().size(); i++) {
            if ("x.text".equals(msg.parts().get(i).fullType())) {
                return msg.body(i);
            }
        }
        return null;
    }

    private String deliverOnLoop(Delivery d) throws Exception {
        Group g = groupOf(d.destination());
        if (g == null) {
            throw DeliveryException.permanent("no group " + d.destination().id());
        }
        BridgeEvent e = d.event();
        if (e instanceof ChatMessage m) {
            String text = d.text().isEmpty() ? m.text() : d.text();
            long n = g.nextMsgId++;
            save(g);
            ChatMsg out;
            if (m.isRetraction()) {
                out = ChatMsgs.delete(n, ownRef(g, m.retractOf()));
            } else {
                if (text.getBytes(StandardCharsets.UTF_8).length > MAX_TEXT_BYTES) {
                    throw DeliveryException.permanent("message over " + MAX_TEXT_BYTES + " bytes");
                }
                out =
                        m.isEdit()
                                ? ChatMsgs.update(n, ownRef(g, m.editOf()), text)
                                : ChatMsgs.text(n, text);
            }
            sendToGroup(g, out, null);
            metrics.increment("simplex_messages_sent", 1);
            return g.myMemberId + ":" + n;
        }
        if (e instanceof FileOffer f) {
            return offerFile(g, f);
        }
        if (e instanceof RoomUpdate
                && ((RoomUpdate) e).change() == RoomUpdate.Change.LEFT
                && ((RoomUpdate) e).member() != null
                && ((RoomUpdate) e).member().self()) {
            leave(g);
            return null;
        }
        return null;
    }

    private static long ownRef(Group g, String ref) {
        if (ref == null || !ref.startsWith(g.myMemberId + ":")) {
            throw DeliveryException.permanent("can only edit or delete own messages");
        }
        try {
            return Long.parseLong(ref.substring(g.myMemberId.length() + 1));
        } catch (NumberFormatException ex) {
            throw DeliveryException.permanent("bad message reference " + ref);
        }
    }

    /** Leaves a group: tells every member, then forgets the group. */
    CompletionStage<Void> leave(String groupName) {
        return onLoop(
                () -> {
                    Group g = group(stripPrefix(groupName));
                    if (g == null) {
                        throw new IllegalArgumentException("no group " + groupName);
                    }
                    leave(g);
                    return null;
                });
    }

    private void leave(Group g) {
        long n = g.nextMsgId++;
        save(g);
        sendToGroup(g, ChatMsgs.leave(n), null);
        store.put("left/" + g.id, "1");
        log.info("simplex {} left group {}", account, g.id);
    }

    private void sendToGroup(Group g, ChatMsg msg, String alsoTo) {
        byte[] raw = codec.encode(msg);
        for (Member m : members(g)) {
            boolean target = m.status.connected() || m.memberId.equals(alsoTo);
            if (target && m.connId != null && agent.conn(m.connId) != null) {
                agent.send(agent.conn(m.connId), raw);
            }
        }
    }

    // ---- files -------------------------------------------------------------------------

    private String offerFile(Group g, FileOffer f) {
        if (f.spoolId() == null) {
            throw DeliveryException.permanent("file offer without spooled bytes");
        }
        FileSpool.SpooledFile file =
                host.spool()
                        .find(f.spoolId())
                        .orElseThrow(() -> DeliveryException.permanent("spooled file gone"));
        long n = g.nextMsgId++;
        save(g);
        String hash = Base64.getEncoder().encodeToString(HexFormat.of().parseHex(file.sha256()));
        byte[] raw = codec.encode(ChatMsgs.fileOffer(n, file.name(), file.size(), hash));
        for (Member m : members(g)) {
            if (m.status.connected() && m.connId != null && agent.conn(m.connId) != null) {
                agent.send(agent.conn(m.connId), raw);
                FileOut o = new FileOut();
                o.spoolId = file.spoolId();
                o.size = file.size();
                store.put(foutKey(g.id, m.memberId, n), write(o));
                pumpFiles(agent.conn(m.connId));
            }
        }
        return g.myMemberId + ":" + n;
    }

    /**
     * Queues the next chunks of files going to this connection's member while the outbox has room.
     */
    private void pumpFiles(Conn conn) {
        if (conn == null || conn.group == null || !conn.canSend()) {
            return;
        }
        String prefix = "fout/" + conn.group + "/" + conn.member + "/";
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(store.list(prefix)).entrySet()) {
            FileOut o = read(e.getValue(), FileOut.class);
            long ref = Long.parseLong(e.getKey().substring(prefix.length()));
            FileSpool.SpooledFile file = host.spool().find(o.spoolId).orElse(null);
            if (file == null) {
                store.remove(e.getKey());
                continue;
            }
            long chunks = Math.max(1, (o.size + CHUNK - 1) / CHUNK);
            while (o.nextChunk <= chunks && agent.pending(conn) < FILE_WINDOW) {
                long offset = (o.nextChunk - 1) * CHUNK;
                int len = (int) Math.min(CHUNK, o.size - offset);
                byte[] data;
                try (InputStream in = file.open(offset)) {
                    data = in.readNBytes(len);
                } catch (java.io.IOException ex) {
                    log.warn(
                            "simplex {} cannot read spooled file {}: {}",
                            account,
                            o.spoolId,
                            ex.toString());
                    return;
                }
                agent.send(conn, codec.encode(ChatMsgs.fileChunk(ref, o.nextChunk, data)));
                o.nextChunk++;
                store.put(e.getKey(), write(o));
            }
            if (o.nextChunk > chunks) {
                store.remove(e.getKey());
                log.info("simplex {} sent file {} to {}", account, o.spoolId, conn.member);
            } else {
                return;
            }
        }
    }

    private void onFileOffer(Group g, Member from, ChatMsg msg) throws Exception {
        ContentPart declared;
        try {
            declared = ChatMsgCodec.parseContentPart(String.valueOf(msg.param(1)));
        } catch (SyntaxException e) {
            log.warn("simplex {} bad file offer from {}", account, from.memberId);
            return;
        }
        FileIn in = new FileIn();
        in.name = firstText(msg) == null ? "file" : firstText(msg).asText();
        in.size = declared.size();
        in.sha256 =
                declared.hash() == null
                        ? null
                        : HexFormat.of().formatHex(Base64.getDecoder().decode(declared.hash()));
        String key = finKey(g.id, from.memberId, msg.msgNumber());
        store.put(key, write(in));
        FileSpool.Upload up = upload(g, from, msg.msgNumber(), in);
        if (up != null && up.missing().isEmpty()) {
            finishFile(g, from, msg.msgNumber(), in, up);
        }
    }

    private void onChunk(Group g, Member from, ChatMsg msg) throws Exception {
        String part = msg.param(1);
        long ref;
        long chunk;
        try {
            ref = Long.parseLong(msg.param(0));
            chunk = Long.parseLong(part.substring(part.indexOf('.') + 1));
        } catch (RuntimeException e) {
            log.warn("simplex {} bad file chunk from {}", account, from.memberId);
            return;
        }
        String key = finKey(g.id, from.memberId, ref);
        FileIn in = store.get(key).map(v -> read(v, FileIn.class)).orElse(null);
        BodyPart body = msg.body(0);
        if (in == null || body == null || chunk < 1) {
            return;
        }
        FileSpool.Upload up = upload(g, from, ref, in);
        if (up == null) {
            return;
        }
        up.write((chunk - 1) * CHUNK, body.data(), 0, body.length());
        if (up.missing().isEmpty()) {
            finishFile(g, from, ref, in, up);
        }
    }

    private FileSpool.Upload upload(Group g, Member from, long ref, FileIn in) {
        String key = finKey(g.id, from.memberId, ref);
        FileSpool.Upload up = uploads.get(key);
        if (up == null) {
            try {
                up =
                        host.spool()
                                .receive(
                                        address(g),
                                        from.memberId + ":" + ref,
                                        in.name,
                                        in.size,
                                        in.sha256);
            } catch (FileSpool.SpoolException e) {
                log.warn(
                        "simplex {} refused file {} from {}: {}",
                        account,
                        in.name,
                        from.memberId,
                        e.getMessage());
                store.remove(key);
                return null;
            }
            uploads.put(key, up);
        }
        return up;
    }

    private void finishFile(Group g, Member from, long ref, FileIn in, FileSpool.Upload up) {
        String key = finKey(g.id, from.memberId, ref);
        uploads.remove(key);
        store.remove(key);
        try {
            FileSpool.SpooledFile f = up.complete();
            sink.accept(
                    new FileOffer(
                            address(g),
                            sender(from),
                            from.memberId + ":" + ref,
                            f.name(),
                            f.size(),
                            f.sha256(),
                            f.mediaType(),
                            f.spoolId()));
            log.info(
                    "simplex {} received file {} ({} bytes) from {}",
                    account,
                    f.name(),
                    f.size(),
                    from.memberId);
        } catch (FileSpool.SpoolException e) {
            log.warn(
                    "simplex {} file {} from {} failed: {}",
                    account,
                    in.name,
                    from.memberId,
                    e.getMessage());
        }
    }

    // ---- state helpers -----------------------------------------------------------------

    private void createGroup(String name) {
        Group g = new Group();
        g.id = name;
        g.name = name;
        g.myMemberId =
                settings.inviteSecret() == null
                        ? newMemberId()
                        : Presets.ownerMemberId(settings.inviteSecret(), name);
        g.myRole = "owner";
        g.myStatus = MemberStatus.COMPLETE;
        save(g);
        log.info("simplex {} created group {}", account, name);
    }

    private void joined(Group g, Member m) {
        sink.accept(RoomUpdate.joined(address(g), sender(m)));
        announceMembers(g);
    }

    private void announceMembers(Group g) {
        List<Sender> list = new ArrayList<>();
        list.add(new Sender(g.myMemberId, profileName, true));
        for (Member m : members(g)) {
            if (m.status.connected()) {
                list.add(sender(m));
            }
        }
        sink.accept(RoomUpdate.members(address(g), list));
    }

    private Sender sender(Member m) {
        return Sender.of(m.memberId, m.name == null ? m.memberId : m.name);
    }

    Address address(Group g) {
        return new Address(PROTOCOL, account, GROUP_PREFIX + g.id);
    }

    private Group groupOf(Address a) {
        if (!a.id().startsWith(GROUP_PREFIX)) {
            return null;
        }
        return group(a.id().substring(GROUP_PREFIX.length()));
    }

    private static String stripPrefix(String name) {
        return name.startsWith(GROUP_PREFIX) ? name.substring(GROUP_PREFIX.length()) : name;
    }

    private String uniqueGroupId(String name) {
        String base = name.replaceAll("[^A-Za-z0-9._-]", "_");
        if (base.isEmpty()) {
            base = "group";
        }
        String id = base;
        for (int i = 2; store.get("grp/" + id).isPresent(); i++) {
            id = base + "-" + i;
        }
        return id;
    }

    private Group group(String id) {
        if (store.get("left/" + id).isPresent()) {
            return null;
        }
        return store.get("grp/" + id).map(v -> read(v, Group.class)).orElse(null);
    }

    private Member member(Group g, String id) {
        return store.get("mem/" + g.id + "/" + id).map(v -> read(v, Member.class)).orElse(null);
    }

    private List<Member> members(Group g) {
        List<Member> out = new ArrayList<>();
        for (String v : new java.util.TreeMap<>(store.list("mem/" + g.id + "/")).values()) {
            out.add(read(v, Member.class));
        }
        return out;
    }

    private void save(Group g) {
        store.put("grp/" + g.id, write(g));
    }

    private void save(Group g, Member m) {
        store.put("mem/" + g.id + "/" + m.memberId, write(m));
    }

    private static String introKey(Group g, String invitee, String member) {
        return "intro/" + g.id + "/" + invitee + "/" + member;
    }

    private static String pendingIntroKey(Group g, String newMember, String member) {
        return "dintro/" + g.id + "/" + newMember + "/" + member;
    }

    private static String foutKey(String g, String member, long ref) {
        return String.format("fout/%s/%s/%019d", g, member, ref);
    }

    private static String finKey(String g, String member, long ref) {
        return "fin/" + g + "/" + member + "/" + ref;
    }

    private static boolean canInvite(String role) {
        return "owner".equals(role) || "admin".equals(role);
    }

    private String newMemberId() {
        byte[] b = new byte[8];
        random.nextBytes(b);
        return B64U.encodeToString(b);
    }

    private String profile(String name) {
        return Invitations.profile(json, name);
    }

    private String profileName(BodyPart body) {
        return profileName(body, "group");
    }

    private String profileName(BodyPart body, String fallback) {
        if (body == null) {
            return fallback;
        }
        try {
            JsonNode n = json.readTree(body.asText()).get("displayName");
            return n == null || n.asText().isBlank() ? fallback : n.asText();
        } catch (JsonProcessingException e) {
            return fallback;
        }
    }

    private String write(Object o) {
        try {
            return json.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private <T> T read(String v, Class<T> type) {
        try {
            return json.readValue(v, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt stored " + type.getSimpleName(), e);
        }
    }

    private <T> CompletableFuture<T> onLoop(Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        if (closed) {
            f.completeExceptionally(DeliveryException.permanent("session closed"));
            return f;
        }
        loop.execute(
                () -> {
                    try {
                        f.complete(task.call());
                    } catch (Exception e) {
                        f.completeExceptionally(e);
                    }
                });
        return f;
    }

    private static <T> T await(CompletableFuture<T> f) {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("timed out", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalArgumentException(c.getMessage(), c);
        }
    }

    /** True once the listener is bound. */
    boolean online() {
        return online;
    }

    /** The port this session listens on (useful when configured with port 0). */
    int port() {
        return agent.port();
    }
}
