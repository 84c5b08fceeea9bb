package dev.sabir.simplex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Members who join at the same moment through different inviters: the announcements cross, and the
 * spec's double introductions still connect everybody to everybody, also across a restart of the
 * member holding a planned introduction.
 */
class ParallelJoinTest extends FourPeers {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Set<String> CONNECTED = Set.of("CONNECTED", "ANNOUNCED", "COMPLETE");
    private final ObjectMapper json = new ObjectMapper();

    @BeforeEach
    void setUp() throws Exception {
        b.session.acceptInvitation(a.session.createInvitation("team"));
        await().atMost(WAIT)
                .until(
                        () ->
                                b.members("team").contains("alice")
                                        && a.members("team").contains("bob"));
    }

    @Test
    void membersInvitedAtOnceByDifferentMembersGetIntroduced() throws Exception {
        String forCarol = a.session.createInvitation("team");
        String forDave = b.session.createInvitation("team");
        CompletableFuture<Void> carolJoins =
                CompletableFuture.runAsync(() -> c.session.acceptInvitation(forCarol));
        CompletableFuture<Void> daveJoins =
                CompletableFuture.runAsync(() -> d.session.acceptInvitation(forDave));
        CompletableFuture.allOf(carolJoins, daveJoins).get(10, TimeUnit.SECONDS);

        awaitAllConnected();
        assertMessagesArriveOnce();
    }

    @Test
    void aPlannedIntroductionSurvivesARestart() throws Exception {
        // carol joins through alice while bob is down: alice's announcement of carol waits
        b.stop();
        c.session.acceptInvitation(a.session.createInvitation("team"));
        await().atMost(WAIT).until(() -> c.members("team").contains("alice"));
        // dave joins through bob while alice is down: bob announces dave without carol
        a.stop();
        b.start();
        d.session.acceptInvitation(b.session.createInvitation("team"));
        await().atMost(WAIT)
                .until(
                        () ->
                                d.members("team").contains("bob")
                                        && "INTRO_INVITED".equals(status(d, "alice"))
                                        && d.host.store().list("out/").isEmpty());
        // dave goes down, so alice cannot connect to him right after the crossing announcements
        d.stop();
        a.start();
        await().atMost(WAIT).until(() -> a.host.store().list("dintro/team/").size() == 1);
        String planned = a.host.store().list("dintro/team/").keySet().iterator().next();
        assertThat(planned).isEqualTo("dintro/team/" + id(a, "dave") + "/" + id(a, "carol"));
        assertThat(c.members("team")).doesNotContain("dave");

        a.stop();
        a.start();
        assertThat(a.host.store().list("dintro/team/")).containsOnlyKeys(planned);
        d.start();

        awaitAllConnected();
        assertMessagesArriveOnce();
    }

    /** Every member lists the other three exactly once and holds them as connected. */
    private void awaitAllConnected() {
        List<Peer> all = List.of(a, b, c, d);
        await().atMost(WAIT)
                .untilAsserted(
                        () -> {
                            for (Peer p : all) {
                                List<String> others =
                                        all.stream().filter(q -> q != p).map(q -> q.name).toList();
                                assertThat(memberListOf(p))
                                        .as("member list of %s", p.name)
                                        .containsExactlyInAnyOrderElementsOf(others);
                                for (String o : others) {
                                    assertThat(status(p, o))
                                            .as("%s sees %s", p.name, o)
                                            .isIn(CONNECTED);
                                }
                                assertThat(p.host.store().list("dintro/")).isEmpty();
                            }
                        });
    }

    private void assertMessagesArriveOnce() throws Exception {
        c.say("team", "from carol");
        d.say("team", "from dave");
        await().atMost(WAIT)
                .during(Duration.ofMillis(500))
                .untilAsserted(
                        () -> {
                            for (Peer p : List.of(a, b, d)) {
                                assertThat(p.received("from carol")).as(p.name).isEqualTo(1);
                            }
                            for (Peer p : List.of(a, b, c)) {
                                assertThat(p.received("from dave")).as(p.name).isEqualTo(1);
                            }
                            assertThat(c.received("from carol")).isZero();
                            assertThat(d.received("from dave")).isZero();
                        });
    }

    private static List<String> memberListOf(Peer p) {
        return p.memberList("team");
    }

    /** The stored member record of {@code p} for the member named {@code name}, or null. */
    private JsonNode record(Peer p, String name) throws Exception {
        for (Map.Entry<String, String> e : p.host.store().list("mem/team/").entrySet()) {
            JsonNode n = json.readTree(e.getValue());
            if (name.equals(n.path("name").asText())) {
                return n;
            }
        }
        return null;
    }

    private String status(Peer p, String name) throws Exception {
        JsonNode n = record(p, name);
        return n == null ? null : n.path("status").asText();
    }

    private String id(Peer p, String name) throws Exception {
        JsonNode n = record(p, name);
        return n == null ? null : n.path("memberId").asText();
    }
}
