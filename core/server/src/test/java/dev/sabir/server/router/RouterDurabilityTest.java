package dev.sabir.server.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.DeliveryException;
import dev.sabir.server.config.SabirConfig;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Durable deliveries: offline queues, restarts, dedupe, failures and queue bounds. */
class RouterDurabilityTest extends RouterFixture {

    private static List<String> numbered(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> "m" + i).toList();
    }

    private void sendNumbered(int from, int to) {
        for (int i = from; i < to; i++) {
            router.accept(msg(IRC, "ian", "i" + i, "m" + i));
        }
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
        FakeSession xmpp = new FakeSession("x").failNext(DeliveryException.permanent("no such room"));
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
                .until(() -> counter(RouterMetrics.DROPS, "account", "xmpp:comp", "reason", "queue-full") == 7.0);

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
