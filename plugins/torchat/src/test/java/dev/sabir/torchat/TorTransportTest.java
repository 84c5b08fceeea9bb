package dev.sabir.torchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.SessionState;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code transport: tor}: SOCKS5 to {@code <id>.onion:11009}, and the own onion service. */
class TorTransportTest {
    static final String V3 = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd";
    @TempDir Path dir;
    EventLoopGroup loops;

    @BeforeEach
    void loops() {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void twoSessionsTalkThroughSocks5() throws Exception {
        Node alice = new Node("alice", dir, loops);
        Node bob = new Node("bob", dir, loops);
        try (Socks5TestProxy proxy =
                new Socks5TestProxy(loops, Map.of(alice.id, alice.port, bob.id, bob.port))) {
            for (Node n : new Node[] {alice, bob}) {
                n.set("transport", "tor").set("socks", "127.0.0.1:" + proxy.port());
            }
            alice.buddies(bob).start();
            bob.start();
            Deliveries.say(alice, bob.id, "over tor");
            ChatMessage m = bob.sink.awaitMessage(x -> x.text().equals("over tor"), Node.WAIT);
            assertThat(m.sender().id()).isEqualTo(alice.id);
            Deliveries.say(bob, alice.id, "and back");
            alice.sink.awaitMessage(x -> x.text().equals("and back"), Node.WAIT);
            assertThat(proxy.requests)
                    .contains(
                            "CONNECT(1) DOMAIN(3) " + bob.id + ".onion:11009",
                            "CONNECT(1) DOMAIN(3) " + alice.id + ".onion:11009");
        } finally {
            alice.close();
            bob.close();
        }
    }

    @Test
    void hiddenServiceDirGivesTheId() throws Exception {
        Path hs = Files.createDirectories(dir.resolve("hs"));
        Files.writeString(hs.resolve("hostname"), V3 + ".onion\n");
        Node n = new Node("hs", dir, loops);
        n.settings.remove("id");
        n.set("transport", "tor").set("hidden_service_dir", hs.toString());
        try {
            n.start();
            assertThat(n.session.ownId()).isEqualTo(V3);
        } finally {
            n.close();
        }
    }

    @Test
    void aListenPortStillHeldForAMomentIsTriedAgain() throws Exception {
        Node n = new Node("ports", dir, loops);
        ServerSocket squatter = new ServerSocket();
        squatter.setReuseAddress(true);
        squatter.bind(new java.net.InetSocketAddress("127.0.0.1", n.port));
        try {
            // the port is released 300 ms later, as a restarted account's old listener would be
            Thread release =
                    new Thread(
                            () -> {
                                try {
                                    Thread.sleep(300);
                                    squatter.close();
                                } catch (Exception e) {
                                    // the test fails on the missing listener below
                                }
                            });
            release.start();
            n.start();
            assertThat(n.session.boundAddress().getPort()).isEqualTo(n.port);
        } finally {
            squatter.close();
            n.close();
        }
    }

    @Test
    void torControlAddsTheOnionAndKeepsItsKey() throws Exception {
        List<String> commands = new CopyOnWriteArrayList<>();
        try (ServerSocket control = new ServerSocket(0)) {
            Thread t = new Thread(() -> fakeTor(control, commands), "fake-tor-control");
            t.setDaemon(true);
            t.start();
            TestHost host = new TestHost(dir.resolve("ctl"), loops);
            int listen = Node.freePort();
            for (int round = 0; round < 2; round++) {
                AccountConfig acc =
                        new AccountConfig(
                                "ctl",
                                "torchat",
                                true,
                                Map.of(
                                        "transport",
                                        "tor",
                                        "listen",
                                        "127.0.0.1:" + listen,
                                        "tor_control",
                                        "127.0.0.1:" + control.getLocalPort()));
                RecordingSink sink = new RecordingSink();
                TorChatSession s = (TorChatSession) new TorChatConnector().open(acc, host, sink);
                try {
                    s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
                    sink.awaitState(SessionState.State.ONLINE, Node.WAIT);
                    assertThat(s.ownId()).isEqualTo(V3);
                } finally {
                    s.close();
                }
            }
            host.close();
            assertThat(host.store().get("tor.private_key")).contains("ED25519-V3:c2VjcmV0");
            assertThat(commands)
                    .contains(
                            "PROTOCOLINFO 1",
                            "AUTHENTICATE",
                            "ADD_ONION NEW:ED25519-V3 Port=11009,127.0.0.1:" + listen);
            assertThat(commands)
                    .contains("ADD_ONION ED25519-V3:c2VjcmV0 Port=11009,127.0.0.1:" + listen);
        }
    }

    /** Answers a control connection at a time like Tor with NULL authentication. */
    private static void fakeTor(ServerSocket control, List<String> commands) {
        while (!control.isClosed()) {
            try (Socket s = control.accept()) {
                BufferedReader r =
                        new BufferedReader(
                                new InputStreamReader(
                                        s.getInputStream(), StandardCharsets.US_ASCII));
                OutputStream o = s.getOutputStream();
                for (String line; (line = r.readLine()) != null; ) {
                    commands.add(line);
                    String reply;
                    if (line.startsWith("PROTOCOLINFO")) {
                        reply =
                                "250-PROTOCOLINFO 1\r\n250-AUTH METHODS=NULL\r\n250-VERSION Tor=\"0.4.8.9\"\r\n250 OK\r\n";
                    } else if (line.startsWith("AUTHENTICATE")) {
                        reply = "250 OK\r\n";
                    } else if (line.startsWith("ADD_ONION NEW:")) {
                        reply =
                                "250-ServiceID="
                                        + V3
                                        + "\r\n250-PrivateKey=ED25519-V3:c2VjcmV0\r\n250 OK\r\n";
                    } else if (line.startsWith("ADD_ONION ")) {
                        reply = "250-ServiceID=" + V3 + "\r\n250 OK\r\n";
                    } else {
                        reply = "510 Unrecognized command\r\n";
                    }
                    o.write(reply.getBytes(StandardCharsets.US_ASCII));
                    o.flush();
                }
            } catch (Exception e) {
                // closed
            }
        }
    }

    @Test
    void configRejectsBadIdsWithTheKey() {
        assertThatThrownBy(
                        () ->
                                TorChatConfig.from(
                                        new AccountConfig(
                                                "x",
                                                "torchat",
                                                true,
                                                Map.of("id", "tooshort", "transport", "direct"))))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo("id"));
        assertThatThrownBy(
                        () ->
                                TorChatConfig.from(
                                        new AccountConfig(
                                                "x",
                                                "torchat",
                                                true,
                                                Map.of("id", V3, "buddies", List.of("nope")))))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("buddies"));
        assertThatThrownBy(
                        () ->
                                TorChatConfig.from(
                                        new AccountConfig(
                                                "x",
                                                "torchat",
                                                true,
                                                Map.of("transport", "direct"))))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo("id"));
        assertThatThrownBy(
                        () ->
                                TorChatConfig.from(
                                        new AccountConfig(
                                                "x",
                                                "torchat",
                                                true,
                                                Map.of("id", V3, "transport", "i2p"))))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("transport"));
    }

    @Test
    void configAcceptsV2AndV3IdsAndDefaults() throws Exception {
        TorChatConfig v3 =
                TorChatConfig.from(
                        new AccountConfig(
                                "x", "torchat", true, Map.of("id", V3.toUpperCase() + ".onion")));
        assertThat(v3.id()).isEqualTo(V3);
        assertThat(v3.listen().getPort()).isEqualTo(11009);
        assertThat(v3.remotePort()).isEqualTo(11009);
        assertThat(v3.transport()).isEqualTo(TorChatConfig.Transport.TOR);
        assertThat(v3.broadcastEnabled()).isFalse();
        assertThat(v3.keepalive().toSeconds()).isEqualTo(120);
        assertThat(v3.silence().toSeconds()).isEqualTo(360);
        assertThat(
                        TorChatConfig.from(
                                        new AccountConfig(
                                                "x",
                                                "torchat",
                                                true,
                                                Map.of("id", "7acbk6jpofsanyfp")))
                                .id())
                .isEqualTo("7acbk6jpofsanyfp");
    }
}
