package dev.sabir.server.plugin;

import dev.sabir.api.Connector;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads plugin JARs with PF4J (host-first for the shared packages), watches the folder for
 * drop-ins, removals and replacements, and also offers connectors found on the class path (built
 * in). Reports connectors to the {@link AccountManager}.
 *
 * <p>Rules:
 *
 * <ul>
 *   <li>Only {@code *.jar} files directly in the folder are plugins; names starting with {@code .}
 *       are ignored, so copying to {@code .name.jar.tmp} and renaming is the atomic way to drop one
 *       in. A new or changed jar is taken once its size, time and file key stayed the same for
 *       {@value #QUIET_MILLIS} ms (so a copy in progress is not loaded half-written).
 *   <li>A removed jar: its accounts' sessions are closed, then the plugin is stopped and unloaded.
 *       A replaced jar: the old plugin is unloaded, the new one loaded and its accounts restarted.
 *   <li>Connectors are the plugin's {@code Connector} extensions. Built-in connectors come from
 *       {@link ServiceLoader} on the host's class path (plugin id {@code builtin}) and are used
 *       only for protocols no plugin JAR provides: a JAR for the same protocol takes over, and when
 *       that JAR goes away the built-in connector is used again. When two JARs provide one
 *       protocol, the one started last serves it.
 *   <li>A plugin that fails to load or start is unloaded and shown as {@code failed} with the
 *       reason; the others are not affected. Accounts whose protocol equals the failed plugin's id
 *       (or its file name) show {@code failed} with the reason.
 * </ul>
 *
 * <p>Publishes the gauge {@code sabir.plugins{plugin,state}} (1 per plugin in its state).
 */
public final class PluginHost implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(PluginHost.class);

    /** How long a jar must stay unchanged before it is loaded. */
    static final long QUIET_MILLIS = 300;

    static final String BUILTIN = "builtin";

    private final Path dir;
    private final boolean watch;
    private final AccountManager accounts;
    private final Supplier<List<Connector>> builtinFinder;
    private final HostPluginManager manager;
    private final MultiGauge gauge;

    private final Object lock = new Object();

    /** Jar files known to the host, by absolute path. Guarded by lock. */
    private final Map<Path, JarState> jars = new HashMap<>();

    /** Connectors of started jar plugins, by plugin id. Guarded by lock. */
    private final Map<String, List<Connector>> pluginConnectors = new LinkedHashMap<>();

    /** Built-in connectors by protocol. Guarded by lock. */
    private final Map<String, Connector> builtins = new TreeMap<>();

    private volatile boolean closed;
    private boolean started;
    private WatchService watchService;
    private Thread watcher;
    private final UnloadHygiene hygiene;

    /**
     * @param dir the runtime plugin folder
     * @param watch whether to watch it for changes
     * @param accounts told about connectors coming and going
     */
    public PluginHost(Path dir, boolean watch, AccountManager accounts) {
        this(dir, watch, accounts, new UnloadHygiene());
    }

    /**
     * @param dir the runtime plugin folder
     * @param watch whether to watch it for changes
     * @param accounts told about connectors coming and going
     * @param hygiene cleans the host's threads and caches of an unloaded plugin's classes
     */
    public PluginHost(Path dir, boolean watch, AccountManager accounts, UnloadHygiene hygiene) {
        this(dir, watch, accounts, PluginHost::classPathConnectors, hygiene);
    }

    /** The seam for tests: where built-in connectors come from. */
    PluginHost(
            Path dir, boolean watch, AccountManager accounts, Supplier<List<Connector>> builtins) {
        this(dir, watch, accounts, builtins, new UnloadHygiene());
    }

    private PluginHost(
            Path dir,
            boolean watch,
            AccountManager accounts,
            Supplier<List<Connector>> builtins,
            UnloadHygiene hygiene) {
        this.hygiene = Objects.requireNonNull(hygiene, "hygiene");
        this.dir = Objects.requireNonNull(dir, "dir").toAbsolutePath().normalize();
        this.watch = watch;
        this.accounts = Objects.requireNonNull(accounts, "accounts");
        this.builtinFinder = Objects.requireNonNull(builtins, "builtins");
        this.manager = new HostPluginManager(this.dir);
        this.gauge =
                MultiGauge.builder("sabir.plugins")
                        .description("1 per plugin, tagged with its state")
                        .register(accounts.registry());
    }

    /** Connectors on the host's class path, found with {@link ServiceLoader}. */
    static List<Connector> classPathConnectors() {
        List<Connector> out = new ArrayList<>();
        var it = ServiceLoader.load(Connector.class, PluginHost.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) {
                    break;
                }
                out.add(it.next());
            } catch (ServiceConfigurationError e) {
                log.warn("built-in connector skipped: {}", e.getMessage());
            }
        }
        return out;
    }

    /** Loads built-in connectors and every plugin in the folder, and starts watching. */
    public void start() {
        synchronized (lock) {
            if (started || closed) {
                return;
            }
            started = true;
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                log.warn("plugin folder {} cannot be created: {}", dir, e.toString());
            }
            if (watch) {
                startWatching();
            }
            for (Connector c : builtinFinder.get()) {
                String protocol = protocolOf(c);
                if (protocol != null && builtins.putIfAbsent(protocol, c) == null) {
                    log.info("built-in connector {} found ({})", protocol, c.getClass().getName());
                }
            }
            Map<Path, Stamp> onDisk = scan();
            List<String> loaded = new ArrayList<>();
            for (Map.Entry<Path, Stamp> e : onDisk.entrySet()) {
                String id = load(e.getKey(), e.getValue());
                if (id != null) {
                    loaded.add(id);
                }
            }
            // start in dependency order
            for (PluginWrapper w : manager.getResolvedPlugins()) {
                String id = w.getPluginId();
                if (loaded.remove(id)) {
                    startLoaded(id, "loaded");
                }
            }
            for (String id : loaded) {
                startLoaded(id, "loaded");
            }
            for (Map.Entry<String, Connector> b : builtins.entrySet()) {
                if (!providedByJar(b.getKey())) {
                    accounts.connectorAdded(BUILTIN, b.getValue());
                }
            }
            publishGauge();
        }
    }

    /** The plugins and their states: built-in connectors first, then JAR plugins by id. */
    public List<PluginStatus> plugins() {
        synchronized (lock) {
            List<PluginStatus> out = new ArrayList<>();
            if (!builtins.isEmpty()) {
                out.add(new PluginStatus(BUILTIN, "", BUILTIN, List.copyOf(builtins.keySet()), ""));
            }
            jars.values().stream()
                    .map(j -> j.status)
                    .filter(Objects::nonNull)
                    .sorted(Comparator.comparing(PluginStatus::id))
                    .forEach(out::add);
            return out;
        }
    }

    /** The class loader of a loaded plugin, or null when no plugin of that id is loaded. */
    public ClassLoader classLoaderOf(String pluginId) {
        PluginWrapper w = manager.getPlugin(pluginId);
        return w == null ? null : w.getPluginClassLoader();
    }

    /** The connectors of a started plugin (tests). */
    List<Connector> connectorsOf(String pluginId) {
        synchronized (lock) {
            return List.copyOf(pluginConnectors.getOrDefault(pluginId, List.of()));
        }
    }

    @Override
    public void close() {
        closed = true;
        WatchService ws;
        Thread w;
        synchronized (lock) {
            ws = watchService;
            w = watcher;
        }
        if (ws != null) {
            try {
                ws.close();
            } catch (IOException e) {
                log.debug("closing the watch service: {}", e.toString());
            }
        }
        if (w != null) {
            try {
                w.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (lock) {
            List<PluginWrapper> startedPlugins = new ArrayList<>(manager.getStartedPlugins());
            java.util.Collections.reverse(startedPlugins);
            for (PluginWrapper p : startedPlugins) {
                accounts.pluginRemoving(p.getPluginId());
            }
            accounts.pluginRemoving(BUILTIN);
            for (PluginWrapper p : startedPlugins) {
                try {
                    manager.stopPlugin(p.getPluginId());
                } catch (RuntimeException | LinkageError e) {
                    log.warn("plugin {}: stop failed: {}", p.getPluginId(), e.toString());
                }
            }
            for (PluginWrapper p : new ArrayList<>(manager.getPlugins())) {
                try {
                    manager.unloadPlugin(p.getPluginId());
                } catch (RuntimeException | LinkageError e) {
                    log.warn("plugin {}: unload failed: {}", p.getPluginId(), e.toString());
                }
            }
            pluginConnectors.clear();
            jars.clear();
            builtins.clear();
            gauge.register(List.of(), true);
        }
    }

    // ------------------------------------------------------------------ loading and unloading

    /** Loads a jar (not started). Returns the plugin id, or null when it failed. Holds the lock. */
    private String load(Path jar, Stamp stamp) {
        JarState state = new JarState(stamp);
        jars.put(jar, state);
        try {
            String id = manager.loadPlugin(jar);
            state.pluginId = id;
            return id;
        } catch (RuntimeException | LinkageError e) {
            forgetPath(jar);
            String id = fileId(jar);
            String reason = reason(e);
            state.status = new PluginStatus(id, "", "failed", List.of(), reason);
            log.warn("plugin {} failed to load from {}: {}", id, jar.getFileName(), reason);
            accounts.pluginFailed(id, reason);
            return null;
        }
    }

    /** Starts a loaded plugin and offers its connectors. Holds the lock. */
    private void startLoaded(String id, String how) {
        JarState state = stateOf(id);
        PluginWrapper w = manager.getPlugin(id);
        if (state == null || w == null) {
            return;
        }
        String version = w.getDescriptor().getVersion();
        PluginState result;
        Throwable failure = null;
        try {
            result = manager.startPlugin(id);
        } catch (RuntimeException | LinkageError e) {
            result = PluginState.FAILED;
            failure = e;
        }
        if (result != PluginState.STARTED) {
            if (failure == null) {
                failure = w.getFailedException();
            }
            fail(
                    state,
                    id,
                    version,
                    failure == null ? "plugin state is " + result : reason(failure));
            return;
        }
        List<Connector> connectors;
        List<String> protocols = new ArrayList<>();
        try {
            connectors = List.copyOf(manager.getExtensions(Connector.class, id));
            for (Connector c : connectors) {
                String p = protocolOf(c);
                if (p == null) {
                    throw new IllegalStateException(
                            "connector " + c.getClass().getName() + " has no protocol id");
                }
                protocols.add(p);
            }
        } catch (RuntimeException | LinkageError e) {
            fail(state, id, version, reason(e));
            return;
        }
        pluginConnectors.put(id, connectors);
        state.status = new PluginStatus(id, version, "started", List.copyOf(protocols), "");
        if (connectors.isEmpty()) {
            log.warn("plugin {} {} {} but provides no connector", id, version, how);
        } else {
            log.info(
                    "plugin {} {} {} (protocols: {})",
                    id,
                    version,
                    how,
                    String.join(", ", protocols));
        }
        for (Connector c : connectors) {
            accounts.connectorAdded(id, c);
        }
    }

    private void fail(JarState state, String id, String version, String reason) {
        log.warn("plugin {} {} failed to start: {}", id, version, reason);
        state.status = new PluginStatus(id, version, "failed", List.of(), reason);
        try {
            manager.unloadPlugin(id);
        } catch (RuntimeException | LinkageError e) {
            log.debug("plugin {}: unload after failure: {}", id, e.toString());
        }
        state.pluginId = null;
        accounts.pluginFailed(id, reason);
    }

    /** Unloads the plugin of a jar that went away or is being replaced. Holds the lock. */
    private void unload(Path jar, String why) {
        JarState state = jars.remove(jar);
        if (state == null) {
            return;
        }
        String id = state.pluginId;
        if (id == null) {
            if (state.status != null) {
                accounts.pluginFailureCleared(state.status.id());
                log.info("plugin {} forgotten ({})", state.status.id(), why);
            }
            return;
        }
        pluginConnectors.remove(id);
        accounts.pluginRemoving(id);
        try {
            manager.stopPlugin(id);
        } catch (RuntimeException | LinkageError e) {
            log.warn("plugin {}: stop failed: {}", id, e.toString());
        }
        ClassLoader loader = classLoaderOf(id);
        try {
            manager.unloadPlugin(id);
        } catch (RuntimeException | LinkageError e) {
            log.warn("plugin {}: unload failed: {}", id, e.toString());
        }
        hygiene.scrubLater(loader);
        log.info("plugin {} unloaded ({})", id, why);
    }

    /** After a failed load, removes whatever PF4J kept for the path. */
    private void forgetPath(Path jar) {
        for (PluginWrapper w : new ArrayList<>(manager.getPlugins())) {
            if (jar.equals(w.getPluginPath())) {
                try {
                    manager.unloadPlugin(w.getPluginId());
                } catch (RuntimeException | LinkageError e) {
                    log.debug(
                            "plugin {}: unload after failed load: {}",
                            w.getPluginId(),
                            e.toString());
                }
            }
        }
    }

    private JarState stateOf(String pluginId) {
        for (JarState s : jars.values()) {
            if (pluginId.equals(s.pluginId)) {
                return s;
            }
        }
        return null;
    }

    private boolean providedByJar(String protocol) {
        for (List<Connector> cs : pluginConnectors.values()) {
            for (Connector c : cs) {
                if (protocol.equals(protocolOf(c))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String protocolOf(Connector c) {
        try {
            return c.protocol();
        } catch (RuntimeException | LinkageError e) {
            log.warn(
                    "connector {} has no usable protocol id: {}",
                    c.getClass().getName(),
                    e.toString());
            return null;
        }
    }

    private static String fileId(Path jar) {
        String n = jar.getFileName().toString();
        return n.endsWith(".jar") ? n.substring(0, n.length() - 4) : n;
    }

    static String reason(Throwable t) {
        String first =
                t.getClass().getSimpleName()
                        + (t.getMessage() == null ? "" : ": " + t.getMessage());
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root != t) {
            first +=
                    " (caused by "
                            + root.getClass().getSimpleName()
                            + (root.getMessage() == null ? "" : ": " + root.getMessage())
                            + ")";
        }
        int nl = first.indexOf('\n');
        return nl < 0 ? first : first.substring(0, nl);
    }

    private void publishGauge() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (PluginStatus s : plugins()) {
            rows.add(MultiGauge.Row.of(Tags.of("plugin", s.id(), "state", s.state()), 1));
        }
        gauge.register(rows, true);
    }

    // ------------------------------------------------------------------ watching

    private static boolean isPluginFile(Path p) {
        String n = p.getFileName().toString();
        return n.endsWith(".jar") && !n.startsWith(".");
    }

    /** The plugin jars in the folder with their stamps, by name. */
    private Map<Path, Stamp> scan() {
        Map<Path, Stamp> out = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.jar")) {
            for (Path p : ds) {
                if (!isPluginFile(p)) {
                    continue;
                }
                try {
                    BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                    if (a.isRegularFile()) {
                        out.put(
                                p.toAbsolutePath().normalize(),
                                new Stamp(a.size(), a.lastModifiedTime().toMillis(), a.fileKey()));
                    }
                } catch (IOException e) {
                    // vanished between listing and reading
                }
            }
        } catch (IOException e) {
            log.warn("plugin folder {} cannot be read: {}", dir, e.toString());
        }
        return out;
    }

    private void startWatching() {
        try {
            watchService = dir.getFileSystem().newWatchService();
            dir.register(
                    watchService,
                    StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE,
                    StandardWatchEventKinds.ENTRY_MODIFY);
        } catch (IOException | RuntimeException e) {
            log.warn("plugin folder {} cannot be watched: {}", dir, e.toString());
            watchService = null;
            return;
        }
        WatchService ws = watchService;
        watcher = new Thread(() -> watchLoop(ws), "sabir-plugin-watch");
        watcher.setDaemon(true);
        watcher.start();
        log.info("watching {} for plugin jars", dir);
    }

    private void watchLoop(WatchService ws) {
        Map<Path, Pending> pending = new HashMap<>();
        while (!closed) {
            WatchKey key;
            try {
                key =
                        ws.poll(
                                pending.isEmpty() ? 1000 : 50,
                                java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            boolean dirty = false;
            if (key != null) {
                for (WatchEvent<?> ev : key.pollEvents()) {
                    if (ev.kind() == StandardWatchEventKinds.OVERFLOW) {
                        dirty = true;
                    } else if (ev.context() instanceof Path p && isPluginFile(p)) {
                        dirty = true;
                    }
                }
                key.reset();
            }
            if (dirty || !pending.isEmpty()) {
                try {
                    reconcile(pending);
                } catch (RuntimeException | LinkageError e) {
                    log.warn("plugin folder check failed: {}", e.toString());
                }
            }
        }
    }

    /** Brings the loaded plugins in line with the folder. Runs on the watcher thread. */
    private void reconcile(Map<Path, Pending> pending) {
        Map<Path, Stamp> onDisk = scan();
        long now = System.nanoTime();
        synchronized (lock) {
            if (closed) {
                return;
            }
            boolean changed = false;
            for (Path known : new ArrayList<>(jars.keySet())) {
                if (!onDisk.containsKey(known)) {
                    unload(known, "jar removed");
                    changed = true;
                }
            }
            for (Map.Entry<Path, Stamp> e : onDisk.entrySet()) {
                Path jar = e.getKey();
                Stamp stamp = e.getValue();
                JarState known = jars.get(jar);
                if (known != null && known.stamp.equals(stamp)) {
                    pending.remove(jar);
                    continue;
                }
                Pending p = pending.get(jar);
                if (p == null || !p.stamp.equals(stamp)) {
                    pending.put(jar, new Pending(stamp, now));
                    continue;
                }
                if (now - p.since < QUIET_MILLIS * 1_000_000L) {
                    continue;
                }
                pending.remove(jar);
                String how = "added";
                if (known != null) {
                    unload(jar, "jar replaced");
                    how = "replaced";
                }
                String id = load(jar, stamp);
                if (id != null) {
                    startLoaded(id, how);
                }
                changed = true;
            }
            pending.keySet().retainAll(onDisk.keySet());
            if (changed) {
                offerUncoveredBuiltins();
                publishGauge();
            }
        }
    }

    /**
     * Offers built-in connectors for protocols that lost their jar (removed, or a replacement
     * failed).
     */
    private void offerUncoveredBuiltins() {
        for (Map.Entry<String, Connector> b : builtins.entrySet()) {
            if (!providedByJar(b.getKey()) && accounts.needsConnector(b.getKey())) {
                accounts.connectorAdded(BUILTIN, b.getValue());
            }
        }
    }

    /** Size, time and identity of a jar file. */
    private record Stamp(long size, long modified, Object fileKey) {}

    /** A changed jar waiting to be quiet. */
    private record Pending(Stamp stamp, long since) {}

    /** A jar the host knows: its stamp when taken, its plugin id (when loaded), its status. */
    private static final class JarState {
        final Stamp stamp;
        String pluginId;
        PluginStatus status;

        JarState(Stamp stamp) {
            this.stamp = stamp;
        }
    }
}
