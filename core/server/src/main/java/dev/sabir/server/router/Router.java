package dev.sabir.server.router;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.Capability;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileSpool;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.api.Typing;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.store.Database;
import dev.sabir.server.store.StoreException;
import dev.sabir.server.threads.HostThreads;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries events between conversations: links (named sets of conversations on different accounts)
 * and gateway routes (personal accounts of XMPP users). One ordered lane per conversation, echo
 * suppression, nick templates, capability degradation per destination, durable deliveries and the
 * cross-network message id map.
 *
 * <p>How an event travels: {@link #accept} puts it on the lane of its conversation and returns. On
 * the lane (a small worker pool, never a Netty event loop) the router drops events from the
 * session's own identity and network echoes of its own deliveries, finds the destinations (the
 * other members of every link the conversation belongs to, and the owner's gateway session for a
 * personal account), stores one delivery per destination ({@link ChatMessage} and {@link FileOffer}
 * only; typing, presence, profile, room and file progress events are relayed live and never
 * stored), and hands each to the destination's {@link Outbox}. The outbox delivers in order, one at
 * a time, translating referenced message ids and degrading features the destination lacks just
 * before the attempt.
 *
 * <p>Delivery semantics are at least once: a delivery that was in flight when the server stopped,
 * or when its session was replaced, is attempted again.
 */
