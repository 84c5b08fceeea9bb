package dev.sabir.torchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broadcasts spread through a triangle of buddies and are shown once each. */
class BroadcastTest {
    @TempDir Path dir;
    EventLoopGroup loops;
    Node alice;
    Node bob;
    Node carol;
    Node dave;

    @BeforeEach
    void start() throws Exception {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        alice = new Node("alice", dir, loops);
        bob = new Node("bob", dir, loops);
        carol = new Node("carol", dir, loops);
        dave = new Node("dave", dir, loops); // broadcast left off (the default)
        Map<String, Object> on = Map.of("enabled", true, "conversation", "broadcast");
        alice.knows(bob, carol, dave).buddies(bob, carol, dave).set("broadcast", on);
        bob.knows(alice, carol).buddies(alice, carol).set("broadcast", on);
        carol.knows(alice, bob).buddies(alice, bob).set("broadcast", on);
        dave.knows(alice).buddies(alice);
        for (Node n : new Node[] {alice, bob, carol, dave}) {
            n.start();
        }
    }

    @AfterEach
    void stop() {
        for (Node n : new Node[] {alice, bob, carol, dave}) {
            n.close();
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void relayedOnceAndDeduplicated() throws Exception {
        await().atMost(Node.WAIT)
                .until(
                        () ->
                                alice.session.isOnline(bob.id)
                                        && alice.session.isOnline(carol.id)
                                        && bob.session.isOnline(carol.id)
                                        && alice.session.isOnline(dave.id));
        // supports (with broadcast) is sent right after verification; a message round proves it
        // arrived
        Deliveries.say(bob, alice.id, "sync");
        alice.sink.awaitMessage(m -> m.text().equals("sync"), Node.WAIT);
        Deliveries.say(carol, alice.id, "sync2");
        alice.sink.awaitMessage(m -> m.text().equals("sync2"), Node.WAIT);
        Deliveries.say(carol, bob.id, "sync3");
        bob.sink.awaitMessage(m -> m.text().equals("sync3"), Node.WAIT);

        Deliveries.say(alice, "broadcast", "broadcast messages in #torchat rock");
        bob.sink.awaitMessage(
                m -> m.text().equals("broadcast messages in #torchat rock"), Node.WAIT);
        carol.sink.awaitMessage(
                m -> m.text().equals("broadcast messages in #torchat rock"), Node.WAIT);
        // a second broadcast from another member: once it has arrived everywhere, the relays of the
        // first one (bob -> carol, carol -> bob, both -> alice) have had their chance as well
        Deliveries.say(carol, "broadcast", "second");
        bob.sink.awaitMessage(m -> m.text().equals("second"), Node.WAIT);
        alice.sink.awaitMessage(m -> m.text().equals("second"), Node.WAIT);
        Deliveries.say(bob, alice.id, "fence");
        alice.sink.awaitMessage(m -> m.text().equals("fence"), Node.WAIT);

        for (Node n : new Node[] {bob, carol}) {
            assertThat(n.sink.messages())
                    .filteredOn(m -> m.text().equals("broadcast messages in #torchat rock"))
                    .hasSize(1)
                    .allSatisfy(m -> assertThat(m.conversation().id()).isEqualTo("broadcast"));
        }
        assertThat(alice.sink.messages())
                .filteredOn(m -> m.text().equals("broadcast messages in #torchat rock"))
                .isEmpty();
        assertThat(alice.sink.messages()).filteredOn(m -> m.text().equals("second")).hasSize(1);
        assertThat(dave.sink.messages())
                .filteredOn(m -> m.conversation().id().equals("broadcast"))
                .isEmpty();
    }
}
