package dev.sabir.server.plugin;

import static dev.sabir.server.plugin.TestSupport.account;
import static dev.sabir.server.plugin.TestSupport.config;
import static dev.sabir.server.plugin.TestSupport.names;
import static dev.sabir.server.plugin.TestSupport.stateOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.DirectFileTransport;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileTransports;
import dev.sabir.api.Gateway;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.RegistrationField;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.plugin.ScriptedConnector.ScriptedSession;
import dev.sabir.server.plugin.TestSupport.MemoryStores;
import dev.sabir.server.plugin.TestSupport.RecordingRouter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountManagerTest {

    @TempDir Path data;

    private final RecordingRouter router = new RecordingRouter();
    private final MemoryStores stores = new MemoryStores();
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<AccountManager> managers = new ArrayList<>();

    @AfterEach
    void tearDown() {
        managers.forEach(AccountManager::close);
        scheduler.shutdownNow();
    }

    private AccountManager manager(SabirConfig cfg) {
        return manager(cfg, router);
    }

    private AccountManager manager(SabirConfig cfg, RecordingRouter r) {
        AccountManager m = TestSupport.manager(cfg, r, stores, scheduler, registry, data);
        managers.add(m);
        return m;
    }

    private static Delivery delivery(Address to) {
        return new Delivery(
                7, to, ChatMessage.of(to, Sender.of("bob"), "m1", "hi"), to, "<bob> hi");
    }

    @Test
    void sessionStateDrivesAttachDetachAndLinkJoins() {
        AccountManager m =
                manager(config(List.of(account("m1", "scr", Map.of("mode", "manual"))), Map.of()));
        Address acct = Address.ofAccount("scr", "m1");
        Address room = acct.withId("#room");
        router.links.put(acct, List.of(room));
        ScriptedConnector c = new ScriptedConnector("scr");

        m.connectorAdded("test", c);
        ScriptedSession s = c.session("m1");
        assertThat(stateOf(m, "m1")).isEqualTo("connecting");
        assertThat(router.attached).isEmpty();

        s.emit(SessionState.State.ONLINE, "");
        assertThat(stateOf(m, "m1")).isEqualTo("online");
        assertThat(router.attached).containsKey(acct);
        assertThat(s.joined).containsExactly(room);

        s.emit(SessionState.State.OFFLINE, "link lost");
        assertThat(m.status("m1")).contains(new AccountStatus("m1", "scr", "offline", "link lost"));
        assertThat(router.attached).doesNotContainKey(acct);

        s.emit(SessionState.State.ONLINE, "");
        assertThat(router.attached).containsKey(acct);
        assertThat(s.joined).containsExactly(room, room);
        assertThat(router.calls).containsExactly("attach scr:m1", "detach scr:m1", "attach scr:m1");

        // every event of the account reaches the router, events naming another account do not
        s.emit(ChatMessage.of(room, Sender.of("carol"), "x1", "hello"));
        s.emit(
                ChatMessage.of(
                        Address.ofAccount("scr", "other").withId("#room"),
                        Sender.of("eve"),
                        "x2",
                        "spoof"));
        assertThat(router.accepted).hasSize(5);
        assertThat(router.accepted.get(4)).isInstanceOf(ChatMessage.class);
        assertThat(router.accepted).noneMatch(e -> e.conversation().account().equals("other"));

        m.close();
        assertThat(s.closed).isTrue();
        assertThat(router.attached).isEmpty();
        s.emit(SessionState.State.ONLINE, "");
        assertThat(router.attached).as("events after close are ignored").isEmpty();
    }

    @Test
    void waitingDisabledAndConfigOrder() {
        AccountManager m =
                manager(
                        config(
                                List.of(
                                        account("z-first", "scr", Map.of()),
                                        new SabirConfig.AccountEntry("off", "scr", false, Map.of()),
                                        account("w1", "nope", Map.of())),
                                Map.of()));
        assertThat(stateOf(m, "z-first")).isEqualTo("waiting");
        m.connectorAdded("test", new ScriptedConnector("scr"));

        List<AccountStatus> st = m.statuses();
        assertThat(names(st)).containsExactly("z-first", "off", "w1");
        assertThat(st.get(0).state()).isEqualTo("online");
        assertThat(st.get(1).state()).isEqualTo("disabled");
        assertThat(st.get(2).state()).isEqualTo("waiting");
        assertThat(st.get(2).reason()).contains("'nope'");
        assertThat(
                        registry.get("sabir.accounts")
                                .tags("account", "z-first", "state", "online")
                                .gauge()
                                .value())
                .isEqualTo(1.0);
        assertThat(
                        registry.get("sabir.accounts")
                                .tags("account", "z-first", "state", "waiting")
                                .gauge()
                                .value())
                .isEqualTo(0.0);
        assertThat(m.restart("w1")).isTrue();
        assertThat(m.restart("unknown")).isFalse();
    }

    @Test
    void invalidConfigurationNamesTheKeyAndLine() {
        AccountManager m =
                manager(
                        config(
                                List.of(
                                        account("bad", "scr", Map.of("port", 99999)),
                                        account("worse", "scr", Map.of("mode", List.of()))),
                                Map.of(
                                        "accounts.bad",
                                        5,
                                        "accounts.bad.port",
                                        7,
                                        "accounts.worse",
                                        9)));
        m.connectorAdded("test", new ScriptedConnector("scr"));
        assertThat(m.status("bad"))
                .contains(
                        new AccountStatus(
                                "bad",
                                "scr",
                                "failed",
                                "accounts.bad.port: must be between 1 and 65535, got 99999 (sabir.yml line 7)"));
        // no line for the key itself: the account's line is given
        assertThat(m.status("worse").orElseThrow().reason())
                .isEqualTo("accounts.worse.mode: expected a text value (sabir.yml line 9)");
    }

    @Test
    void scheduledTasksAndGaugesAreReleasedWhenTheSessionCloses() {
        AccountManager m = manager(config(List.of(account("t1", "scr", Map.of())), Map.of()));
        ScriptedConnector c = new ScriptedConnector("scr");
        m.connectorAdded("test", c);
        ScriptedSession first = c.session("t1");
        await().atMost(Duration.ofSeconds(2)).until(() -> first.ticks.get() > 2);
        SessionHost firstHost = m.hostOf("t1").orElseThrow();
        assertThat(firstHost.trackingScheduler().pending()).isEqualTo(1);
        assertThat(
                        registry.find("sabir.plugin.queue")
                                .tags("account", "t1", "protocol", "scr", "kind", "out")
                                .gauge())
                .isNotNull();

        assertThat(m.restart("t1")).isTrue();
        assertThat(first.closed).isTrue();
        assertThat(firstHost.trackingScheduler().pending()).isZero();
        assertThat(firstHost.pluginMetrics().gauges()).isZero();
        int frozen = first.ticks.get();
        await().during(Duration.ofMillis(150))
                .atMost(Duration.ofSeconds(1))
                .until(() -> first.ticks.get() == frozen);
        assertThat(scheduler.getQueue()).hasSize(1); // only the new session's task
        assertThatThrownBy(() -> firstHost.scheduler().execute(() -> {}))
                .isInstanceOf(java.util.concurrent.RejectedExecutionException.class);

        ScriptedSession second = c.session("t1");
        assertThat(second).isNotSameAs(first);
        await().atMost(Duration.ofSeconds(2)).until(() -> second.ticks.get() > 0);
        m.close();
        assertThat(second.closed).isTrue();
        assertThat(scheduler.getQueue()).isEmpty();
        assertThat(registry.find("sabir.plugin.queue").gauge()).isNull();
        assertThat(registry.find("sabir.plugin.connects").counter().count()).isEqualTo(2.0);
    }

    @Test
    void fileTransportsAreSharedBetweenSessionsAndRemovedWithTheirSession() {
        AccountManager m =
                manager(
                        config(
                                List.of(
                                        account("offers", "scr", Map.of()),
                                        account("uses", "scr", Map.of())),
                                Map.of()));
        ScriptedConnector c = new ScriptedConnector("scr");
        m.connectorAdded("test", c);
        DirectFileTransport transport =
                new DirectFileTransport() {
                    @Override
                    public String name() {
                        return "fixture";
                    }

                    @Override
                    public CompletionStage<Boolean> accepts(String recipient) {
                        return CompletableFuture.completedFuture(true);
                    }

                    @Override
                    public Transfer offer(String recipient, FileOffer offer, String description) {
                        throw new UnsupportedOperationException();
                    }
                };
        // registered and never removed by the session itself
        c.session("offers").host.fileTransports().register(FileTransports.XMPP, transport);
        HostContext other = c.session("uses").host;
        assertThat(other.fileTransports().find(FileTransports.XMPP)).containsExactly(transport);
        assertThat(other.fileTransports().find("irc")).isEmpty();

        assertThat(m.restart("offers")).isTrue();
        assertThat(other.fileTransports().find(FileTransports.XMPP)).isEmpty();
        FileTransports.Registration again =
                c.session("offers").host.fileTransports().register(FileTransports.XMPP, transport);
        assertThat(other.fileTransports().find(FileTransports.XMPP)).hasSize(1);
        again.close();
        again.close();
        assertThat(other.fileTransports().find(FileTransports.XMPP)).isEmpty();
    }

    @Test
    void aFailedConnectIsTriedAgainWithBackoffUntilOnline() {
        AccountManager m =
                manager(
                        config(
                                List.of(
                                        account(
                                                "flaky",
                                                "scr",
                                                Map.of("mode", "fail-connects", "failures", 2))),
                                Map.of()));
        ScriptedConnector c = new ScriptedConnector("scr");
        long t0 = System.nanoTime();
        m.connectorAdded("test", c);
        await().atMost(Duration.ofSeconds(2)).until(() -> stateOf(m, "flaky").equals("offline"));
        assertThat(m.status("flaky"))
                .hasValueSatisfying(
                        s ->
                                assertThat(s.reason())
                                        .contains("Address already in use")
                                        .containsPattern("retrying in (500 ms|1 s)"));
        // 0.5 s, then 1 s later the third session connects
        await().atMost(Duration.ofSeconds(5)).until(() -> stateOf(m, "flaky").equals("online"));
        long took = (System.nanoTime() - t0) / 1_000_000;
        assertThat(took).isGreaterThanOrEqualTo(AccountManager.CONNECT_RETRY_MIN_MS * 3);
        assertThat(c.connectAttempts.get()).isEqualTo(3);
        assertThat(c.sessions).hasSize(3);
        assertThat(c.sessions.subList(0, 2)).allMatch(s -> s.closed);
        // and it stays put once online
        await().during(Duration.ofMillis(300))
                .atMost(Duration.ofSeconds(2))
                .until(() -> c.sessions.size() == 3);
    }

    @Test
    void misbehavingSessionsDoNotHurtOthers() {
        AccountManager m =
                manager(
                        config(
                                List.of(
                                        account("x1", "scr", Map.of("mode", "throw-connect")),
                                        account("x2", "scr", Map.of("mode", "throw-deliver")),
                                        account("x3", "scr", Map.of("mode", "throw-open")),
                                        account("ok", "scr", Map.of()),
                                        account("small", "scr", Map.of("minimal", true)),
                                        account("badcaps", "scr", Map.of("minimal", "perhaps"))),
                                Map.of()));
        m.connectorAdded("test", new ScriptedConnector("scr"));
        assertThat(router.capabilities.get(Address.ofAccount("scr", "small")))
                .as("per-account capabilities")
                .containsExactly(dev.sabir.api.Capability.ROOMS);
        assertThat(router.capabilities.get(Address.ofAccount("scr", "ok"))).hasSize(2);
        assertThat(m.status("badcaps").orElseThrow().reason())
                .startsWith("accounts.badcaps.minimal: expected true or false");

        assertThat(m.status("x1").orElseThrow().state()).isEqualTo("failed");
        assertThat(m.status("x1").orElseThrow().reason()).contains("connect exploded");
        assertThat(m.status("x3").orElseThrow().reason()).contains("open exploded");
        assertThat(stateOf(m, "x2")).isEqualTo("online");
        assertThat(stateOf(m, "ok")).isEqualTo("online");

        Address x2 = Address.ofAccount("scr", "x2");
        Session guarded = router.attached.get(x2);
        var failed = guarded.deliver(delivery(x2.withId("#r"))).toCompletableFuture();
        assertThatThrownBy(failed::join)
                .isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(DeliveryException.class)
                .hasMessageContaining("deliver exploded");
        Address ok = Address.ofAccount("scr", "ok");
        assertThat(
                        router.attached
                                .get(ok)
                                .deliver(delivery(ok.withId("#r")))
                                .toCompletableFuture()
                                .join())
                .isEqualTo("remote-7");
        assertThat(router.attached).doesNotContainKey(Address.ofAccount("scr", "x1"));
    }

    @Test
    void gatewayAccountsArePersistedAndRestored() throws Exception {
        SabirConfig cfg = config(List.of(account("gw", "xgw", Map.of())), Map.of());
        ScriptedConnector net =
                new ScriptedConnector(
                        "net",
                        new RegistrationField("nick", "Nickname", true, false),
                        new RegistrationField("password", "Password", false, true));
        AccountManager m1 = manager(cfg);
        m1.connectorAdded("gwplugin", new ScriptedConnector("xgw"));
        m1.connectorAdded("netplugin", net);
        Gateway g = m1.gateway();
        assertThat(g.registrableProtocols()).containsOnlyKeys("net");
        assertThat(g.registrableProtocols().get("net"))
                .extracting(RegistrationField::key)
                .containsExactly("nick", "password");

        assertThatThrownBy(() -> g.register("gw", "alice@example.org", "net", Map.of()))
                .isInstanceOf(InvalidConfigException.class)
                .satisfies(e -> assertThat(((InvalidConfigException) e).key()).isEqualTo("nick"));
        assertThatThrownBy(
                        () ->
                                g.register(
                                        "gw",
                                        "alice@example.org",
                                        "net",
                                        Map.of("nick", "a", "port", 0)))
                .isInstanceOf(InvalidConfigException.class);
        assertThat(g.accountsOf("alice@example.org"))
                .as("a rejected registration leaves nothing")
                .isEmpty();
        assertThatThrownBy(
                        () -> g.register("nosuch", "alice@example.org", "net", Map.of("nick", "a")))
                .isInstanceOf(IllegalArgumentException.class);

        String name =
                g.register(
                        "gw",
                        "Alice@Example.org/phone",
                        "net",
                        Map.of("nick", "alice", "password", "s3cret"));
        assertThat(name).isEqualTo("net-alice@example.org_phone");
        Address personal = Address.ofAccount("net", name);
        assertThat(stateOf(m1, name)).isEqualTo("online");
        assertThat(router.gatewayRoutes).containsEntry(personal, "xgw:gw Alice@Example.org/phone");
        assertThat(names(m1.statuses())).containsExactly("gw", name);
        assertThat(g.personal(name))
                .contains(
                        new Gateway.PersonalAccount(
                                name, "net", "gw", "Alice@Example.org/phone", "online"));
        assertThat(g.personal("gw")).isEmpty();

        ChatMessage out =
                ChatMessage.of(personal.withId("#room"), Sender.self("alice"), "o1", "hi");
        assertThatThrownBy(() -> g.send("mallory@example.org", out))
                .isInstanceOf(IllegalArgumentException.class);
        g.send("Alice@Example.org/phone", out);
        assertThat(router.fromGateway).containsExactly(out);
        m1.close();

        // a new manager on the same store restores the account and its route
        RecordingRouter router2 = new RecordingRouter();
        AccountManager m2 = manager(cfg, router2);
        assertThat(m2.gateway().accountsOf("Alice@Example.org/phone")).hasSize(1);
        assertThat(stateOf(m2, name)).isEqualTo("waiting");
        assertThat(router2.gatewayRoutes).containsEntry(personal, "xgw:gw Alice@Example.org/phone");
        ScriptedConnector net2 =
                new ScriptedConnector("net", net.fields.toArray(RegistrationField[]::new));
        m2.connectorAdded("netplugin", net2);
        assertThat(stateOf(m2, name)).isEqualTo("online");
        assertThat(net2.session(name).account.string("password")).isEqualTo("s3cret");

        assertThat(m2.gateway().unregister("Alice@Example.org/phone", "net")).isTrue();
        assertThat(m2.gateway().unregister("Alice@Example.org/phone", "net")).isFalse();
        assertThat(net2.session(name).closed).isTrue();
        assertThat(router2.gatewayRoutes).isEmpty();
        m2.close();

        AccountManager m3 = manager(cfg, new RecordingRouter());
        assertThat(m3.gateway().accountsOf("Alice@Example.org/phone")).isEmpty();
        assertThat(names(m3.statuses())).containsExactly("gw");
    }
}