public final class Router implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Router.class);

    /** Default bound of each destination's queue. */
    public static final int DEFAULT_MAX_QUEUE = 1000;

    /** Overflow policy: drop the oldest waiting delivery (default). */
    public static final String DROP_OLDEST = "drop-oldest";

    /** Overflow policy: refuse the new delivery. */
    public static final String DROP_NEWEST = "drop-newest";

    private static final int INBOUND_CAPACITY = 10_000;
    private static final Duration KEEP_FINISHED = Duration.ofDays(7);
    private static final Duration KEEP_ID_MAP = Duration.ofDays(30);

    /** Profiles remembered per conversation; the least recently updated one goes first. */
    static final int MAX_PROFILES_PER_CONVERSATION = 500;

    /** Bytes of remembered profiles (mostly avatars) kept per conversation; the oldest go first. */
    static final long MAX_PROFILE_BYTES_PER_CONVERSATION = 8L << 20;

    private final DeliveryStore store;
    private final DoneLog doneLog;
    private final MessageMap map;
    private final LinkStore linkStore;
    private final RouterMetrics metrics;
    private final ExecutorService workers;
    private final int workerThreads;
    private final ScheduledExecutorService timers;
    private final Outbox.Env env;
    private final AtomicLong pendingCount;

    private final Map<String, Lane<Inbound>> inbound = new ConcurrentHashMap<>();
    private final Map<String, Outbox> outboxes = new ConcurrentHashMap<>();
    private final Map<Address, Attachment> attachments = new ConcurrentHashMap<>();
    private final Map<Address, GatewayRoute> routes = new ConcurrentHashMap<>();
    private final AtomicLong generations = new AtomicLong();

    private final Object linkLock = new Object();
    private final Map<String, SabirConfig.LinkEntry> configured = new LinkedHashMap<>();
    private final Map<String, SabirConfig.LinkEntry> runtime = new LinkedHashMap<>();
    private volatile LinkIndex index = new LinkIndex(List.of(), Map.of());

    private volatile boolean closed;

    private record GatewayRoute(Address gatewayAccount, String owner) {}

    /**
     * An event waiting on its source lane.
     *
     * @param event the event
     * @param source {@code Delivery.source}
     * @param sourceKey the source endpoint
     * @param targets fixed destinations (gateway sends), or null to route by links and gateway
     *     routes after the self and echo checks
     */
    /** The last known members of each conversation, so a destination coming online sees them. */
    private final Map<Address, Map<String, Sender>> rosters = new ConcurrentHashMap<>();

    /**
     * The last profile of each user per conversation (by sender id), so a destination coming online
     * sees them.
     */
    private final Map<Address, Map<String, ProfileUpdate>> profiles = new ConcurrentHashMap<>();

    private record Inbound(
            BridgeEvent event, Address source, String sourceKey, List<Target> targets) {}

    private record LinkIndex(
            List<SabirConfig.LinkEntry> all, Map<Address, List<SabirConfig.LinkEntry>> byMember) {}

    /**
     * @param db the database (deliveries, id map, runtime links)
     * @param registry metrics
     * @param settings queue bounds and overflow policy; null for the defaults
     * @param spool for file links where a destination has no native file transfer
     * @throws IllegalArgumentException when {@code whenFull} is not a known policy
     */
    public Router(
            Database db, MeterRegistry registry, SabirConfig.Routing settings, FileSpool spool) {
        this(db, registry, settings, spool, Duration.ofMillis(100), Duration.ofSeconds(30));
    }

    /** With explicit retry backoff (first delay, maximum delay), for tests. */
    Router(
            Database db,
            MeterRegistry registry,
            SabirConfig.Routing settings,
            FileSpool spool,
            Duration retryBase,
            Duration retryMax) {
        Objects.requireNonNull(db, "db");
        Objects.requireNonNull(registry, "registry");
        int maxQueue =
                settings == null || settings.maxQueuePerDestination() <= 0
                        ? DEFAULT_MAX_QUEUE
                        : settings.maxQueuePerDestination();
        boolean dropNewest = dropNewest(settings == null ? null : settings.whenFull());
        this.store = new DeliveryStore(db);
        this.map = new MessageMap(db);
        this.linkStore = new LinkStore(db);
        prune();
        List<Pending> waiting = store.loadPending();
        this.pendingCount = new AtomicLong(waiting.size());
        synchronized (linkLock) {
            runtime.putAll(linkStore.loadAll());
            rebuildIndex();
        }
        this.metrics = new RouterMetrics(registry, pendingCount);
        int threads = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
        this.workerThreads = threads;
        this.workers = Executors.newFixedThreadPool(threads, daemonThreads("sabir-router"));
        this.timers =
                Executors.newSingleThreadScheduledExecutor(daemonThreads("sabir-router-timer"));
        this.doneLog = new DoneLog(store, workers);
        timers.scheduleAtFixedRate(() -> workers.execute(this::prune), 1, 1, TimeUnit.DAYS);
        this.env =
                new Outbox.Env(
                        store,
                        doneLog,
                        map,
                        new Degrader(spool),
                        metrics,
                        timers,
                        attachments::get,
                        pendingCount,
                        maxQueue,
                        dropNewest,
                        Duration.ofSeconds(60),
                        retryBase,
                        retryMax);
        for (Pending p : waiting) {
            outbox(p.target()).offer(p);
        }
        if (!waiting.isEmpty()) {
            LOG.info("{} pending deliveries wait for their sessions", waiting.size());
        }
    }

    private static boolean dropNewest(String whenFull) {
        if (whenFull == null || whenFull.isBlank()) {
            return false;
        }
        return switch (whenFull.trim().toLowerCase(Locale.ROOT)) {
            case DROP_OLDEST -> false;
            case DROP_NEWEST -> true;
            default ->
                    throw new IllegalArgumentException(
                            "router.whenFull must be drop-oldest or drop-newest, got '"
                                    + whenFull
                                    + "'");
        };
    }

    private void prune() {
        long now = System.currentTimeMillis();
        try {
            int d = store.prune(now - KEEP_FINISHED.toMillis());
            int m = map.prune(now - KEEP_ID_MAP.toMillis());
            if (d + m > 0) {
                LOG.info("pruned {} finished deliveries and {} old message ids", d, m);
            }
        } catch (StoreException e) {
            LOG.warn("pruning old deliveries failed: {}", e.getMessage());
        }
    }

    private static ThreadFactory daemonThreads(String prefix) {
        return HostThreads.threads(prefix);
    }

    /**
     * Hands each of the router's fixed thread pools and its thread count to {@code pool} (so the
     * plugin host can clean those threads after unloading a plugin).
     */
    public void forEachPool(java.util.function.ObjIntConsumer<ExecutorService> pool) {
        pool.accept(workers, workerThreads);
        pool.accept(timers, 1);
    }

    // ---------------------------------------------------------------- links

    /**
     * Replaces the links that come from the config file (runtime links stay).
     *
     * @throws IllegalArgumentException when a link is malformed (fewer than two members, a member
     *     that is an account rather than a conversation, a member listed twice) or two links share
     *     a name
     */
    public void setConfiguredLinks(Collection<SabirConfig.LinkEntry> links) {
        Map<String, SabirConfig.LinkEntry> next = new LinkedHashMap<>();
        for (SabirConfig.LinkEntry l : links) {
            SabirConfig.LinkEntry v = validate(l);
            if (next.put(v.name(), v) != null) {
                throw new IllegalArgumentException("link '" + v.name() + "' is defined twice");
            }
        }
        synchronized (linkLock) {
            configured.clear();
            configured.putAll(next);
            rebuildIndex();
        }
    }

    /**
     * Creates (persists) a runtime link.
     *
     * @throws IllegalArgumentException when the link is malformed or the name is taken
     */
    public void createLink(SabirConfig.LinkEntry link) {
        SabirConfig.LinkEntry v = validate(link);
        synchronized (linkLock) {
            if (configured.containsKey(v.name()) || runtime.containsKey(v.name())) {
                throw new IllegalArgumentException("a link named '" + v.name() + "' exists");
            }
            linkStore.insert(v);
            runtime.put(v.name(), v);
            rebuildIndex();
        }
        LOG.info("link {} created with {} members", v.name(), v.members().size());
    }

    /** Removes a runtime or configured link until restart; false when unknown. */
    public boolean removeLink(String name) {
        boolean removed;
        synchronized (linkLock) {
            removed = configured.remove(name) != null;
            if (runtime.remove(name) != null) {
                linkStore.delete(name);
                removed = true;
            }
            if (removed) {
                rebuildIndex();
            }
        }
        if (removed) {
            LOG.info("link {} removed", name);
        }
        return removed;
    }

    /** All links now in force: configured ones first, then runtime ones. */
    public List<SabirConfig.LinkEntry> links() {
        return index.all();
    }

    /** The conversations of an account that are link members (to join when the session starts). */
    public List<Address> conversationsOf(Address account) {
        List<Address> out = new ArrayList<>();
        for (Address a : index.byMember().keySet()) {
            if (a.sameAccount(account)) {
                out.add(a);
            }
        }
        return out;
    }

    private static SabirConfig.LinkEntry validate(SabirConfig.LinkEntry l) {
        Objects.requireNonNull(l, "link");
        String name = l.name();
        if (name == null || name.isBlank() || name.length() > 200) {
            throw new IllegalArgumentException("a link needs a name of 1 to 200 characters");
        }
        if (l.members() == null || l.members().size() < 2) {
            throw new IllegalArgumentException("link '" + name + "' needs at least two members");
        }
        Set<Address> seen = new HashSet<>();
        for (Address a : l.members()) {
            if (a == null || a.id().isEmpty()) {
                throw new IllegalArgumentException(
                        "link '" + name + "': member " + a + " is not a conversation");
            }
            if (!seen.add(a)) {
                throw new IllegalArgumentException(
                        "link '" + name + "': member " + a + " is listed twice");
            }
        }
        return new SabirConfig.LinkEntry(
                name,
                List.copyOf(l.members()),
                l.format(),
                l.options() == null
                        ? Map.of()
                        : Collections.unmodifiableMap(new LinkedHashMap<>(l.options())));
    }

    private void rebuildIndex() {
        List<SabirConfig.LinkEntry> all = new ArrayList<>(configured.values());
        for (SabirConfig.LinkEntry l : runtime.values()) {
            if (!configured.containsKey(l.name())) {
                all.add(l);
            }
        }
        Map<Address, List<SabirConfig.LinkEntry>> byMember = new LinkedHashMap<>();
        for (SabirConfig.LinkEntry l : all) {
            for (Address a : l.members()) {
                byMember.computeIfAbsent(a, k -> new ArrayList<>()).add(l);
            }
        }
        byMember.replaceAll((k, v) -> List.copyOf(v));
        index = new LinkIndex(List.copyOf(all), Collections.unmodifiableMap(byMember));
    }

    // ---------------------------------------------------------------- events in

    /**
     * An event reported by a session. Never blocks: the event is queued on its conversation's lane.
     */
    public void accept(BridgeEvent event) {
        Objects.requireNonNull(event, "event");
        if (closed || event instanceof SessionState) {
            return;
        }
        Address conversation = event.conversation();
        String key = conversation.toString();
        if (!lane(key).offer(new Inbound(event, conversation, key, null))) {
            metrics.dropped(conversation.accountAddress(), "inbound-full");
        }
    }

    private Lane<Inbound> lane(String key) {
        return inbound.computeIfAbsent(
                key, k -> new Lane<>("in " + k, workers, INBOUND_CAPACITY, this::route));
    }

    /**
     * Routes a batch of events from one source, in order. Consecutive durable events are stored in
     * one transaction.
     */
    private void route(List<Inbound> batch) {
        List<DeliveryStore.Outgoing> durable = new ArrayList<>();
        for (Inbound in : batch) {
            BridgeEvent event = in.event();
            try {
                List<Target> targets = in.targets();
                if (targets == null) {
                    if (isSelf(event)) {
                        continue;
                    }
                    event = withoutSelfMembers(event);
                    if (event instanceof RoomUpdate r) {
                        remember(r);
                    } else if (event instanceof ProfileUpdate p) {
                        remember(p);
                    }
                    if (event instanceof ChatMessage m && isEcho(in.sourceKey(), m.id())) {
                        LOG.debug(
                                "{}: dropping the network's echo of message {}",
                                in.sourceKey(),
                                m.id());
                        continue;
                    }
                    targets = targets(event.conversation());
                }
                if (targets.isEmpty()) {
                    continue;
                }
                if (EventCodec.durable(event)) {
                    durable.add(
                            new DeliveryStore.Outgoing(
                                    in.source(), in.sourceKey(), event, targets));
                } else {
                    store(durable);
                    for (Target t : targets) {
                        if (attachments.containsKey(t.account())) {
                            outbox(t)
                                    .offer(
                                            new Pending(
                                                    0,
                                                    t,
                                                    in.source(),
                                                    in.sourceKey(),
                                                    null,
                                                    event));
                        }
                    }
                }
            } catch (StoreException e) {
                LOG.error("{}: event lost, the store failed: {}", in.sourceKey(), e.getMessage());
                metrics.dropped(event.conversation().accountAddress(), "store-error");
            }
        }
        store(durable);
    }

    /** True when the id is one our own delivery into that conversation produced. */
    private boolean isEcho(String conversationKey, String id) {
        doneLog.flush();
        return map.isOurs(conversationKey, id);
    }

    /** Stores durable deliveries and hands them to their outboxes; empties the list. */
    private void store(List<DeliveryStore.Outgoing> durable) {
        if (durable.isEmpty()) {
            return;
        }
        try {
            List<Pending> stored = store.insert(durable);
            pendingCount.addAndGet(stored.size());
            for (Pending p : stored) {
                outbox(p.target()).offer(p);
            }
        } catch (StoreException e) {
            LOG.error("{} event(s) lost, the store failed: {}", durable.size(), e.getMessage());
            for (DeliveryStore.Outgoing o : durable) {
                metrics.dropped(o.event().conversation().accountAddress(), "store-error");
            }
        } finally {
            durable.clear();
        }
    }

    /** Keeps the member list of a conversation up to date (on the conversation's own lane). */
    private void remember(RoomUpdate r) {
        Address room = r.conversation();
        switch (r.change()) {
            case MEMBERS -> {
                Map<String, Sender> roster = Collections.synchronizedMap(new LinkedHashMap<>());
                r.members().forEach(m -> roster.put(m.id(), m));
                rosters.put(room, roster);
            }
            case JOINED -> {
                if (r.member() != null && !r.member().self()) {
                    rosters.computeIfAbsent(
                                    room, k -> Collections.synchronizedMap(new LinkedHashMap<>()))
                            .put(r.member().id(), r.member());
                }
            }
            case LEFT, KICKED -> {
                Map<String, Sender> roster = rosters.get(room);
                if (roster != null && r.member() != null) {
                    roster.remove(r.member().id());
                }
            }
            default -> {}
        }
    }

    /** Keeps the last profile of a user in a conversation (on the conversation's own lane). */
    private void remember(ProfileUpdate p) {
        Map<String, ProfileUpdate> known =
                profiles.computeIfAbsent(
                        p.conversation(),
                        k ->
                                Collections.synchronizedMap(
                                        new LinkedHashMap<>(16, 0.75f, false) {
                                            @Override
                                            protected boolean removeEldestEntry(
                                                    Map.Entry<String, ProfileUpdate> eldest) {
                                                return size() > MAX_PROFILES_PER_CONVERSATION;
                                            }
                                        }));
        synchronized (known) {
            // Re-inserting moves the user to the young end, so eviction hits stale profiles.
            known.remove(p.who().id());
            known.put(p.who().id(), p);
            long bytes = 0;
            for (ProfileUpdate q : known.values()) {
                bytes += weight(q);
            }
            var it = known.values().iterator();
            while (bytes > MAX_PROFILE_BYTES_PER_CONVERSATION && known.size() > 1) {
                bytes -= weight(it.next());
                it.remove();
            }
        }
    }

    /** Roughly the memory a remembered profile holds. */
    private static long weight(ProfileUpdate p) {
        long n = 64L + p.avatarLength();
        if (p.displayName() != null) {
            n += 2L * p.displayName().length();
        }
        if (p.text() != null) {
            n += 2L * p.text().length();
        }
        return n;
    }

    /** The profiles last reported for a conversation, oldest update first, for tests. */
    List<ProfileUpdate> profilesOf(Address conversation) {
        return snapshot(profiles.get(conversation));
    }

    private static List<ProfileUpdate> snapshot(Map<String, ProfileUpdate> known) {
        if (known == null) {
            return List.of();
        }
        synchronized (known) {
            return List.copyOf(known.values());
        }
    }

    /**
     * Repeats the remembered profiles to an account that just came online: those of the other
     * members of its conversations' links, and for a gateway account those of the personal accounts
     * routed to it. Live-only, like the profiles themselves.
     */
    private void announceProfiles(Address account) {
        for (Address mine : conversationsOf(account)) {
            for (SabirConfig.LinkEntry link : index.byMember().getOrDefault(mine, List.of())) {
                Target t = Target.member(mine, link.name(), link.format());
                for (Address other : link.members()) {
                    if (other.equals(mine)) {
                        continue;
                    }
                    for (ProfileUpdate p : snapshot(profiles.get(other))) {
                        outbox(t).offer(new Pending(0, t, other, other.toString(), null, p));
                    }
                }
            }
        }
        for (Map.Entry<Address, GatewayRoute> r : routes.entrySet()) {
            if (!r.getValue().gatewayAccount().equals(account)) {
                continue;
            }
            for (Map.Entry<Address, Map<String, ProfileUpdate>> e : profiles.entrySet()) {
                Address conversation = e.getKey();
                if (conversation.id().isEmpty()
                        || !conversation.accountAddress().equals(r.getKey())) {
                    continue;
                }
                Target t = Target.gateway(account, conversation);
                for (ProfileUpdate p : snapshot(e.getValue())) {
                    outbox(t)
                            .offer(
                                    new Pending(
                                            0, t, conversation, conversation.toString(), null, p));
                }
            }
        }
    }

    /** The members last reported for a conversation (ids), for tests. */
    List<String> rosterOf(Address conversation) {
        Map<String, Sender> roster = rosters.get(conversation);
        if (roster == null) {
            return List.of();
        }
        synchronized (roster) {
            return List.copyOf(roster.keySet());
        }
    }

    /** Sends the members of every other link member to an account's conversations. */
    private void announceRosters(Address account) {
        for (Address mine : conversationsOf(account)) {
            for (SabirConfig.LinkEntry link : index.byMember().getOrDefault(mine, List.of())) {
                for (Address other : link.members()) {
                    Map<String, Sender> roster = other.equals(mine) ? null : rosters.get(other);
                    if (roster == null) {
                        continue;
                    }
                    List<Sender> members;
                    synchronized (roster) {
                        members = List.copyOf(roster.values());
                    }
                    Target t = Target.member(mine, link.name(), link.format());
                    outbox(t)
                            .offer(
                                    new Pending(
                                            0,
                                            t,
                                            other,
                                            other.toString(),
                                            null,
                                            RoomUpdate.members(other, members)));
                }
            }
        }
    }

    /** A member list never shows the session's own identity (the relay bot) on other networks. */
    private static BridgeEvent withoutSelfMembers(BridgeEvent event) {
        if (event instanceof RoomUpdate r
                && r.change() == RoomUpdate.Change.MEMBERS
                && r.members().stream().anyMatch(Sender::self)) {
            return RoomUpdate.members(
                    r.conversation(), r.members().stream().filter(m -> !m.self()).toList());
        }
        return event;
    }

    private static boolean isSelf(BridgeEvent event) {
        if (event instanceof ChatMessage m) {
            return m.sender().self();
        }
        if (event instanceof FileOffer f) {
            return f.sender().self();
        }
        if (event instanceof Typing t) {
            return t.who().self();
        }
        if (event instanceof PresenceUpdate p) {
            return p.who().self();
        }
        if (event instanceof ProfileUpdate p) {
            return p.who().self();
        }
        if (event instanceof RoomUpdate r) {
            return r.member() != null && r.member().self();
        }
        return false;
    }

    private List<Target> targets(Address conversation) {
        Map<String, Target> out = new LinkedHashMap<>();
        for (SabirConfig.LinkEntry link : index.byMember().getOrDefault(conversation, List.of())) {
            for (Address member : link.members()) {
                if (!member.equals(conversation)) {
                    out.putIfAbsent(
                            member.toString(), Target.member(member, link.name(), link.format()));
                }
            }
        }
        GatewayRoute route = routes.get(conversation.accountAddress());
        if (route != null && !conversation.id().isEmpty()) {
            Target t = Target.gateway(route.gatewayAccount(), conversation);
            out.putIfAbsent(t.key(), t);
        }
        return List.copyOf(out.values());
    }

    private Outbox outbox(Target t) {
        return outboxes.computeIfAbsent(
                t.key(), k -> new Outbox(env, k, t.account(), Lane.ofTasks("out " + k, workers)));
    }

    // ---------------------------------------------------------------- sessions

    /** The account's session is online: pending deliveries to it are replayed in order. */
    public void attach(Address account, Session session, Set<Capability> capabilities) {
        Objects.requireNonNull(session, "session");
        Address acc = account.accountAddress();
        Set<Capability> caps =
                capabilities == null || capabilities.isEmpty()
                        ? Collections.unmodifiableSet(EnumSet.noneOf(Capability.class))
                        : Collections.unmodifiableSet(EnumSet.copyOf(capabilities));
        attachments.put(acc, new Attachment(session, caps, generations.incrementAndGet()));
        LOG.debug("{} attached", acc);
        for (Outbox o : outboxes.values()) {
            if (o.account().equals(acc)) {
                o.attached();
            }
        }
        announceRosters(acc);
        announceProfiles(acc);
    }

    /** The account's session is offline or closed: deliveries to it wait in the store. */
    public void detach(Address account) {
        Address acc = account.accountAddress();
        if (attachments.remove(acc) == null) {
            return;
        }
        LOG.debug("{} detached", acc);
        for (Outbox o : outboxes.values()) {
            if (o.account().equals(acc)) {
                o.detached();
            }
        }
    }

    // ---------------------------------------------------------------- gateway

    /** Routes every event of a personal account to its owner's gateway session. */
    public void setGatewayRoute(Address personalAccount, Address gatewayAccount, String owner) {
        Objects.requireNonNull(owner, "owner");
        routes.put(
                personalAccount.accountAddress(),
                new GatewayRoute(gatewayAccount.accountAddress(), owner));
    }

    /** Removes a gateway route. */
    public void removeGatewayRoute(Address personalAccount) {
        routes.remove(personalAccount.accountAddress());
    }

    /**
     * An event from a gateway user into a conversation of one of their personal accounts. It is
     * delivered (durably for messages and file offers) to the personal account's session, with the
     * raw text as {@code Delivery.text}; ids it refers to are translated from the gateway's ids.
     *
     * @throws IllegalArgumentException when the conversation's account is not owned by {@code
     *     owner}
     */
    public void sendFromGateway(String owner, BridgeEvent event) {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(event, "event");
        Address conversation = event.conversation();
        Address personal = conversation.accountAddress();
        GatewayRoute route = routes.get(personal);
        if (route == null || !route.owner().equals(owner)) {
            throw new IllegalArgumentException(personal + " is not a personal account of " + owner);
        }
        if (event instanceof SessionState || conversation.id().isEmpty()) {
            throw new IllegalArgumentException("only conversation events can be sent");
        }
        if (closed) {
            return;
        }
        String sourceKey = Target.gatewayKey(route.gatewayAccount(), conversation);
        Target target =
                new Target(
                        conversation.toString(), personal, conversation, Target.GATEWAY, "{text}");
        boolean queued =
                lane(sourceKey)
                        .offer(
                                new Inbound(
                                        event, route.gatewayAccount(), sourceKey, List.of(target)));
        if (!queued) {
            metrics.dropped(personal, "inbound-full");
        }
    }

    // ---------------------------------------------------------------- state

    /** Deliveries stored and not yet accepted by their destination. */
    public long pending() {
        return pendingCount.get();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        attachments.clear();
        workers.shutdown();
        try {
            if (!workers.awaitTermination(2, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        timers.shutdownNow();
        doneLog.flush();
        metrics.close();
    }
}
