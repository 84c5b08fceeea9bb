package dev.sabir.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Sender;
import dev.sabir.server.SabirServer;
import dev.sabir.server.config.ConfigLoader;
import dev.sabir.server.plugin.AccountStatus;
import dev.sabir.testkit.servers.Ngircd;
import dev.sabir.testkit.servers.Prosody;
import java.io.File;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real protocol plugins, loaded from their shaded JARs into an in-process Sabir, carry traffic,
 * are unloaded when their JARs are deleted, and leave nothing behind that keeps their class loaders
 * alive: a plugin JAR replaced a hundred times must not keep a hundred copies of itself.
 */
@Timeout(120)
class PluginUnloadLeakTest {

    /** Plugin id → the module artifact whose shaded JAR it is. */
    private static final Map<String, String> PLUGINS = new LinkedHashMap<>();

    static {
        PLUGINS.put("loopback", "sabir-loopback");
        PLUGINS.put("torchat", "sabir-torchat");
        PLUGINS.put("soulseek", "sabir-soulseek");
        PLUGINS.put("simplex", "sabir-simplex");
        PLUGINS.put("ipcfile", "sabir-ipcfile");
    }

    @TempDir Path dir;
    private SabirServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** The shaded {@code -plugin.jar} next to the module JAR on this test's class path. */
    static Path pluginJar(String artifact) {
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path p = Path.of(entry);
            String name = p.getFileName().toString();
            if (name.startsWith(artifact + "-") && name.endsWith(".jar")) {
                Path plugin = p.resolveSibling(name.replace(".jar", "-plugin.jar"));
                if (Files.isRegularFile(plugin)) {
                    return plugin;
                }
            }
            if (p.endsWith(Path.of("target", "classes"))
                    && p.getParent().getParent().getFileName() != null) {
                try (var s = Files.list(p.getParent())) {
                    Path found =
                            s.filter(
                                            f -> {
                                                String n = f.getFileName().toString();
                                                return n.startsWith(artifact + "-")
                                                        && n.endsWith("-plugin.jar");
                                            })
                                    .findFirst()
                                    .orElse(null);
                    if (found != null) {
                        return found;
                    }
                } catch (java.io.IOException ignored) {
                    // not this entry
                }
            }
        }
        Path m2 =
                Path.of(
                        System.getProperty("user.home"),
                        ".m2/repository/dev/sabir",
                        artifact,
                        "0.1.0-SNAPSHOT",
                        artifact + "-0.1.0-SNAPSHOT-plugin.jar");
        assertThat(m2).as("the shaded plugin jar of " + artifact).isRegularFile();
        return m2;
    }

    @Test
    void realPluginsUnloadCompletely() throws Exception {
        int lo = SabirProcess.freePort();
        int tcA = SabirProcess.freePort();
        int tcB = SabirProcess.freePort();
        int slsk = SabirProcess.freePort();
        int sx = SabirProcess.freePort();
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        for (Map.Entry<String, String> e : PLUGINS.entrySet()) {
            Files.copy(
                    pluginJar(e.getValue()),
                    plugins.resolve(e.getKey() + ".jar"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
        String yaml =
                SabirProcess.baseConfig(dir, SabirProcess.freePort(), true)
                        + """
                accounts:
                  losrv: { plugin: loopback, listen: "127.0.0.1:%d" }
                  locli: { plugin: loopback, connect: "127.0.0.1:%d", nick: relay }
                  tca:
                    plugin: torchat
                    transport: direct
                    id: aaaaaaaaaaaaaaaa
                    listen: "127.0.0.1:%d"
                    peers: { bbbbbbbbbbbbbbbb: "127.0.0.1:%d" }
                    buddies: [ bbbbbbbbbbbbbbbb ]
                  tcb:
                    plugin: torchat
                    transport: direct
                    id: bbbbbbbbbbbbbbbb
                    listen: "127.0.0.1:%d"
                    peers: { aaaaaaaaaaaaaaaa: "127.0.0.1:%d" }
                    buddies: [ aaaaaaaaaaaaaaaa ]
                  slsrv: { plugin: soulseek, mode: server, listen: "127.0.0.1:%d", rooms: [lobby] }
                  slcli:
                    plugin: soulseek
                    server: "127.0.0.1:%d"
                    user: relay
                    password: pw
                    rooms: [lobby]
                  sx: { plugin: simplex, listen: "127.0.0.1:%d", name: Leak, groups: [lobby] }
                  ipc:
                    plugin: ipcfile
                    rundir: "%s"
                    tcp_listen: "127.0.0.1:%d"
                    jwt: { hs256_secret: "0123456789abcdef0123456789abcdef" }
                links:
                  lobby:
                    members:
                      - "loopback:losrv/lobby"
                      - "soulseek:slcli/room:lobby"
                      - "torchat:tca/bbbbbbbbbbbbbbbb"
                      - "simplex:sx/lobby"
                """
                                .formatted(
                                        lo,
                                        lo,
                                        tcA,
                                        tcB,
                                        tcB,
                                        tcA,
                                        slsk,
                                        slsk,
                                        sx,
                                        Files.createDirectories(dir.resolve("ipc")),
                                        SabirProcess.freePort());
        Path file = dir.resolve("sabir.yml");
        Files.writeString(file, yaml);
        server = new SabirServer(ConfigLoader.load(file, Map.of(), dir)).start();
        awaitAllOnline();
        Map<String, WeakReference<ClassLoader>> loaders = loaders(PLUGINS.keySet());
        // traffic through every plugin: a message into the link reaches the other members
        Address room = Address.parse("loopback:losrv/lobby");
        for (int i = 0; i < 3; i++) {
            server.inject(
                    ChatMessage.of(room, Sender.of("lucy", "lucy"), "m" + i, "leak check " + i));
        }
        Thread.sleep(2000);

        assertUnloadsCompletely(plugins, PLUGINS.keySet(), loaders);
    }

    @Test
    void networkBridgesUnloadCompletely() throws Exception {
        try (Prosody prosody =
                        Prosody.builder()
                                .component("gw.localhost", "gw-secret")
                                .component("ft.localhost", "ft-secret")
                                .start();
                Ngircd ngircd = Ngircd.start(dir)) {
            prosody.register("leaky", "pw");
            Map<String, String> bridges = new LinkedHashMap<>();
            bridges.put("irc", "sabir-bridge-irc");
            bridges.put("xmpp", "sabir-bridge-xmpp");
            bridges.put("jabberft", "sabir-jabberft");
            Path plugins = Files.createDirectories(dir.resolve("plugins"));
            for (Map.Entry<String, String> e : bridges.entrySet()) {
                Files.copy(pluginJar(e.getValue()), plugins.resolve(e.getKey() + ".jar"));
            }
            String yaml =
                    SabirProcess.baseConfig(dir, SabirProcess.freePort(), true)
                            + """
                    accounts:
                      ircnet:
                        plugin: irc
                        server: "%s"
                        nick: leakbot
                        channels: [ "#leak" ]
                      jabber:
                        plugin: xmpp
                        mode: component
                        server: "%s"
                        domain: gw.localhost
                        secret: gw-secret
                      p2p:
                        plugin: jabberft
                        server: "%s"
                        domain: ft.localhost
                        secret: ft-secret
                        listen: "127.0.0.1:0"
                      jclient:
                        plugin: xmpp
                        mode: client
                        jid: leaky@localhost
                        password: pw
                        server: "127.0.0.1:%d"
                        tls: disabled
                        nick: leaky
                    links:
                      leak:
                        members: [ "irc:ircnet/#leak", "xmpp:jabber/leak", "xmpp:jclient/leak@conference.localhost" ]
                    """
                                    .formatted(
                                            ngircd.hostPort(),
                                            prosody.componentAddress(),
                                            prosody.componentAddress(),
                                            prosody.c2sPort());
            Path file = dir.resolve("sabir.yml");
            Files.writeString(file, yaml);
            server = new SabirServer(ConfigLoader.load(file, Map.of(), dir)).start();
            awaitAllOnline();
            Map<String, WeakReference<ClassLoader>> loaders = loaders(bridges.keySet());
            try (IrcUser alice = IrcUser.connect(ngircd.port(), "alice")) {
                alice.join("#leak");
                for (int i = 0; i < 3; i++) {
                    alice.say("#leak", "leak check " + i);
                }
                Thread.sleep(1500);
            }
            assertUnloadsCompletely(plugins, bridges.keySet(), loaders);
        }
    }

    private void awaitAllOnline() {
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                server.accounts().statuses().stream()
                                        .map(AccountStatus::state)
                                        .allMatch("online"::equals));
    }

    private Map<String, WeakReference<ClassLoader>> loaders(Iterable<String> ids) {
        Map<String, WeakReference<ClassLoader>> loaders = new LinkedHashMap<>();
        for (String id : ids) {
            ClassLoader cl = server.plugins().classLoaderOf(id);
            assertThat(cl).as("plugin " + id + " loaded from its jar").isNotNull();
            loaders.put(id, new WeakReference<>(cl));
        }
        return loaders;
    }

    private void assertUnloadsCompletely(
            Path plugins, Iterable<String> ids, Map<String, WeakReference<ClassLoader>> loaders)
            throws Exception {
        for (String id : ids) {
            Files.delete(plugins.resolve(id + ".jar"));
        }
        await().atMost(Duration.ofSeconds(30))
                .until(
                        () ->
                                loaders.keySet().stream()
                                        .allMatch(
                                                id -> server.plugins().classLoaderOf(id) == null));
        List<byte[]> pressure = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline
                && loaders.values().stream().anyMatch(w -> w.get() != null)) {
            System.gc();
            pressure.add(new byte[1 << 20]);
            if (pressure.size() > 16) {
                pressure.clear();
            }
            Thread.sleep(100);
        }
        List<String> leaked = new ArrayList<>();
        loaders.forEach(
                (id, w) -> {
                    if (w.get() != null) {
                        leaked.add(id);
                    }
                });
        if (!leaked.isEmpty() && System.getProperty("sabir.leak.dump") != null) {
            // what holds each class loader: scripts/hprof-leaks.py <file>
            java.lang.management.ManagementFactory.getPlatformMXBean(
                            com.sun.management.HotSpotDiagnosticMXBean.class)
                    .dumpHeap(System.getProperty("sabir.leak.dump"), true);
        }
        assertThat(leaked).as("plugins whose class loader is still reachable").isEmpty();
    }
}
