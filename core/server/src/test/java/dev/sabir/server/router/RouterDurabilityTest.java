package dev.sabir.server.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.Session;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.store.Backend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Durable deliveries on SQLite and PostgreSQL: offline queues, restarts, dedupe, failures, bounds.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class RouterDurabilityTest extends RouterFixture {
    @Parameter Backend backend;

    @Override
    Backend backend() {
        return backend;
    }

    private static List<String> numbered(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "m" + i).toList();
    }

    private void sendNumbered(int from, int to) {
        for (int i = from; i < to; i++) {
            router.accept(msg(IRC, "ian", "i" + i, "m" + i));
        }
    }

    @Test
    void aDeliveryIsStoredBeforeItIsAttemptedAndDoneWhenAccepted() throws Exception {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        CompletableFuture<String> answer = new CompletableFuture<>();
        List<Delivery> seen = new CopyOnWriteArrayList<>();
        Session holding =
                new FakeSession("unused") {
                    @Override
                    public CompletionStage<String> deliver(Delivery d) {
                        seen.add(d);
                        return answer;
                    }
                };
        router.attach(XMPP.accountAddress(), holding, ALL);
        router.accept(msg(IRC, "ian", "i1", "held"));

        await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
        long id = seen.get(0).id();
        assertThat(router.pending()).isEqualTo(1);
        assertThat(new DeliveryStore(db()).state(id)).isEqualTo(DeliveryStore.PENDING);

        answer.complete("x-1");
        awaitPending(0);
        router.close(); // flushes the done marks
        assertThat(new DeliveryStore(db()).state(id)).isEqualTo(DeliveryStore.DONE);
        assertThat(new MessageMap(db()).translate(IRC.toString(), "i1", XMPP.toString()))
                .isEqualTo("x-1");
    }

    @Test
    void anOfflineDestinationGetsMissedMessagesInOrderOnAttach() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession first = new FakeSession("x");
        router.attach(XMPP.accountAddress(), first, ALL);
        sendNumbered(0, 3);
        awaitCount(first, 3);

        router.detach(XMPP.accountAddress());
        sendNumbered(3, 50);
        awaitPending(47);
        assertThat(first.delivered()).hasSize(3);
        assertThat(registry.get(RouterMetrics.PENDING).gauge().value()).isEqualTo(47.0);

        FakeSession second = new FakeSession("y");
        router.attach(XMPP.accountAddress(), second, ALL);
        awaitCount(second, 47);
        awaitPending(0);
        assertThat(second.texts()).containsExactlyElementsOf(numbered(3, 50));
    }

    @Test
    void pendingDeliveriesSurviveARestartWithoutDuplicates() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP, TOR)));
        FakeSession tor = new FakeSession("tor");
        router.attach(TOR.accountAddress(), tor, ALL);
        sendNumbered(0, 20);
        awaitCount(tor, 20);
        awaitPending(20); // the XMPP copies wait

        reopen();
        router.setConfiguredLinks(List.of(link("main", null, IRC, XMPP, TOR)));
        assertThat(router.pending()).isEqualTo(20);
        FakeSession tor2 = new FakeSession("tor2");
        router.attach(TOR.accountAddress(), tor2, ALL);
        // The source network replays some of its history after the restart.
        sendNumbered(10, 20);
        FakeSession xmpp = new FakeSession("xmpp");
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        awaitCount(xmpp, 20);
        awaitPending(0);
        assertThat(xmpp.texts()).containsExactlyElementsOf(numbered(0, 20));
        assertThat(tor2.delivered()).isEmpty();

        sendNumbered(20, 21);
        awaitCount(xmpp, 21);
        awaitPending(0);
        assertThat(xmpp.texts()).hasSize(21);
        assertThat(tor2.texts()).containsExactly("m20");
    }

    @Test
    void aPermanentFailureDropsTheDeliveryAndCountsIt() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession xmpp =
                new FakeSession("x").failNext(DeliveryException.permanent("no such room"));
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        sendNumbered(0, 3);
        awaitCount(xmpp, 2);
        awaitPending(0);

        assertThat(xmpp.texts()).containsExactly("m1", "m2");
        assertThat(counter(RouterMetrics.DROPS, "account", "xmpp:comp", "reason", "permanent"))
                .isEqualTo(1.0);
        assertThat(counter(RouterMetrics.FAILED, "account", "xmpp:comp", "retryable", "false"))
                .isEqualTo(1.0);
    }

    @Test
    void aRetryableFailureIsRetriedInOrder() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession xmpp =
                new FakeSession("x")
                        .failNext(
                                DeliveryException.offline("flood limit"),
                                DeliveryException.offline("flood limit"),
                                new IllegalStateException("bug"));
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        sendNumbered(0, 3);
        awaitCount(xmpp, 3);
        awaitPending(0);

        assertThat(xmpp.texts()).containsExactly("m0", "m1", "m2");
        assertThat(xmpp.attempts()).isEqualTo(6);
        assertThat(counter(RouterMetrics.FAILED, "account", "xmpp:comp", "retryable", "true"))
                .isEqualTo(3.0);
    }

    @Test
    void dropOldestKeepsTheNewestDeliveries() {
        open(5, "drop-oldest").setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        sendNumbered(0, 12);
        awaitPending(5);
        await().atMost(Duration.ofSeconds(5))
                .until(() -> counter(RouterMetrics.DROPS, "reason", "queue-full") == 7.0);

        FakeSession xmpp = new FakeSession("x");
        router.attach(XMPP.accountAddress(), xmpp, ALL);
        awaitCount(xmpp, 5);
        awaitPending(0);
        assertThat(xmpp.texts()).containsExactlyElementsOf(numbered(7, 12));
    }

    @Test
    void dropNewestKeepsTheOldestDeliveries() {
        open(5, "drop-newest").setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        sendNumbered(0, 12);
        awaitPending(5);
        await().atMost(Duration.ofSeconds(5))
                .until(
                        () ->
                                counter(
                                                RouterMetrics.DROPS,
                                                "account",
                                                "xmpp:comp",
                                                "reason",
                                                "queue-full")
                                        == 7.0);

        // Dropped deliveries stay dropped after a restart.
        reopen();
        router.setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession xmpp = new FakeSession("x");
        router.attach(XMPP.accountAddress(), xmpp, ALL);
        awaitCount(xmpp, 5);
        awaitPending(0);
        assertThat(xmpp.texts()).containsExactlyElementsOf(numbered(0, 5));
    }

    @Test
    void awkwardTextIsStoredMappedAndNotRedeliveredAfterARestart() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession xmpp = new FakeSession("x");
        router.attach(XMPP.accountAddress(), xmpp, ALL);
        String nick = "n".repeat(400);
        String id = "id-\u0000-" + "é".repeat(200);
        String text = "nul \u0000 here, quote ' and emoji 😀\n" + "x".repeat(5000);
        router.accept(msg(IRC, nick, id, text));
        awaitCount(xmpp, 1);
        awaitPending(0);
        assertThat(xmpp.texts()).containsExactly(text);

        reopen();
        router.setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        assertThat(router.pending()).isZero();
        FakeSession xmpp2 = new FakeSession("x2");
        router.attach(XMPP.accountAddress(), xmpp2, ALL);
        router.accept(msg(IRC, nick, id, text)); // replayed by the source: a duplicate
        router.accept(msg(IRC, "ian", "i2", "after"));
        awaitCount(xmpp2, 1);
        awaitPending(0);
        assertThat(xmpp2.texts()).containsExactly("after");
        assertThat(new MessageMap(db()).translate(IRC.toString(), id, XMPP.toString()))
                .isEqualTo("x-1");
    }

    @Test
    void runtimeLinksWithOddAddressesSurviveARestart() {
        Address odd = XMPP.withId("room\u0000\u0001-" + "é".repeat(1000));
        open().createLink(
                        new SabirConfig.LinkEntry(
                                "rt",
                                List.of(IRC, odd),
                                "{nick}: {text}",
                                Map.of("zero_width_nick", true)));

        reopen();
        assertThat(router.links()).hasSize(1);
        SabirConfig.LinkEntry rt = router.links().get(0);
        assertThat(rt.name()).isEqualTo("rt");
        assertThat(rt.members()).containsExactly(IRC, odd);
        assertThat(rt.format()).isEqualTo("{nick}: {text}");
        assertThat(rt.options()).containsEntry("zero_width_nick", true);

        // Pending deliveries to the odd address survive a restart too.
        router.accept(msg(IRC, "ian", "i1", "to the odd room"));
        awaitPending(1);
        reopen();
        FakeSession xmpp = new FakeSession("x");
        router.attach(XMPP.accountAddress(), xmpp, ALL);
        awaitCount(xmpp, 1);
        awaitPending(0);
        assertThat(xmpp.last().destination()).isEqualTo(odd);
        assertThat(xmpp.texts()).containsExactly("to the odd room");
    }

    @Test
    void anUnknownOverflowPolicyIsRejected() {
        assertThatThrownBy(
                        () ->
                                new Router(
                                        db(),
                                        registry,
                                        new SabirConfig.Routing(10, "drop-random", 0),
                                        SPOOL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("drop-random");
    }
}
