package dev.sabir.simplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileSpool;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Four members on loopback: invitations, introductions, messages, edits, a restart during a file,
 * leaving.
 */
class GroupScenarioTest extends FourPeers {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void fourMembersConnectAllToAllAndExchangeMessagesExactlyOnce() throws Exception {
        b.session.acceptInvitation(a.session.createInvitation("team"));
        await().atMost(WAIT)
                .until(
                        () ->
                                b.members("team").contains("alice")
                                        && a.members("team").contains("bob"));

        c.session.acceptInvitation(b.session.createInvitation("team"));
        await().atMost(WAIT)
                .until(
                        () ->
                                a.members("team").contains("carol")
                                        && c.members("team").contains("alice"));
        d.session.acceptInvitation(a.session.createInvitation("team"));
        await().atMost(WAIT)
                .untilAsserted(
                        () -> {
                            assertThat(a.members("team"))
                                    .containsExactlyInAnyOrder("bob", "carol", "dave");
                            assertThat(b.members("team"))
                                    .containsExactlyInAnyOrder("alice", "carol", "dave");
                            assertThat(c.members("team"))
                                    .containsExactlyInAnyOrder("alice", "bob", "dave");
                            assertThat(d.members("team"))
                                    .containsExactlyInAnyOrder("alice", "bob", "carol");
                        });
        // the inviter confirms each new member to the group once every introduction completed
        await().atMost(WAIT)
                .until(
                        () ->
                                a.host.store().list("mem/team/").values().stream()
                                                .filter(v -> v.contains("\"COMPLETE\""))
                                                .count()
                                        == 3);

        List<Peer> all = List.of(a, b, c, d);
        String aliceId = null;
        for (Peer p : all) {
            String id = p.say("team", "hello from " + p.name);
            if (p == a) {
                aliceId = id;
            }
        }
        await().atMost(WAIT)
                .untilAsserted(
                        () -> {
                            for (Peer p : all) {
                                for (Peer q : all) {
                                    assertThat(p.received("hello from " + q.name))
                                            .isEqualTo(p == q ? 0 : 1);
                                }
                            }
                        });
        ChatMessage seen =
                b.sink.messages().stream()
                        .filter(m -> m.text().equals("hello from alice"))
                        .findFirst()
                        .get();
        assertThat(seen.id()).isEqualTo(aliceId);
        assertThat(seen.sender().nick()).isEqualTo("alice");
        assertThat(seen.conversation()).isEqualTo(b.group("team"));

        // update and delete map to editOf / retractOf
        ChatMessage edit =
                new ChatMessage(
                        a.group("team"),
                        Sender.of("x"),
                        "e",
                        "hello, corrected",
                        ChatMessage.MessageKind.NORMAL,
                        null,
                        aliceId,
                        null,
                        java.time.Instant.now());
        a.session
                .deliver(new Delivery(2, a.group("team"), edit, Address.parse("irc:n/#c"), ""))
                .toCompletableFuture()
                .get();
        ChatMessage del =
                new ChatMessage(
                        a.group("team"),
                        Sender.of("x"),
                        "r",
                        "",
                        ChatMessage.MessageKind.NORMAL,
                        null,
                        null,
                        aliceId,
                        java.time.Instant.now());
        a.session
                .deliver(new Delivery(3, a.group("team"), del, Address.parse("irc:n/#c"), ""))
                .toCompletableFuture()
                .get();
        String expectedRef = aliceId;
        await().atMost(WAIT)
                .untilAsserted(
                        () -> {
                            for (Peer p : List.of(b, c, d)) {
                                assertThat(p.sink.messages())
                                        .anyMatch(
                                                m ->
                                                        expectedRef.equals(m.editOf())
                                                                && m.text()
                                                                        .equals(
                                                                                "hello, corrected"));
                                assertThat(p.sink.messages())
                                        .anyMatch(m -> expectedRef.equals(m.retractOf()));
                            }
                        });

        // a 5 MB file from alice; carol restarts in the middle of it
        byte[] data = new byte[5 * 1024 * 1024];
        new Random(7).nextBytes(data);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        FileSpool.SpooledFile f = a.host.spool().add("report.bin", data);
        FileOffer offer =
                new FileOffer(
                        a.group("team"),
                        Sender.of("x"),
                        "o1",
                        f.name(),
                        f.size(),
                        f.sha256(),
                        null,
                        f.spoolId());
        a.session
                .deliver(new Delivery(4, a.group("team"), offer, Address.parse("irc:n/#c"), ""))
                .toCompletableFuture()
                .get();
        await().atMost(WAIT)
                .until(() -> c.host.store().list("fin/").size() == 1 && receivedChunks(c) > 20);
        c.stop();
        long before = receivedChunks(c);
        assertThat(before).isGreaterThan(0).isLessThan(data.length / SimplexSession.CHUNK);
        c.start();
        await().atMost(Duration.ofSeconds(60))
                .untilAsserted(
                        () -> {
                            for (Peer p : List.of(b, c, d)) {
                                assertThat(p.events(FileOffer.class)).hasSize(1);
                                FileOffer got = p.events(FileOffer.class).get(0);
                                assertThat(got.sha256()).isEqualTo(sha);
                                assertThat(got.size()).isEqualTo(data.length);
                                assertThat(got.name()).isEqualTo("report.bin");
                                Path spooled =
                                        p.host.spool().find(got.spoolId()).orElseThrow().path();
                                assertThat(
                                                HexFormat.of()
                                                        .formatHex(
                                                                MessageDigest.getInstance("SHA-256")
                                                                        .digest(
                                                                                Files.readAllBytes(
                                                                                        spooled))))
                                        .isEqualTo(sha);
                            }
                        });
        // carol still gets messages after her restart, once
        a.say("team", "after restart");
        await().atMost(WAIT)
                .until(() -> c.received("after restart") == 1 && d.received("after restart") == 1);

        // dave leaves: the others see him go and stop sending to him
        d.session.leave("team").toCompletableFuture().get();
        await().atMost(WAIT)
                .untilAsserted(
                        () -> {
                            for (Peer p : List.of(a, b, c)) {
                                assertThat(p.events(RoomUpdate.class))
                                        .anyMatch(
                                                u ->
                                                        u.change() == RoomUpdate.Change.LEFT
                                                                && u.member()
                                                                        .nick()
                                                                        .equals("dave"));
                                assertThat(p.members("team")).doesNotContain("dave");
                            }
                        });
        b.say("team", "bye dave");
        await().atMost(WAIT)
                .until(() -> a.received("bye dave") == 1 && c.received("bye dave") == 1);
        Thread.sleep(300);
        assertThat(d.received("bye dave")).isZero();
        assertThat(a.received("bye dave")).isEqualTo(1);
        assertThat(Set.copyOf(a.sink.messages().stream().map(ChatMessage::id).toList()))
                .hasSize(a.sink.messages().size());
        // a restart after leaving comes online without the group
        d.stop();
        d.start();
        assertThat(d.sink.lastState()).isEqualTo(dev.sabir.api.SessionState.State.ONLINE);
        assertThat(d.events(RoomUpdate.class))
                .noneMatch(u -> u.conversation().equals(d.group("team")));
    }

    private static long receivedChunks(Peer p) throws java.io.IOException {
        return p.uploadedBytes() / SimplexSession.CHUNK;
    }
}
