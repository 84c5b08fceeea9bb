package dev.sabir.server.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.FileSpool;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.router.Router;
import dev.sabir.server.store.Database;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The account manager and plugin host through their public constructors, on the real database and
 * router, with the loopback network found on the class path as a built-in connector.
 */
class RealPartsIntegrationTest {

    private static final FileSpool NO_SPOOL =
            new FileSpool() {
                @Override
                public Upload receive(
                        Address source, String offerId, String name, long size, String sha256)
                        throws SpoolException {
                    throw new SpoolException("no spool here");
                }

                @Override
                public Optional<SpooledFile> find(String spoolId) {
                    return Optional.empty();
                }

                @Override
                public URI link(String spoolId) {
                    return URI.create("http://127.0.0.1/files/" + spoolId);
                }
            };

    @TempDir Path dir;

    private final EventLoopGroup loops =
            new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    private Database db;
    private Router router;
    private AccountManager accounts;
    private PluginHost plugins;

    private final SabirConfig config =
            TestSupport.config(
                    List.of(
                            TestSupport.account("lb1", "loopback", Map.of("listen", "127.0.0.1:0")),
                            TestSupport.account("gw", "loopback", Map.of("listen", "127.0.0.1:0"))),
                    Map.of());

    private void startServer() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        router =
                new Router(
                        db,
                        registry,
                        new SabirConfig.Routing(100, Router.DROP_OLDEST, 0),
                        NO_SPOOL);
        accounts =
                new AccountManager(
                        new AccountManager.Services(
                                config,
                                router,
                                db,
                                NO_SPOOL,
                                loops,
                                scheduler,
                                registry,
                                dir.resolve("accounts")));
        plugins = new PluginHost(dir.resolve("plugins"), true, accounts);
        plugins.start();
    }

    private void stopServer() {
        plugins.close();
        accounts.close();
        router.close();
    }

    @AfterEach
    void tearDown() {
        if (plugins != null) {
            stopServer();
        }
        if (db != null) {
            db.close();
        }
        loops.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        scheduler.shutdownNow();
    }

    private void awaitOnline(String account) {
        await().atMost(Duration.ofSeconds(10))
                .until(() -> TestSupport.stateOf(accounts, account).equals("online"));
    }

    @Test
    void builtinLoopbackAndPersonalAccountsOnTheRealStore() throws Exception {
        db = Database.open("jdbc:sqlite:" + dir.resolve("data/sabir.db"), null, null);
        startServer();
        assertThat(plugins.plugins())
                .anySatisfy(
                        p -> {
                            assertThat(p.id()).isEqualTo("builtin");
                            assertThat(p.protocols()).contains("loopback");
                        });
        awaitOnline("lb1");
        awaitOnline("gw");
        assertThat(accounts.gateway().registrableProtocols()).containsKey("loopback");

        String name =
                accounts.gateway()
                        .register(
                                "gw",
                                "alice@example.org",
                                "loopback",
                                Map.of("listen", "127.0.0.1:0"));
        assertThat(name).isEqualTo("loopback-alice@example.org");
        awaitOnline(name);
        stopServer();

        startServer();
        assertThat(accounts.gateway().accountsOf("alice@example.org"))
                .extracting(a -> a.account())
                .containsExactly(name);
        awaitOnline(name);
        assertThat(TestSupport.names(accounts.statuses())).containsExactly("lb1", "gw", name);
        assertThat(accounts.gateway().unregister("alice@example.org", "loopback")).isTrue();
        stopServer();

        startServer();
        assertThat(accounts.gateway().accountsOf("alice@example.org")).isEmpty();
        assertThat(TestSupport.names(accounts.statuses())).containsExactly("lb1", "gw");
    }

    @Test
    void adminServiceListsAccountsAndManagesRuntimeLinks() throws Exception {
        db = Database.open("jdbc:sqlite:" + dir.resolve("data/admin.db"), null, null);
        startServer();
        awaitOnline("lb1");
        dev.sabir.api.AdminService admin = accounts.admin();
        assertThat(admin.accounts())
                .extracting(a -> a.name() + "=" + a.state())
                .contains("lb1=online", "gw=online");
        List<Address> members =
                List.of(Address.parse("loopback:lb1/lobby"), Address.parse("loopback:gw/lobby"));
        admin.createLink("ops", members, "{nick}: {text}");
        assertThat(admin.links()).extracting(l -> l.name()).contains("ops");
        assertThat(router.conversationsOf(Address.parse("loopback:lb1")))
                .contains(Address.parse("loopback:lb1/lobby"));
        assertThat(admin.removeLink("ops")).isTrue();
        assertThat(admin.removeLink("ops")).isFalse();
        assertThat(admin.links()).extracting(l -> l.name()).doesNotContain("ops");
        assertThat(admin.restartAccount("lb1")).isTrue();
        assertThat(admin.restartAccount("nobody")).isFalse();
        awaitOnline("lb1");
    }
}
