package dev.sabir.torchat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.ChatMessage;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A three-member groupchat: create, invite twice (the second join negotiates), talk, leave. */
class GroupchatTest {
    @TempDir Path dir;
    EventLoopGroup loops;
    Node alice;
    Node bob;
    Node carol;

    @BeforeEach
    void start() throws Exception {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        alice = new Node("alice", dir, loops);
        bob = new Node("bob", dir, loops);
        carol = new Node("carol", dir, loops);
        alice.knows(bob, carol).buddies(bob, carol);
        bob.knows(alice, carol);
        carol.knows(alice, bob);
        alice.start();
        bob.start();
        carol.start();
    }

    @AfterEach
    void stop() {
        alice.close();
        bob.close();
        carol.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void threeMembersTalk() throws Exception {
        String room = "group:6f012391-883d-4f4f-8d54-52c4227b3ac9";
        alice.session
                .join(Deliveries.conv(alice, room))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        alice.session
                .invite(room.substring(6), bob.id)
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        bob.sink.awaitEvent(
                RoomUpdate.class, u -> u.change() == RoomUpdate.Change.MEMBERS, Node.WAIT);
        alice.sink.awaitEvent(
                RoomUpdate.class,
                u -> u.change() == RoomUpdate.Change.JOINED && u.member().id().equals(bob.id),
                Node.WAIT);

        // the second invite goes through the router's text command
        Deliveries.say(alice, room, "/invite " + carol.id);
        RoomUpdate carolMembers =
                carol.sink.awaitEvent(
                        RoomUpdate.class, u -> u.change() == RoomUpdate.Change.MEMBERS, Node.WAIT);
        assertThat(carolMembers.members())
                .extracting(Sender::id)
                .contains(alice.id, bob.id, carol.id);
        assertThat(carolMembers.conversation()).isEqualTo(Deliveries.conv(carol, room));
        bob.sink.awaitEvent(
                RoomUpdate.class,
                u -> u.change() == RoomUpdate.Change.JOINED && u.member().id().equals(carol.id),
                Node.WAIT);

        Deliveries.say(carol, room, "hi from carol");
        ChatMessage atAlice =
                alice.sink.awaitMessage(m -> m.text().equals("hi from carol"), Node.WAIT);
        ChatMessage atBob = bob.sink.awaitMessage(m -> m.text().equals("hi from carol"), Node.WAIT);
        assertThat(atAlice.conversation()).isEqualTo(Deliveries.conv(alice, room));
        assertThat(atBob.sender().id()).isEqualTo(carol.id);

        Deliveries.say(bob, room, "hi from bob");
        carol.sink.awaitMessage(m -> m.text().equals("hi from bob"), Node.WAIT);
        alice.sink.awaitMessage(m -> m.text().equals("hi from bob"), Node.WAIT);
        assertThat(carol.sink.messages())
                .filteredOn(m -> m.text().equals("hi from carol"))
                .isEmpty();
    }
}
