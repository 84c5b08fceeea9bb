package dev.sabir.simplex;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.testkit.RecordingSink;
import dev.sabir.testkit.TestHost;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One member in a test: its {@link TestHost} (store, spool and metrics survive restarts of the
 * session), a fresh {@link RecordingSink} per start, and the session.
 */
final class Peer {
    final String name;
    final TestHost host;
    final Path dir;
    final int port;
    final List<String> groups;

    /** Extra account keys, read at each start. */
    final Map<String, Object> extra = new HashMap<>();

    RecordingSink sink = new RecordingSink();
    SimplexSession session;

    Peer(String name, EventLoopGroup loops, Path dir, List<String> groups) throws IOException {
        this.name = name;
        this.dir = dir.resolve(name);
        this.host = new TestHost(this.dir, loops);
        this.groups = groups;
        this.port = freePortBelowEphemeralRange();
    }

    /**
     * A free port outside the kernel's ephemeral range: while a member is down, another member's
     * reconnect attempts would otherwise be able to self-connect on an ephemeral listen port.
     */
    static int freePortBelowEphemeralRange() throws IOException {
        java.util.Random r = new java.util.Random();
        for (int i = 0; i < 200; i++) {
            int p = 20000 + r.nextInt(10000);
            try (ServerSocket s = new ServerSocket()) {
                s.setReuseAddress(true);
                s.bind(new java.net.InetSocketAddress("127.0.0.1", p));
                return p;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IOException("no free port");
    }

    AccountConfig config() {
        Map<String, Object> settings = new HashMap<>(extra);
        settings.put("listen", "127.0.0.1:" + port);
        settings.put("name", name);
        settings.put("groups", groups);
        return new AccountConfig(name, "simplex", true, settings);
    }

    /** Opens a new session (fresh sink) on the same host and waits until it is online. */
    Peer start() throws Exception {
        sink = new RecordingSink();
        session = (SimplexSession) new SimplexConnector().open(config(), host, sink);
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return this;
    }

    void stop() {
        session.close();
    }

    Address group(String id) {
        return new Address("simplex", name, "group:" + id);
    }

    String say(String group, String text) throws Exception {
        ChatMessage m = ChatMessage.of(group(group), Sender.of("bridge"), "x", text);
        return session.deliver(new Delivery(1, group(group), m, Address.parse("irc:net/#c"), ""))
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    /** The events of one type the current sink recorded. */
    <T> List<T> events(Class<T> type) {
        return sink.events().stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Nicks in the latest member list of a group, without myself. */
    Set<String> members(String group) {
        return Set.copyOf(memberList(group));
    }

    /** Nicks in the latest member list of a group, without myself, duplicates kept. */
    List<String> memberList(String group) {
        List<RoomUpdate> lists =
                events(RoomUpdate.class).stream()
                        .filter(
                                u ->
                                        u.change() == RoomUpdate.Change.MEMBERS
                                                && u.conversation().equals(group(group)))
                        .toList();
        if (lists.isEmpty()) {
            return List.of();
        }
        return lists.get(lists.size() - 1).members().stream()
                .filter(s -> !s.self())
                .map(Sender::nick)
                .toList();
    }

    long received(String text) {
        return sink.messages().stream().filter(m -> m.text().equals(text)).count();
    }

    /** Bytes written so far into unfinished uploads of the spool (its {@code .part} files). */
    long uploadedBytes() throws IOException {
        Path spool = dir.resolve("spool");
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(spool)) {
            long total = 0;
            for (Path p : files.filter(f -> f.toString().endsWith(".part")).toList()) {
                total += Files.size(p);
            }
            return total;
        }
    }

    /** A counter of this member's metrics (all sessions on its host together). */
    long counter(String name) {
        return host.metrics().counter(name);
    }
}
