package dev.sabir.simplex;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** One member in a test: its host (store and spool survive restarts), sink and session. */
final class Peer {
    final String name;
    final MiniHost host;
    final int port;
    final List<String> groups;
    RecSink sink = new RecSink();
    SimplexSession session;

    Peer(String name, EventLoopGroup loops, Path dir, List<String> groups) throws IOException {
        this.name = name;
        this.host = new MiniHost(loops, dir.resolve(name));
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
        return new AccountConfig(
                name,
                "simplex",
                true,
                Map.of("listen", "127.0.0.1:" + port, "name", name, "groups", groups));
    }

    Peer start() throws Exception {
        sink = new RecSink();
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

    /** Nicks in the latest member list of a group, without myself. */
    Set<String> members(String group) {
        List<RoomUpdate> lists =
                sink.of(RoomUpdate.class).stream()
                        .filter(
                                u ->
                                        u.change() == RoomUpdate.Change.MEMBERS
                                                && u.conversation().equals(group(group)))
                        .collect(Collectors.toList());
        if (lists.isEmpty()) {
            return Set.of();
        }
        return lists.get(lists.size() - 1).members().stream()
                .filter(s -> !s.self())
                .map(Sender::nick)
                .collect(Collectors.toSet());
    }

    long received(String text) {
        return sink.messages().stream().filter(m -> m.text().equals(text)).count();
    }
}
