package dev.sabir.simplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Capability;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.Sender;
import dev.sabir.api.SessionState;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionLifecycleTest {
    @TempDir Path dir;
    private EventLoopGroup loops;

    @BeforeEach
    void setUp() {
        loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() throws Exception {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    @Test
    void joinCompletesWhenTheInviterComesBackAndRestartsDeliverNothingTwice() throws Exception {
        Peer a = new Peer("alice", loops, dir, List.of("team")).start();
        Peer b = new Peer("bob", loops, dir, List.of()).start();
        String invitation = a.session.createInvitation("team");
        assertThat(invitation).startsWith("simplex:/group#");
        a.stop();
        b.session.acceptInvitation(invitation);
        b.session.acceptInvitation(invitation); // a second paste is harmless
        a.start();
        await().atMost(Duration.ofSeconds(15))
                .until(
                        () ->
                                b.members("team").contains("alice")
                                        && a.members("team").contains("bob"));

        a.say("team", "one");
        await().atMost(Duration.ofSeconds(10)).until(() -> b.received("one") == 1);
        b.stop();
        a.say("team", "two");
        b.start();
        await().atMost(Duration.ofSeconds(15)).until(() -> b.received("two") == 1);
        a.stop();
        a.start();
        a.say("team", "three");
        await().atMost(Duration.ofSeconds(15)).until(() -> b.received("three") == 1);
        Thread.sleep(300);
        assertThat(b.received("one") + b.received("two") + b.received("three")).isEqualTo(2);
        assertThat(b.host.store().list("out/")).isEmpty();
        assertThat(a.host.store().list("out/")).isEmpty();
        // the counters span the restarts: three messages out, each received exactly once
        assertThat(a.counter("simplex_messages_sent")).isEqualTo(3);
        assertThat(b.counter("simplex_messages_received")).isEqualTo(3);
        assertThat(a.counter("simplex_blocks_rejected")).isZero();
        a.stop();
        b.stop();
        a.host.close();
        b.host.close();
    }

    @Test
    void closeIsIdempotentReleasesThePortAndRefusesDeliveries() throws Exception {
        Peer a = new Peer("alice", loops, dir, List.of("team")).start();
        assertThat(a.events(SessionState.class))
                .anyMatch(s -> s.state() == SessionState.State.ONLINE);
        a.session.join(a.group("team")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThatThrownBy(
                        () ->
                                a.session
                                        .join(a.group("nope"))
                                        .toCompletableFuture()
                                        .get(5, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(DeliveryException.class);
        a.stop();
        a.stop();
        ChatMessage m = ChatMessage.of(a.group("team"), Sender.of("x"), "1", "late");
        assertThatThrownBy(
                        () ->
                                a.session
                                        .deliver(
                                                new Delivery(
                                                        1,
                                                        a.group("team"),
                                                        m,
                                                        Address.parse("irc:n/#c"),
                                                        ""))
                                        .toCompletableFuture()
                                        .get(5, TimeUnit.SECONDS))
                .hasCauseInstanceOf(DeliveryException.class);
        // NIO frees a closed listener's port once its selector has run again: allow a moment
        await().atMost(Duration.ofSeconds(5))
                .ignoreExceptionsInstanceOf(java.net.BindException.class)
                .until(
                        () -> {
                            try (ServerSocket s = new ServerSocket()) {
                                s.setReuseAddress(true);
                                s.bind(new InetSocketAddress("127.0.0.1", a.port));
                                return s.isBound();
                            }
                        });
        a.host.close();
    }

    @Test
    void configErrorsNameTheKey() {
        SimplexConnector c = new SimplexConnector();
        assertThat(c.protocol()).isEqualTo("simplex");
        assertThat(c.capabilities()).contains(Capability.ROOMS, Capability.FILES, Capability.EDITS);
        assertThat(ServiceLoader.load(dev.sabir.api.Connector.class).stream())
                .anyMatch(p -> p.type() == SimplexConnector.class);
        assertKey(c, Map.of(), "listen");
        assertKey(c, Map.of("listen", "nohost"), "listen");
        assertKey(c, Map.of("listen", "127.0.0.1:1", "groups", List.of("bad name")), "groups");
        assertKey(c, Map.of("listen", "127.0.0.1:1", "inviteRole", "king"), "inviteRole");
        assertKey(c, Map.of("listen", "127.0.0.1:1", "inviteSecret", "short"), "inviteSecret");
        assertKey(c, Map.of("listen", "127.0.0.1:1", "presetInvites", 2), "presetInvites");
        assertKey(
                c,
                Map.of(
                        "listen",
                        "127.0.0.1:1",
                        "inviteSecret",
                        "0123456789abcdef",
                        "presetInvites",
                        99),
                "presetInvites");
        assertKey(c, Map.of("listen", "127.0.0.1:1", "join", List.of("hello")), "join");
        assertKey(c, Map.of("listen", "127.0.0.1:1", "join", "simplex:/group#AAAA"), "join");
    }

    private void assertKey(SimplexConnector c, Map<String, Object> settings, String key) {
        try (TestHost host = new TestHost(dir.resolve("x"), loops)) {
            assertThatThrownBy(
                            () ->
                                    c.open(
                                            new AccountConfig("x", "simplex", true, settings),
                                            host,
                                            new RecordingSink()))
                    .isInstanceOfSatisfying(
                            InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo(key));
        }
    }
}
