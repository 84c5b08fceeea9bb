package dev.sabir.simplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Preset invitations derived from {@code inviteSecret} and declarative {@code join} lists. */
class PresetInvitationTest {
    private static final String SECRET = "a-long-enough-test-secret";
    private static final Duration WAIT = Duration.ofSeconds(15);
    @TempDir Path dir;
    private EventLoopGroup loops;
    private final List<Peer> peers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        loops = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    }

    @AfterEach
    void tearDown() throws Exception {
        for (Peer p : peers) {
            if (p.session != null) {
                p.stop();
            }
            p.host.close();
        }
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    private Peer peer(String name, List<String> groups) throws Exception {
        Peer p = new Peer(name, loops, dir, groups);
        peers.add(p);
        return p;
    }

    @Test
    void configuredJoinWaitsForTheOwnerAndIsSingleUseAndIdempotent() throws Exception {
        Peer alice = peer("alice", List.of("team"));
        alice.extra.put("inviteSecret", SECRET);
        alice.extra.put("presetInvites", 2);
        String first = SimplexConnector.presetInvitation(alice.config(), "team", 1);
        String second = SimplexConnector.presetInvitation(alice.config(), "team", 2);
        assertThat(first).startsWith("simplex:/group#").isNotEqualTo(second);
        assertThat(SimplexConnector.presetInvitation(alice.config(), "team", 1)).isEqualTo(first);
        assertThatThrownBy(() -> SimplexConnector.presetInvitation(alice.config(), "team", 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SimplexConnector.presetInvitation(alice.config(), "other", 1))
                .isInstanceOf(IllegalArgumentException.class);

        // bob comes up first: his join waits until alice answers
        Peer bob = peer("bob", List.of());
        bob.extra.put("join", List.of(first));
        bob.start();
        CompletableFuture<Void> joined = bob.session.join(bob.group("team")).toCompletableFuture();
        assertThat(joined).isNotDone();
        alice.start();
        assertThat(alice.session.presetInvitation("team", 1)).isEqualTo(first);
        joined.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> alice.members("team").contains("bob"));
        assertThat(bob.members("team")).containsExactly("alice");

        alice.say("team", "welcome");
        await().atMost(WAIT).until(() -> bob.received("welcome") == 1);
        // the used invitation is gone, the other one still stands
        assertThatThrownBy(() -> alice.session.presetInvitation("team", 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(alice.session.presetInvitation("team", 2)).isEqualTo(second);

        // a restart with the same join list does not join twice
        bob.stop();
        bob.start();
        bob.session.join(bob.group("team")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        assertThat(bob.host.store().list("grp/")).hasSize(1);
        alice.say("team", "again");
        await().atMost(WAIT).until(() -> bob.received("again") == 1);

        // someone else pasting the used invitation gets nowhere: alice's queue already expects
        // bob's next message, so mallory's acceptance is never taken in
        Peer mallory = peer("mallory", List.of());
        mallory.extra.put("join", List.of(first));
        mallory.start();
        await().atMost(WAIT).until(() -> mallory.host.store().list("out/").isEmpty());
        alice.say("team", "still private");
        await().atMost(WAIT).until(() -> bob.received("still private") == 1);
        assertThat(alice.members("team")).containsExactly("bob");
        assertThat(alice.host.store().list("mem/team/")).hasSize(2); // bob and preset 2
        assertThat(mallory.received("still private")).isZero();
        assertThat(mallory.members("team")).isEmpty();
    }
}
