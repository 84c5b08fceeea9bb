package dev.sabir.server.plugin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.AdminService;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.FileSpool;
import dev.sabir.api.FileTransports;
import dev.sabir.api.Gateway;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.KeyValueStore;
import dev.sabir.api.RegistrationField;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.router.Router;
import dev.sabir.server.store.Database;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops one session per configured account when its connector is available, tracks
 * account states, implements the gateway (personal accounts), and gives each session its {@link
 * dev.sabir.api.HostContext}.
 *
 * <p>Life cycle of an account: {@code waiting} until a connector for its protocol is offered
 * ({@link #connectorAdded}), then {@code connecting}; the session's {@link SessionState} events
 * move it to {@code online}, {@code degraded} or {@code offline}. Online (or degraded) sessions are
 * attached to the router and join the link conversations of their account; offline and closed ones
 * are detached. {@code failed} means the account could not be started (bad configuration, a plugin
 * that threw, a plugin that failed to load); {@code disabled} accounts are never started.
 *
 * <p>Personal accounts (the gateway) are stored in the key-value scope {@code gateway} (one JSON
 * value per account, settings included, since the session needs them to reconnect) and restored
 * when the manager is built. They are named {@code <protocol>-<owner>} with the owner lower-cased
 * and every character other than letters, digits, {@code . _ @ -} replaced by {@code _}.
 *
 * <p>Thread-safe. Plugin calls that start or stop sessions run under one lock; session events are
 * handled on the session's own threads.
 */
public final class AccountManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccountManager.class);

    /** Every account state, as reported by {@link #statuses()} and the state gauge. */
    static final List<String> STATES =
            List.of("connecting", "online", "degraded", "offline", "disabled", "waiting", "failed");

    static final String GATEWAY_SCOPE = "gateway";
    static final String PERSONAL_PREFIX = "personal/";
    static final String ACCOUNT_GAUGE = "sabir.accounts";

    /** Everything the manager needs from the host. */
    public record Services(
            SabirConfig config,
            Router router,
            Database db,
            FileSpool spool,
            EventLoopGroup eventLoops,
            ScheduledExecutorService scheduler,
            MeterRegistry registry,
            Path dataDir) {}

    private final SabirConfig config;
    private final RouterPort router;
    private final Function<String, KeyValueStore> stores;
    private final FileSpool spool;
    private final EventLoopGroup eventLoops;
    private final ScheduledExecutorService scheduler;
    private final MeterRegistry registry;
    private final Path dataDir;
    private final GatewayService gateway = new GatewayService();
    private final AdminService admin = new OperatorCommands();
    private final FileTransports fileTransports = FileTransports.inMemory();
    private final ObjectMapper json = new ObjectMapper();

    private final Object lock = new Object();

    /** Config accounts in file order, then personal accounts. Guarded by lock. */
    private final Map<String, Account> accounts = new LinkedHashMap<>();

    /** The connector in force per protocol. Guarded by lock. */
    private final Map<String, Binding> connectors = new HashMap<>();

    /**
     * Why a plugin failed, by plugin id (reported on accounts of that protocol). Guarded by lock.
     */
    private final Map<String, String> pluginFailures = new HashMap<>();

    private boolean closed;

    /**
     * @param services the host's services
     */
    public AccountManager(Services services) {
        this(
                services.config(),
                RouterPort.of(services.router()),
                services.db()::keyValueStore,
                services.spool(),
                services.eventLoops(),
                services.scheduler(),
                services.registry(),
                services.dataDir());
    }

    /**
     * The seam for tests: a router port and a key-value store factory instead of the real parts.
     */
    AccountManager(
            SabirConfig config,
            RouterPort router,
            Function<String, KeyValueStore> stores,
            FileSpool spool,
            EventLoopGroup eventLoops,
            ScheduledExecutorService scheduler,
            MeterRegistry registry,
            Path dataDir) {
        this.config = Objects.requireNonNull(config, "config");
        this.router = Objects.requireNonNull(router, "router");
        this.stores = Objects.requireNonNull(stores, "stores");
        this.spool = spool;
        this.eventLoops = eventLoops;
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        startSharedThreads();
        synchronized (lock) {
            Map<String, SabirConfig.AccountEntry> configured =
                    config.accounts() == null ? Map.of() : config.accounts();
            for (SabirConfig.AccountEntry e : configured.values()) {
                Account a =
                        new Account(e.name(), e.plugin(), e.enabled(), e.settings(), null, null);
                add(a);
                if (!a.enabled) {
                    a.set("disabled", "");
                } else {
                    a.set("waiting", waitingReason(a));
                }
            }
            restorePersonalAccounts();
        }
    }

    /**
     * Starts the shared pools' threads now, from host code: a thread created lazily while a
     * plugin's code is on the stack would capture the plugin's protection domain (and so its class
     * loader) in its inherited access-control context for as long as the thread lives.
     */
    private void startSharedThreads() {
        if (scheduler instanceof java.util.concurrent.ThreadPoolExecutor tpe) {
            tpe.prestartAllCoreThreads();
        }
        if (eventLoops != null) {
            for (io.netty.util.concurrent.EventExecutor e : eventLoops) {
                e.execute(() -> {});
            }
        }
    }

    /** The registry (the plugin host publishes its gauge there too). */
    MeterRegistry registry() {
        return registry;
    }

    // ------------------------------------------------------------------ connectors

    /** A connector became available (plugin started or built in): start its accounts. */
    public void connectorAdded(String pluginId, Connector connector) {
        String protocol;
        Set<Capability> caps;
        List<RegistrationField> fields;
        try {
            protocol = Objects.requireNonNull(connector.protocol(), "protocol()");
            caps =
                    connector.capabilities() == null
                            ? Set.of()
                            : Set.copyOf(connector.capabilities());
            fields =
                    connector.registrationFields() == null
                            ? List.of()
                            : List.copyOf(connector.registrationFields());
        } catch (RuntimeException | LinkageError e) {
            log.warn(
                    "plugin {}: connector {} is unusable: {}",
                    pluginId,
                    connector.getClass().getName(),
                    e.toString());
            return;
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            Binding old = connectors.put(protocol, new Binding(pluginId, connector, caps, fields));
            pluginFailures.remove(pluginId);
            if (old != null && !old.pluginId.equals(pluginId)) {
                log.info(
                        "protocol {} now served by plugin {} instead of {}",
                        protocol,
                        pluginId,
                        old.pluginId);
            }
            for (Account a : List.copyOf(accounts.values())) {
                if (a.protocol.equals(protocol) && a.enabled) {
                    stop(a, "waiting", "");
                    start(a);
                }
            }
        }
    }

    /** A plugin is going away: close the sessions of its connectors. */
    public void pluginRemoving(String pluginId) {
        synchronized (lock) {
            List<String> gone = new ArrayList<>();
            connectors
                    .entrySet()
                    .removeIf(
                            e -> {
                                if (e.getValue().pluginId.equals(pluginId)) {
                                    gone.add(e.getKey());
                                    return true;
                                }
                                return false;
                            });
            for (Account a : accounts.values()) {
                if (gone.contains(a.protocol) && a.enabled) {
                    stop(a, "waiting", "plugin " + pluginId + " was unloaded");
                }
            }
        }
    }

    /**
     * A plugin failed to load or start. Its protocols are unknown then, so accounts whose protocol
     * equals the plugin id and that have no connector are marked {@code failed} with the reason.
     */
    void pluginFailed(String pluginId, String reason) {
        synchronized (lock) {
            pluginFailures.put(pluginId, reason);
            for (Account a : accounts.values()) {
                if (a.enabled
                        && a.protocol.equals(pluginId)
                        && !connectors.containsKey(a.protocol)) {
                    a.set("failed", "plugin " + pluginId + " failed: " + reason);
                }
            }
        }
    }

    /** True when no connector serves the protocol now. */
    boolean needsConnector(String protocol) {
        synchronized (lock) {
            return !closed && !connectors.containsKey(protocol);
        }
    }

    /** A failed plugin went away (its jar was removed): its accounts wait again. */
    void pluginFailureCleared(String pluginId) {
        synchronized (lock) {
            if (pluginFailures.remove(pluginId) == null) {
                return;
            }
            for (Account a : accounts.values()) {
                if (a.enabled
                        && a.protocol.equals(pluginId)
                        && a.running == null
                        && "failed".equals(a.state)) {
                    a.set("waiting", waitingReason(a));
                }
            }
        }
    }

    // ------------------------------------------------------------------ queries and control

    /** Account states, in config order, then personal accounts. */
    public List<AccountStatus> statuses() {
        synchronized (lock) {
            List<AccountStatus> out = new ArrayList<>(accounts.size());
            for (Account a : accounts.values()) {
                out.add(new AccountStatus(a.name, a.protocol, a.state, a.reason));
            }
            return out;
        }
    }

    /** One account's status, if known. */
    Optional<AccountStatus> status(String account) {
        synchronized (lock) {
            Account a = accounts.get(account);
            return a == null
                    ? Optional.empty()
                    : Optional.of(new AccountStatus(a.name, a.protocol, a.state, a.reason));
        }
    }

    /** The host context given to the account's current session (tests). */
    Optional<SessionHost> hostOf(String account) {
        synchronized (lock) {
            Account a = accounts.get(account);
            return a == null || a.running == null ? Optional.empty() : Optional.of(a.running.host);
        }
    }

    /** Closes and reopens an account's session; false when unknown. */
    public boolean restart(String account) {
        synchronized (lock) {
            Account a = accounts.get(account);
            if (a == null) {
                return false;
            }
            if (closed) {
                return true;
            }
            log.info("account {}: restart requested", a.name);
            stop(a, "waiting", "");
            start(a);
            return true;
        }
    }

    /**
     * Runs an operator command on an account's live session (see {@link
     * dev.sabir.api.AccountCommands}).
     *
     * @return the command's output, or empty when there is no such account
     * @throws IllegalArgumentException when the account is not running, offers no commands, or the
     *     command is refused
     */
    public Optional<String> runCommand(String account, String command, List<String> args) {
        Session session;
        synchronized (lock) {
            Account a = accounts.get(account);
            if (a == null) {
                return Optional.empty();
            }
            if (a.running == null || a.running.session == null) {
                throw new IllegalArgumentException("account " + account + " is not running");
            }
            session = a.running.session;
        }
        if (!(session instanceof dev.sabir.api.AccountCommands commands)) {
            throw new IllegalArgumentException("account " + account + " offers no commands");
        }
        if (!commands.commandNames().contains(command)) {
            throw new IllegalArgumentException(
                    "unknown command '" + command + "'; try one of " + commands.commandNames());
        }
        log.info("account {}: operator command {}", account, command);
        return Optional.of(commands.runCommand(command, List.copyOf(args)));
    }

    /** The operator commands offered to plugins. */
    public AdminService admin() {
        return admin;
    }

    /** The gateway service. */
    public Gateway gateway() {
        return gateway;
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            for (Account a : accounts.values()) {
                stop(a, a.enabled ? "offline" : "disabled", a.enabled ? "server stopped" : "");
                a.removeGauges(registry);
            }
            connectors.clear();
        }
    }

    // ------------------------------------------------------------------ starting and stopping

    private void add(Account a) {
        accounts.put(a.name, a);
        a.registerGauges(registry);
    }

    private String waitingReason(Account a) {
        return "no plugin provides protocol '" + a.protocol + "'";
    }

    /** Starts the account if it can be; never throws. Holds the lock. */
    private void start(Account a) {
        try {
            start(a, false);
        } catch (InvalidConfigException impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    /** Starts the account; with {@code rethrow}, a configuration error is also thrown. */
    private void start(Account a, boolean rethrow) throws InvalidConfigException {
        if (closed || a.running != null) {
            return;
        }
        if (!a.enabled) {
            a.set("disabled", "");
            return;
        }
        if (a.address == null) {
            a.set("failed", "account name '" + a.name + "' cannot be used in addresses");
            return;
        }
        Binding b = connectors.get(a.protocol);
        if (b == null) {
            String failure = pluginFailures.get(a.protocol);
            if (failure != null) {
                a.set("failed", "plugin " + a.protocol + " failed: " + failure);
            } else {
                a.set("waiting", waitingReason(a));
            }
            return;
        }
        SessionHost host =
                new SessionHost(
                        a.name,
                        a.protocol,
                        eventLoops,
                        scheduler,
                        () -> stores.apply("account:" + a.name),
                        spool,
                        dataDir.resolve(safeDirName(a.name)),
                        registry,
                        gateway,
                        admin,
                        fileTransports);
        Running r = new Running(a, b, host);
        a.set("connecting", "");
        AccountConfig accountConfig = new AccountConfig(a.name, a.protocol, true, a.settings);
        Session session;
        try {
            Set<Capability> caps =
                    withPluginLoader(b.connector, () -> b.connector.capabilities(accountConfig));
            r.caps = caps == null ? b.caps : Set.copyOf(caps);
            session =
                    withPluginLoader(
                            b.connector, () -> b.connector.open(accountConfig, host, r::onEvent));
            if (session == null) {
                throw new IllegalStateException("the connector returned no session");
            }
        } catch (InvalidConfigException e) {
            host.close();
            a.set("failed", describe(a, e));
            log.warn("account {} failed: {}", a.name, a.reason);
            if (rethrow) {
                throw e;
            }
            return;
        } catch (Exception | LinkageError e) {
            host.close();
            a.set("failed", "plugin " + b.pluginId + " could not open the session: " + e);
            log.warn("account {} failed: {}", a.name, a.reason);
            return;
        }
        r.session = session;
        r.guarded = new GuardedSession(a.name, session);
        a.running = r;
        log.info("account {}: starting ({} via plugin {})", a.name, a.protocol, b.pluginId);
        CompletionStage<Void> connecting;
        try {
            connecting = withPluginLoader(b.connector, session::connect);
        } catch (Exception | LinkageError e) {
            stop(a, "failed", "plugin " + b.pluginId + " could not connect: " + e);
            log.warn("account {} failed: {}", a.name, a.reason);
            return;
        }
        if (connecting == null) {
            r.connectDone(null);
        } else {
            connecting.whenComplete((v, err) -> r.connectDone(err));
        }
    }

    /** First wait before a failed connect is tried again; it doubles up to the maximum. */
    static final long CONNECT_RETRY_MIN_MS = 500;

    static final long CONNECT_RETRY_MAX_MS = 5 * 60_000;

    /**
     * A session whose connect failed (a port still taken, a server not up yet) is closed and opened
     * again after a backoff, until it comes online or the account is stopped.
     */
    private void retryLater(Running r, String reason) {
        Account a = r.account;
        int failures = a.connectFailures.getAndIncrement();
        long delay = Math.min(CONNECT_RETRY_MAX_MS, CONNECT_RETRY_MIN_MS << Math.min(failures, 20));
        a.set(
                "offline",
                reason
                        + " (retrying in "
                        + (delay >= 1000 ? delay / 1000 + " s" : delay + " ms")
                        + ")");
        log.warn("account {}: {}; retrying in {} ms", a.name, reason, delay);
        try {
            scheduler.schedule(
                    () -> {
                        synchronized (lock) {
                            if (closed || a.running != r) {
                                return;
                            }
                            log.info("account {}: trying to connect again", a.name);
                            stop(a, "waiting", "");
                            start(a);
                        }
                    },
                    delay,
                    java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shutting down
        }
    }

    /** Stops the account's session (if any) and sets the state. Holds the lock. */
    private void stop(Account a, String state, String reason) {
        Running r = a.running;
        a.running = null;
        if (r != null) {
            r.shutdown();
            log.info("account {}: session closed", a.name);
        }
        if ("waiting".equals(state) && reason.isEmpty()) {
            reason = waitingReason(a);
        }
        a.set(state, reason);
    }

    private String describe(Account a, InvalidConfigException e) {
        String key = e.key() == null || e.key().isEmpty() ? "" : "." + e.key();
        String dotted = (a.personal() ? "personal." : "accounts.") + a.name + key;
        StringBuilder sb = new StringBuilder(dotted).append(": ").append(e.getMessage());
        if (!a.personal()) {
            int line = config.lineOf("accounts." + a.name + key);
            if (line < 0) {
                line = config.lineOf("accounts." + a.name);
            }
            if (line >= 0) {
                String file =
                        config.source() == null
                                ? "config"
                                : config.source().getFileName().toString();
                sb.append(" (").append(file).append(" line ").append(line).append(')');
            }
        }
        return sb.toString();
    }

    private static String safeDirName(String name) {
        String n = name.replace('\\', '_');
        return n.equals(".") || n.equals("..") ? "_" + n : n;
    }

    /** A call into plugin code that may throw anything. */
    @FunctionalInterface
    private interface PluginCall<T> {
        T call() throws Exception;
    }

    /**
     * A call into plugin code. The context class loader is deliberately left alone: a thread that a
     * pool creates lazily during the call would inherit the plugin's loader and pin it after
     * unload.
     */
    private static <T> T withPluginLoader(Connector connector, PluginCall<T> call)
            throws Exception {
        return call.call();
    }

    // ------------------------------------------------------------------ personal accounts

    private KeyValueStore gatewayStore() {
        return stores.apply(GATEWAY_SCOPE);
    }

    private void restorePersonalAccounts() {
        Map<String, String> stored;
        try {
            stored = gatewayStore().list(PERSONAL_PREFIX);
        } catch (RuntimeException e) {
            log.warn("gateway: personal accounts not restored: {}", e.toString());
            return;
        }
        int restored = 0;
        for (Map.Entry<String, String> e : stored.entrySet()) {
            try {
                Map<String, Object> m =
                        json.readValue(e.getValue(), new TypeReference<Map<String, Object>>() {});
                String name = (String) m.get("account");
                if (accounts.containsKey(name)) {
                    log.warn(
                            "gateway: personal account {} clashes with a configured account; skipped",
                            name);
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> settings =
                        (Map<String, Object>) m.getOrDefault("settings", Map.of());
                Account a =
                        new Account(
                                name,
                                (String) m.get("protocol"),
                                true,
                                settings,
                                (String) m.get("gatewayAccount"),
                                (String) m.get("owner"));
                add(a);
                a.set("waiting", waitingReason(a));
                setRoute(a);
                restored++;
            } catch (JsonProcessingException | RuntimeException ex) {
                log.warn(
                        "gateway: stored personal account {} is unreadable: {}",
                        e.getKey(),
                        ex.toString());
            }
        }
        if (restored > 0) {
            log.info("gateway: restored {} personal accounts", restored);
        }
    }

    private void setRoute(Account a) {
        Account gw = accounts.get(a.gatewayAccount);
        if (gw == null || gw.address == null || a.address == null) {
            log.warn(
                    "gateway: personal account {} names an unknown gateway account {}",
                    a.name,
                    a.gatewayAccount);
            return;
        }
        router.setGatewayRoute(a.address, gw.address, a.owner);
    }

    private void persist(Account a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("account", a.name);
        m.put("protocol", a.protocol);
        m.put("gatewayAccount", a.gatewayAccount);
        m.put("owner", a.owner);
        m.put("settings", a.settings);
        try {
            gatewayStore().put(PERSONAL_PREFIX + a.name, json.writeValueAsString(m));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "settings cannot be stored: " + e.getOriginalMessage(), e);
        }
    }

    static String personalName(String protocol, String owner) {
        String o = owner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._@-]", "_");
        String n = protocol + "-" + o;
        if (n.length() > 64) {
            n = n.substring(0, 55) + "-" + hash8(owner);
        }
        return n;
    }

    private static String hash8(String s) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 4);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The gateway: personal accounts of gateway users. */
    private final class GatewayService implements Gateway {

        @Override
        public Map<String, List<RegistrationField>> registrableProtocols() {
            synchronized (lock) {
                Map<String, List<RegistrationField>> out = new TreeMap<>();
                connectors.forEach(
                        (protocol, b) -> {
                            if (!b.fields.isEmpty()) {
                                out.put(protocol, b.fields);
                            }
                        });
                return out;
            }
        }

        @Override
        public String register(
                String gatewayAccount, String owner, String protocol, Map<String, Object> settings)
                throws InvalidConfigException {
            Objects.requireNonNull(gatewayAccount, "gatewayAccount");
            Objects.requireNonNull(owner, "owner");
            Objects.requireNonNull(protocol, "protocol");
            if (owner.isBlank()) {
                throw new IllegalArgumentException("empty owner");
            }
            synchronized (lock) {
                if (closed) {
                    throw new IllegalStateException("the server is stopping");
                }
                Account gw = accounts.get(gatewayAccount);
                if (gw == null || gw.personal()) {
                    throw new IllegalArgumentException(
                            "unknown gateway account '" + gatewayAccount + "'");
                }
                Binding b = connectors.get(protocol);
                if (b == null) {
                    throw new InvalidConfigException(
                            "protocol", "network '" + protocol + "' is not available");
                }
                if (b.fields.isEmpty()) {
                    throw new InvalidConfigException(
                            "protocol", "network '" + protocol + "' offers no personal accounts");
                }
                Map<String, Object> clean =
                        new LinkedHashMap<>(settings == null ? Map.of() : settings);
                for (RegistrationField f : b.fields) {
                    Object v = clean.get(f.key());
                    if (f.required() && (v == null || v.toString().isBlank())) {
                        throw new InvalidConfigException(f.key(), "required");
                    }
                }
                String name = personalName(protocol, owner);
                Account existing = accounts.get(name);
                if (existing != null && !existing.personal()) {
                    name = name.length() > 55 ? name.substring(0, 55) : name;
                    name = name + "-" + hash8(owner);
                    existing = accounts.get(name);
                }
                Account a = new Account(name, protocol, true, clean, gatewayAccount, owner);
                if (a.address == null) {
                    throw new IllegalArgumentException(
                            "owner '" + owner + "' gives no usable account name");
                }
                if (existing != null) {
                    stop(existing, "offline", "replaced");
                    existing.removeGauges(registry);
                    accounts.remove(name);
                }
                add(a);
                router.setGatewayRoute(a.address, gw.address, owner);
                try {
                    start(a, true);
                } catch (InvalidConfigException e) {
                    accounts.remove(name);
                    a.removeGauges(registry);
                    router.removeGatewayRoute(a.address);
                    if (existing != null) {
                        add(existing);
                        setRoute(existing);
                        start(existing);
                    }
                    throw e;
                }
                persist(a);
                log.info("gateway: {} registered personal account {} on {}", owner, name, protocol);
                return name;
            }
        }

        @Override
        public boolean unregister(String owner, String protocol) {
            synchronized (lock) {
                Account a = null;
                for (Account x : accounts.values()) {
                    if (x.personal() && x.owner.equals(owner) && x.protocol.equals(protocol)) {
                        a = x;
                        break;
                    }
                }
                if (a == null) {
                    return false;
                }
                stop(a, "offline", "unregistered");
                accounts.remove(a.name);
                a.removeGauges(registry);
                router.removeGatewayRoute(a.address);
                gatewayStore().remove(PERSONAL_PREFIX + a.name);
                try {
                    KeyValueStore own = stores.apply("account:" + a.name);
                    for (String key : own.list("").keySet()) {
                        own.remove(key);
                    }
                } catch (RuntimeException e) {
                    log.warn("gateway: could not clear the store of {}: {}", a.name, e.toString());
                }
                log.info(
                        "gateway: {} unregistered personal account {} on {}",
                        owner,
                        a.name,
                        protocol);
                return true;
            }
        }

        @Override
        public List<PersonalAccount> accountsOf(String owner) {
            synchronized (lock) {
                List<PersonalAccount> out = new ArrayList<>();
                for (Account a : accounts.values()) {
                    if (a.personal() && a.owner.equals(owner)) {
                        out.add(a.personalView());
                    }
                }
                return out;
            }
        }

        @Override
        public Optional<PersonalAccount> personal(String account) {
            synchronized (lock) {
                Account a = accounts.get(account);
                return a == null || !a.personal()
                        ? Optional.empty()
                        : Optional.of(a.personalView());
            }
        }

        @Override
        public void send(String owner, BridgeEvent event) {
            Address c = event.conversation();
            synchronized (lock) {
                Account a = accounts.get(c.account());
                if (a == null
                        || !a.personal()
                        || !a.owner.equals(owner)
                        || !a.protocol.equals(c.protocol())) {
                    throw new IllegalArgumentException(
                            c + " is not a personal account of " + owner);
                }
            }
            router.sendFromGateway(owner, event);
        }
    }

    // ------------------------------------------------------------------ state

    /** The connector in force for a protocol. */
    private record Binding(
            String pluginId,
            Connector connector,
            Set<Capability> caps,
            List<RegistrationField> fields) {}

    /** One account (configured or personal) and its current session. */
    private static final class Account {
        final String name;
        final String protocol;
        final boolean enabled;
        final Map<String, Object> settings;
        final String gatewayAccount;
        final String owner;
        final Address address;
        final List<Gauge> gauges = new ArrayList<>();
        volatile String state = "waiting";
        volatile String reason = "";

        /** Failed connects since the account was last online (for the retry backoff). */
        final java.util.concurrent.atomic.AtomicInteger connectFailures =
                new java.util.concurrent.atomic.AtomicInteger();

        /** Guarded by the manager's lock. */
        Running running;

        Account(
                String name,
                String protocol,
                boolean enabled,
                Map<String, Object> settings,
                String gatewayAccount,
                String owner) {
            this.name = Objects.requireNonNull(name, "name");
            this.protocol = Objects.requireNonNull(protocol, "protocol");
            this.enabled = enabled;
            this.settings = settings == null ? Map.of() : new LinkedHashMap<>(settings);
            this.gatewayAccount = gatewayAccount;
            this.owner = owner;
            Address addr;
            try {
                addr = Address.ofAccount(protocol, name);
            } catch (IllegalArgumentException e) {
                addr = null;
            }
            this.address = addr;
        }

        boolean personal() {
            return owner != null;
        }

        Gateway.PersonalAccount personalView() {
            return new Gateway.PersonalAccount(name, protocol, gatewayAccount, owner, state);
        }

        void set(String newState, String newReason) {
            String r = newReason == null ? "" : newReason;
            boolean changed = !newState.equals(state) || !r.equals(reason);
            state = newState;
            reason = r;
            if (changed && !"connecting".equals(newState)) {
                if (r.isEmpty()) {
                    log.info("account {}: {}", name, newState);
                } else {
                    log.info("account {}: {} ({})", name, newState, r);
                }
            }
        }

        void registerGauges(MeterRegistry registry) {
            for (String s : STATES) {
                gauges.add(
                        Gauge.builder(ACCOUNT_GAUGE, this, a -> s.equals(a.state) ? 1 : 0)
                                .tags("account", name, "protocol", protocol, "state", s)
                                .description("1 for the account's current state")
                                .strongReference(true)
                                .register(registry));
            }
        }

        void removeGauges(MeterRegistry registry) {
            for (Gauge g : gauges) {
                registry.remove(g);
            }
            gauges.clear();
        }
    }

    /** One open session of an account: its sink, its host context, and its router attachment. */
    private final class Running {
        final Account account;
        final Binding binding;
        final SessionHost host;
        final Address address;

        /** The account's capabilities (per account when the connector says so). */
        volatile Set<Capability> caps;

        /** Set once open() returned. */
        volatile Session session;

        volatile GuardedSession guarded;
        private boolean live = true;
        private boolean attached;
        private SessionState.State lastState;
        private long attachGeneration;

        Running(Account account, Binding binding, SessionHost host) {
            this.account = account;
            this.binding = binding;
            this.host = host;
            this.address = account.address;
            this.caps = binding.caps;
        }

        /** The sink given to the session. */
        void onEvent(BridgeEvent event) {
            if (event == null) {
                return;
            }
            Address c = event.conversation();
            if (c == null || !address.sameAccount(c)) {
                log.debug("account {}: dropped an event for another account ({})", account.name, c);
                return;
            }
            if (event instanceof SessionState st && c.id().isEmpty()) {
                onState(st.state(), st.reason());
            }
            synchronized (this) {
                if (!live) {
                    return;
                }
            }
            try {
                router.accept(event);
            } catch (RuntimeException e) {
                log.warn("account {}: the router refused an event: {}", account.name, e.toString());
            }
        }

        synchronized void onState(SessionState.State s, String reason) {
            if (!live) {
                return;
            }
            lastState = s;
            switch (s) {
                case CONNECTING -> {
                    detachIfAttached();
                    account.set("connecting", reason);
                }
                case ONLINE -> goOnline("online", reason);
                case DEGRADED -> goOnline("degraded", reason);
                case OFFLINE -> {
                    detachIfAttached();
                    account.set("offline", reason);
                }
            }
        }

        synchronized void connectDone(Throwable err) {
            if (!live || session == null) {
                return;
            }
            if (lastState != null && lastState != SessionState.State.CONNECTING) {
                return;
            }
            if (err == null) {
                goOnline("online", "");
            } else {
                Throwable cause =
                        err instanceof java.util.concurrent.CompletionException
                                        && err.getCause() != null
                                ? err.getCause()
                                : err;
                retryLater(this, "connect failed: " + cause.getMessage());
            }
        }

        private void goOnline(String state, String reason) {
            account.connectFailures.set(0);
            account.set(state, reason);
            GuardedSession g = guarded;
            if (attached || g == null) {
                return;
            }
            attached = true;
            long generation = ++attachGeneration;
            List<Address> conversations;
            try {
                conversations = router.conversationsOf(address);
            } catch (RuntimeException e) {
                log.warn(
                        "account {}: cannot list its link conversations: {}",
                        account.name,
                        e.toString());
                conversations = List.of();
            }
            // Join the link conversations first, so that what the router hands over on attach
            // (member lists, queued messages) finds its rooms open; attach after at most 10 s.
            List<java.util.concurrent.CompletableFuture<Void>> joins = new ArrayList<>();
            for (Address conversation : conversations) {
                java.util.concurrent.CompletableFuture<Void> joined =
                        g.join(conversation).toCompletableFuture();
                joined.whenComplete(
                        (v, e) -> {
                            if (e != null) {
                                log.warn(
                                        "account {}: joining {} failed: {}",
                                        account.name,
                                        conversation,
                                        e.toString());
                            }
                        });
                joins.add(joined);
            }
            java.util.concurrent.CompletableFuture.allOf(
                            joins.toArray(new java.util.concurrent.CompletableFuture<?>[0]))
                    .orTimeout(10, java.util.concurrent.TimeUnit.SECONDS)
                    .whenComplete((v, e) -> attachIfCurrent(generation, g));
        }

        private synchronized void attachIfCurrent(long generation, GuardedSession g) {
            if (live && attached && generation == attachGeneration && guarded == g) {
                router.attach(address, g, caps);
            }
        }

        private void detachIfAttached() {
            if (attached) {
                attached = false;
                attachGeneration++;
                router.detach(address);
            }
        }

        /** Closes the session and releases what it held. */
        void shutdown() {
            synchronized (this) {
                live = false;
                attached = false;
            }
            try {
                router.detach(address);
            } catch (RuntimeException e) {
                log.warn("account {}: detach failed: {}", account.name, e.toString());
            }
            GuardedSession g = guarded;
            if (g != null) {
                g.release();
            }
            Session s = session;
            if (s != null) {
                try {
                    withPluginLoader(
                            binding.connector,
                            () -> {
                                s.close();
                                return null;
                            });
                } catch (Exception | LinkageError e) {
                    log.warn(
                            "account {}: closing the session failed: {}",
                            account.name,
                            e.toString());
                }
            }
            session = null;
            guarded = null;
            host.close();
        }
    }

    /** The operator's commands offered to plugins (XMPP ad-hoc commands). */
    private final class OperatorCommands implements AdminService {
        @Override
        public List<AccountInfo> accounts() {
            return statuses().stream()
                    .map(st -> new AccountInfo(st.name(), st.plugin(), st.state(), st.reason()))
                    .toList();
        }

        @Override
        public List<LinkInfo> links() {
            return router.links().stream()
                    .map(l -> new LinkInfo(l.name(), l.members(), l.format()))
                    .toList();
        }

        @Override
        public void createLink(String name, List<Address> members, String format) {
            router.createLink(
                    new SabirConfig.LinkEntry(name, List.copyOf(members), format, Map.of()));
            log.info(
                    "link {} created through the admin service ({} members)", name, members.size());
        }

        @Override
        public boolean removeLink(String name) {
            boolean removed = router.removeLink(name);
            if (removed) {
                log.info("link {} removed through the admin service", name);
            }
            return removed;
        }

        @Override
        public boolean restartAccount(String name) {
            return restart(name);
        }
    }
}
