package dev.sabir.torchat;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.SessionState;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One TorChat account under test: its host, sink and session. */
final class Node implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);

    final String name;
    final String id;
    final int port;
    final TestHost host;
    final RecordingSink sink = new RecordingSink();
    final Map<String, Object> settings = new LinkedHashMap<>();
    TorChatSession session;

    Node(String name, Path dir, EventLoopGroup loops) throws IOException {
        this.name = name;
        this.id = idFor(name);
        this.port = freePort();
        this.host = new TestHost(dir.resolve(name), loops);
        settings.put("id", id);
        settings.put("transport", "direct");
        settings.put("listen", "127.0.0.1:" + port);
        settings.put("reconnect_min_ms", 100);
        settings.put("reconnect_max_ms", 1000);
        settings.put("handshake_timeout_ms", 5000);
        settings.put("peers", new LinkedHashMap<String, Object>());
    }

    /** A valid 16-character id starting with the name. */
    static String idFor(String name) {
        return (name + "a".repeat(16)).substring(0, 16);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @SuppressWarnings("unchecked")
    Node knows(Node... others) {
        Map<String, Object> peers = (Map<String, Object>) settings.get("peers");
        for (Node o : others) {
            peers.put(o.id, "127.0.0.1:" + o.port);
        }
        return this;
    }

    Node buddies(Node... others) {
        settings.put("buddies", List.of(others).stream().map(n -> n.id).toList());
        return this;
    }

    Node set(String key, Object value) {
        settings.put(key, value);
        return this;
    }

    AccountConfig account() {
        return new AccountConfig(name, "torchat", true, settings);
    }

    Node start() throws Exception {
        session = (TorChatSession) new TorChatConnector().open(account(), host, sink);
        session.connect().toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
        sink.awaitState(SessionState.State.ONLINE, WAIT);
        return this;
    }

    @Override
    public void close() {
        if (session != null) {
            session.close();
        }
        host.close();
    }
}
