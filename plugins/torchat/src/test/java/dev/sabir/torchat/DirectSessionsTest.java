package dev.sabir.torchat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.ChatMessage;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Typing;
import dev.sabir.torchat.BuddyProfile.BuddyKind;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two TorChat sessions over loopback in direct mode. */
class DirectSessionsTest {
    @TempDir Path dir;
    EventLoopGroup loops;
    Node alice;
    Node bob;

    @BeforeEach
    void start() throws Exception {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        alice = new Node("alice", dir, loops);
        bob = new Node("bob", dir, loops);
        // alice lists bob; bob learns alice as a temporary buddy until her add_me arrives
        alice.knows(bob).buddies(bob).set("name", "Alice").set("text", "hi there");
        bob.knows(alice).set("name", "Bob");
        alice.start();
        bob.start();
    }

    @AfterEach
    void stop() {
        alice.close();
        bob.close();
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void aDeliveredProfileReachesTheBuddyWithItsAvatar() throws Exception {
        // bob first reports alice's configured profile, without an avatar
        ProfileUpdate first =
                bob.sink.awaitEvent(
                        ProfileUpdate.class, p -> p.who().id().equals(alice.id), Node.WAIT);
        assertThat(first.displayName()).isEqualTo("Alice");
        assertThat(first.hasAvatar()).isFalse();

        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, y < 32 ? 0xff123456 : 0x00000000);
            }
        }
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(img, "png", png);
        alice.session
                .deliver(
                        Deliveries.of(
                                alice,
                                bob.id,
                                new ProfileUpdate(
                                        Deliveries.conv(alice, bob.id),
                                        Sender.of("carol@example.org", "Carol"),
                                        "Carol",
                                        "bridged",
                                        png.toByteArray(),
                                        "image/png")))
                .toCompletableFuture()
                .get(Node.WAIT.toSeconds(), TimeUnit.SECONDS);

        ProfileUpdate got =
                bob.sink.awaitEvent(ProfileUpdate.class, ProfileUpdate::hasAvatar, Node.WAIT);
        assertThat(got.conversation()).isEqualTo(Deliveries.conv(bob, alice.id));
        assertThat(got.displayName()).isEqualTo("Carol");
        assertThat(got.text()).isEqualTo("bridged");
        BufferedImage back = ImageIO.read(new ByteArrayInputStream(got.avatar()));
        assertThat(back.getRGB(10, 10)).isEqualTo(0xff123456);
        assertThat(back.getRGB(10, 50) >>> 24).isZero();
    }

    @Test
    void messagesFlowBothWaysWithProfileNames() throws Exception {
        Deliveries.say(alice, bob.id, "hello bob\nsecond line \\ with backslash");
        ChatMessage got = bob.sink.awaitMessage(m -> m.text().startsWith("hello bob"), Node.WAIT);
        assertThat(got.text()).isEqualTo("hello bob\nsecond line \\ with backslash");
        assertThat(got.conversation()).isEqualTo(Deliveries.conv(bob, alice.id));
        assertThat(got.sender()).isEqualTo(Sender.of(alice.id, "Alice"));

        Deliveries.say(bob, alice.id, "hi alice");
        ChatMessage back = alice.sink.awaitMessage(m -> m.text().equals("hi alice"), Node.WAIT);
        assertThat(back.sender().nick()).isEqualTo("Bob");
        assertThat(alice.sink.messages()).noneMatch(m -> m.text().startsWith("hello bob"));
    }

    @Test
    void addMeMakesTheBuddyPermanentAndProfileIsKept() throws Exception {
        Deliveries.say(alice, bob.id, "ping");
        bob.sink.awaitMessage(m -> m.text().equals("ping"), Node.WAIT);
        await().atMost(Node.WAIT)
                .until(() -> bob.session.buddyKind(alice.id).orElse(null) == BuddyKind.PERMANENT);
        assertThat(bob.host.store().get("buddy." + alice.id)).contains("permanent");

        PresenceUpdate p =
                bob.sink.awaitEvent(
                        PresenceUpdate.class, u -> u.who().id().equals(alice.id), Node.WAIT);
        assertThat(p.status()).isEqualTo(PresenceUpdate.Status.AVAILABLE);
        await().atMost(Node.WAIT)
                .until(
                        () ->
                                bob.session
                                        .profile(alice.id)
                                        .map(BuddyProfile::text)
                                        .orElse("")
                                        .equals("hi there"));
        assertThat(bob.session.profile(alice.id).orElseThrow().name()).isEqualTo("Alice");
        assertThat(bob.session.profile(alice.id).orElseThrow().client()).isEqualTo("Sabir");
        assertThat(bob.host.store().get("profile." + alice.id + ".name")).contains("Alice");
    }

    @Test
    void typingIsBridgedAndEndsWithAMessage() throws Exception {
        Deliveries.say(alice, bob.id, "warm up");
        bob.sink.awaitMessage(m -> m.text().equals("warm up"), Node.WAIT);
        await().atMost(Node.WAIT).until(() -> alice.session.isOnline(bob.id));
        // supports arrives right after verification; give the typing packet a connected buddy
        alice.session
                .deliver(
                        Deliveries.of(
                                alice,
                                bob.id,
                                new Typing(
                                        Deliveries.conv(alice, bob.id),
                                        Sender.of("t"),
                                        Typing.State.TYPING)))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        Typing t =
                bob.sink.awaitEvent(Typing.class, x -> x.state() == Typing.State.TYPING, Node.WAIT);
        assertThat(t.who().id()).isEqualTo(alice.id);
        Deliveries.say(alice, bob.id, "done typing");
        bob.sink.awaitEvent(Typing.class, x -> x.state() == Typing.State.STOPPED, Node.WAIT);
    }

    @Test
    void latencyIsMeasuredAndRecorded() throws Exception {
        Deliveries.say(alice, bob.id, "warm up");
        bob.sink.awaitMessage(m -> m.text().equals("warm up"), Node.WAIT);
        await().atMost(Node.WAIT).until(() -> alice.session.isOnline(bob.id));
        alice.session.measureLatency(bob.id);
        await().atMost(Node.WAIT).until(() -> alice.session.latency(bob.id).isPresent());
        assertThat(alice.host.metrics().timings("torchat_latency")).isNotEmpty();
        assertThat(alice.session.latency(bob.id).orElseThrow()).isLessThan(Node.WAIT);
    }

    @Test
    void reconnectsAfterTheConnectionDrops() throws Exception {
        Deliveries.say(alice, bob.id, "before");
        bob.sink.awaitMessage(m -> m.text().equals("before"), Node.WAIT);
        alice.session.dropConnections(bob.id);
        bob.sink.awaitEvent(
                PresenceUpdate.class, u -> u.status() == PresenceUpdate.Status.OFFLINE, Node.WAIT);
        Deliveries.say(alice, bob.id, "after");
        bob.sink.awaitMessage(m -> m.text().equals("after"), Node.WAIT);
        assertThat(bob.sink.messages()).filteredOn(m -> m.text().equals("after")).hasSize(1);
    }

    @Test
    void removeMeDropsTheBuddy() throws Exception {
        Deliveries.say(bob, alice.id, "hello");
        alice.sink.awaitMessage(m -> m.text().equals("hello"), Node.WAIT);
        alice.session.remove(bob.id).toCompletableFuture().get(5, TimeUnit.SECONDS);
        await().atMost(Node.WAIT).until(() -> bob.session.buddyKind(alice.id).isEmpty());
        assertThat(alice.session.buddyKind(bob.id)).isEmpty();
    }
}
