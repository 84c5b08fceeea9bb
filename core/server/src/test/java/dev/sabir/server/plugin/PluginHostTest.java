package dev.sabir.server.plugin;

import static dev.sabir.server.plugin.TestSupport.account;
import static dev.sabir.server.plugin.TestSupport.config;
import static dev.sabir.server.plugin.TestSupport.stateOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Connector;
import dev.sabir.api.Delivery;
import dev.sabir.api.Sender;
import dev.sabir.server.plugin.FixtureJars.Spec;
import dev.sabir.server.plugin.TestSupport.MemoryStores;
import dev.sabir.server.plugin.TestSupport.RecordingRouter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PluginHostTest {

    @TempDir Path plugins;
    @TempDir Path data;

    private final RecordingRouter router = new RecordingRouter();
    private final MemoryStores stores = new MemoryStores();
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private AccountManager accounts;
    private PluginHost host;

    @AfterEach
    void tearDown() {
        if (host != null) {
            host.close();
        }
        if (accounts != null) {
            accounts.close();
        }
        scheduler.shutdownNow();
    }

    private void start(List<String[]> accountSpecs, Supplier<List<Connector>> builtins) {
        List<dev.sabir.server.config.SabirConfig.AccountEntry> entries = new ArrayList<>();
        for (String[] a : accountSpecs) {
            entries.add(account(a[0], a[1], Map.of()));
        }
        accounts =
                TestSupport.manager(
                        config(entries, Map.of()), router, stores, scheduler, registry, data);
        host = new PluginHost(plugins, true, accounts, builtins);
        host.start();
    }

    private void start(String... accountAndProtocol) {
        List<String[]> specs = new ArrayList<>();
        for (int i = 0; i < accountAndProtocol.length; i += 2) {
            specs.add(new String[] {accountAndProtocol[i], accountAndProtocol[i + 1]});
        }
        start(specs, List::of);
    }

    private String stored(String account, String key) {
        return stores.value("account:" + account, key);
    }

    private void awaitState(String account, String state) {
        await().atMost(Duration.ofSeconds(5)).until(() -> stateOf(accounts, account).equals(state));
    }

    private PluginStatus plugin(String id) {
        return host.plugins().stream().filter(p -> p.id().equals(id)).findFirst().orElse(null);
    }

    @Test
    void loadsPluginsAtStartAndStartsTheirAccounts() throws Exception {
        Files.write(plugins.resolve("alpha.jar"), FixtureJars.jar(Spec.of("alpha", "1.0.0")));
        Address acct = Address.ofAccount("alpha", "a1");
        router.links.put(acct, List.of(acct.withId("#room")));
        start("a1", "alpha");

        awaitState("a1", "online");
        assertThat(host.plugins())
                .containsExactly(
                        new PluginStatus("alpha", "1.0.0", "started", List.of("alpha"), ""));
        assertThat(router.attached).containsKey(acct);
        assertThat(stored("a1", "connected")).isEqualTo("1.0.0");
        await().atMost(Duration.ofSeconds(2))
                .until(() -> "1.0.0".equals(stored("a1", "joined:alpha:a1/#room")));
        assertThat(
                        registry.get("sabir.plugins")
                                .tags("plugin", "alpha", "state", "started")
                                .gauge()
                                .value())
                .isEqualTo(1.0);
        assertThat(
                        registry.get("sabir.plugin.fx_alive")
                                .tags("account", "a1", "protocol", "alpha")
                                .gauge()
                                .value())
                .isEqualTo(1.0);
        // the connector is a plugin class seen through the host's interface
        Connector c = host.connectorsOf("alpha").get(0);
        assertThat(c.getClass().getClassLoader()).isSameAs(host.classLoaderOf("alpha"));
        assertThat(c.getClass().getClassLoader()).isNotSameAs(PluginHost.class.getClassLoader());
    }

    @Test
    void droppedInJarStartsItsAccountsWithinTwoSeconds() throws Exception {
        Spec spec = Spec.of("beta", "1.0.0");
        FixtureJars.jar(spec); // compile before the clock starts
        start("b1", "beta");
        assertThat(stateOf(accounts, "b1")).isEqualTo("waiting");

        long t0 = System.nanoTime();
        FixtureJars.dropIn(plugins, "beta.jar", spec);
        await().atMost(Duration.ofSeconds(2))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> stateOf(accounts, "b1").equals("online"));
        long millis = (System.nanoTime() - t0) / 1_000_000;
        assertThat(millis).isLessThan(2000);
        assertThat(plugin("beta").state()).isEqualTo("started");
        System.out.println("hot drop-in to account online: " + millis + " ms");
    }

    @Test
    void removedJarClosesSessionsAndUnloadsThePlugin() throws Exception {
        Path jar =
                Files.write(
                        plugins.resolve("gamma.jar"), FixtureJars.jar(Spec.of("gamma", "1.0.0")));
        start("g1", "gamma");
        awaitState("g1", "online");
        assertThat(host.classLoaderOf("gamma")).isNotNull();

        Files.delete(jar);
        awaitState("g1", "waiting");
        assertThat(stored("g1", "closed")).isEqualTo("1.0.0");
        assertThat(router.attached).isEmpty();
        assertThat(router.calls).endsWith("detach gamma:g1");
        assertThat(host.plugins()).isEmpty();
        assertThat(host.classLoaderOf("gamma")).isNull();
        assertThat(registry.find("sabir.plugin.fx_alive").gauge()).isNull();
        assertThat(scheduler.getQueue()).as("the session's periodic task was cancelled").isEmpty();
    }

    @Test
    void replacedJarReloadsThePluginAndRestartsItsAccounts() throws Exception {
        byte[] v2 = FixtureJars.jar(Spec.of("delta", "2.0.0"));
        Path jar =
                Files.write(
                        plugins.resolve("delta.jar"), FixtureJars.jar(Spec.of("delta", "1.0.0")));
        start("d1", "delta");
        awaitState("d1", "online");
        assertThat(stored("d1", "connected")).isEqualTo("1.0.0");

        Files.write(jar, v2); // in place, not atomic: the host waits until the file is quiet
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "2.0.0".equals(stored("d1", "connected")));
        awaitState("d1", "online");
        assertThat(stored("d1", "closed")).isEqualTo("1.0.0");
        assertThat(plugin("delta"))
                .isEqualTo(new PluginStatus("delta", "2.0.0", "started", List.of("delta"), ""));
        Address d1 = Address.ofAccount("delta", "d1");
        Delivery d =
                new Delivery(
                        1,
                        d1.withId("#r"),
                        ChatMessage.of(d1.withId("#r"), Sender.of("x"), "1", "t"),
                        d1,
                        "t");
        assertThat(router.attached.get(d1).deliver(d).toCompletableFuture().join())
                .isEqualTo("2.0.0");
    }

    @Test
    void failingPluginsAreIsolatedAndTheirAccountsShowTheReason() throws Exception {
        Files.write(plugins.resolve("good.jar"), FixtureJars.jar(Spec.of("good", "1.0.0")));
        Files.write(
                plugins.resolve("crashy.jar"),
                FixtureJars.jar(Spec.of("crashy", "1.0.0").throwingStart()));
        Files.write(
                plugins.resolve("broken.jar"), FixtureJars.jar(Spec.of("broken", "1.0.0").noId()));
        Files.write(plugins.resolve("garbage.jar"), new byte[] {1, 2, 3, 4, 5});
        start("ok", "good", "c1", "crashy", "b1", "broken");

        awaitState("ok", "online");
        AccountStatus c1 = accounts.status("c1").orElseThrow();
        assertThat(c1.state()).isEqualTo("failed");
        assertThat(c1.reason()).contains("plugin crashy failed").contains("native library missing");
        assertThat(accounts.status("b1").orElseThrow().state()).isEqualTo("failed");
        assertThat(plugin("crashy").state()).isEqualTo("failed");
        assertThat(plugin("crashy").reason()).contains("native library missing");
        assertThat(plugin("broken").state()).isEqualTo("failed");
        assertThat(plugin("broken").reason()).containsIgnoringCase("id");
        assertThat(plugin("garbage").state()).isEqualTo("failed");
        assertThat(plugin("good").state()).isEqualTo("started");
        assertThat(
                        registry.get("sabir.plugins")
                                .tags("plugin", "crashy", "state", "failed")
                                .gauge()
                                .value())
                .isEqualTo(1.0);

        // fixing the plugin (replacing the jar) brings its account up
        FixtureJars.dropIn(plugins, "crashy.jar", Spec.of("crashy", "1.0.1"));
        awaitState("c1", "online");
        assertThat(plugin("crashy").state()).isEqualTo("started");
    }

    @Test
    void unloadedPluginClassLoaderCanBeCollected() throws Exception {
        Path jar =
                Files.write(plugins.resolve("eps.jar"), FixtureJars.jar(Spec.of("eps", "1.0.0")));
        start("e1", "eps");
        awaitState("e1", "online");
        assertThat(accounts.restart("e1")).isTrue(); // a session opened and closed while loaded
        awaitState("e1", "online");
        assertThat(stored("e1", "closed")).isEqualTo("1.0.0");
        WeakReference<ClassLoader> loader = new WeakReference<>(host.classLoaderOf("eps"));
        assertThat(loader.get()).isInstanceOf(HostPluginManager.HostFirstClassLoader.class);

        Files.delete(jar);
        awaitState("e1", "waiting");
        assertThat(host.classLoaderOf("eps")).isNull();

        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<byte[]> pressure = new ArrayList<>();
        while (loader.get() != null && System.nanoTime() < deadline) {
            System.gc();
            pressure.add(new byte[1 << 20]);
            if (pressure.size() > 16) {
                pressure.clear();
            }
            Thread.sleep(50);
        }
        assertThat(loader.get()).as("the plugin's class loader was collected").isNull();
    }

    @Test
    void bundledCopiesOfSharedPackagesAreIgnored() throws Exception {
        Files.write(
                plugins.resolve("zeta.jar"),
                FixtureJars.jar(Spec.of("zeta", "1.0.0").bundlingShared()));
        start("z1", "zeta");
        awaitState("z1", "online");

        ClassLoader pl = host.classLoaderOf("zeta");
        assertThat(((URLClassLoader) pl).findResource("dev/sabir/api/Connector.class"))
                .as("the jar does bundle its own copy")
                .isNotNull();
        assertThat(((URLClassLoader) pl).findResource("io/netty/util/Version.class")).isNotNull();
        assertThat(pl.loadClass("dev.sabir.api.Connector")).isSameAs(Connector.class);
        assertThat(pl.loadClass("dev.sabir.api.Session")).isSameAs(dev.sabir.api.Session.class);
        assertThat(pl.loadClass("io.netty.util.Version")).isSameAs(io.netty.util.Version.class);
        List<Connector> cs = host.connectorsOf("zeta");
        assertThat(cs).hasSize(1);
        assertThat(cs.get(0).getClass().getInterfaces()).contains(Connector.class);
    }

    @Test
    void builtinConnectorServesOnlyWhileNoJarProvidesTheProtocol() throws Exception {
        ScriptedConnector builtin = new ScriptedConnector("eta");
        start(List.<String[]>of(new String[] {"h1", "eta"}), () -> List.of(builtin));
        awaitState("h1", "online");
        assertThat(builtin.sessions).hasSize(1);
        assertThat(host.plugins())
                .containsExactly(new PluginStatus("builtin", "", "builtin", List.of("eta"), ""));

        Path jar = FixtureJars.dropIn(plugins, "eta.jar", Spec.of("eta", "3.0.0"));
        await().atMost(Duration.ofSeconds(5))
                .until(() -> "3.0.0".equals(stored("h1", "connected")));
        awaitState("h1", "online");
        assertThat(builtin.session("h1").closed).isTrue();

        Files.delete(jar);
        await().atMost(Duration.ofSeconds(5)).until(() -> builtin.sessions.size() == 2);
        awaitState("h1", "online");
        assertThat(stored("h1", "closed")).isEqualTo("3.0.0");
        assertThat(builtin.session("h1").closed).isFalse();
    }
}
