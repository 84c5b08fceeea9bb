package dev.sabir.server.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Typing;
import dev.sabir.server.config.SabirConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Fan-out, order, echo suppression, templates and link management. */
class RouterRoutingTest extends RouterFixture {

    @Test
    void aMessageReachesEveryOtherMemberAndNotItsSource() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP, TOR)));
        FakeSession irc = new FakeSession("irc");
        FakeSession xmpp = new FakeSession("xmpp");
        FakeSession tor = new FakeSession("tor");
        router.attach(IRC.accountAddress(), irc, ALL);
        router.attach(XMPP.accountAddress(), xmpp, ALL);
        router.attach(TOR.accountAddress(), tor, ALL);

        router.accept(msg(IRC, "alice", "i1", "hello"));

        awaitCount(xmpp, 1);
        awaitCount(tor, 1);
        awaitPending(0);
        assertThat(irc.delivered()).isEmpty();
        Delivery d = xmpp.last();
        assertThat(d.destination()).isEqualTo(XMPP);
        assertThat(d.source()).isEqualTo(IRC);
        assertThat(d.event().conversation()).isEqualTo(XMPP);
        assertThat(((ChatMessage) d.event()).text()).isEqualTo("hello");
        assertThat(d.text()).isEqualTo("<alice@irc> hello");
        assertThat(d.id()).isPositive();
        assertThat(tor.last().destination()).isEqualTo(TOR);
        assertThat(counter(RouterMetrics.ROUTED, "link", "main", "account", "xmpp:comp"))
                .isEqualTo(1.0);
    }

    @Test
    void orderHoldsPerConversationUnderConcurrency() throws Exception {
        Address other = Address.parse("irc:libera/#other");
        open().setConfiguredLinks(
                        List.of(link("a", "{text}", IRC, XMPP), link("b", "{text}", other, XMPP)));
        FakeSession xmpp = new FakeSession("xmpp");
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        int n = 300;
        Thread t1 =
                new Thread(
                        () ->
                                IntStream.range(0, n)
                                        .forEach(
                                                i ->
                                                        router.accept(
                                                                msg(IRC, "a", "a" + i, "a" + i))));
        Thread t2 =
                new Thread(
                        () ->
                                IntStream.range(0, n)
                                        .forEach(
                                                i ->
                                                        router.accept(
                                                                msg(
                                                                        other, "b", "b" + i,
                                                                        "b" + i))));
        t1.start();
        t2.start();
        t1.join();
        t2.join();

        await().atMost(Duration.ofSeconds(30)).until(() -> xmpp.delivered().size() == 2 * n);
        List<String> fromA = new ArrayList<>();
        List<String> fromB = new ArrayList<>();
        for (String t : xmpp.texts()) {
            (t.startsWith("a") ? fromA : fromB).add(t);
        }
        assertThat(fromA)
                .containsExactlyElementsOf(IntStream.range(0, n).mapToObj(i -> "a" + i).toList());
        assertThat(fromB)
                .containsExactlyElementsOf(IntStream.range(0, n).mapToObj(i -> "b" + i).toList());
        awaitPending(0);
    }

    @Test
    void selfEventsAreNeverRelayed() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession xmpp = new FakeSession("xmpp");
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        router.accept(ChatMessage.of(IRC, Sender.self("sabir"), "s1", "mine"));
        router.accept(new Typing(IRC, Sender.self("sabir"), Typing.State.TYPING));
        router.accept(msg(IRC, "bob", "b1", "theirs"));

        awaitCount(xmpp, 1);
        awaitPending(0);
        assertThat(xmpp.delivered())
                .extracting(d -> d.event().getClass().getSimpleName())
                .containsExactly("ChatMessage");
        assertThat(xmpp.texts()).containsExactly("theirs");
    }

    @Test
    void aDestinationComingOnlineLearnsTheMembersAlreadyThere() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession ircSession = new FakeSession("irc");
        router.attach(IRC.accountAddress(), ircSession, ALL);
        router.accept(
                dev.sabir.api.RoomUpdate.members(
                        IRC, List.of(Sender.self("sabirbot"), Sender.of("alice"))));
        router.accept(dev.sabir.api.RoomUpdate.joined(IRC, Sender.of("bob")));
        router.accept(dev.sabir.api.RoomUpdate.left(IRC, Sender.of("alice"), "bye"));
        await().atMost(java.time.Duration.ofSeconds(5))
                .until(() -> router.rosterOf(IRC).equals(List.of("bob")));

        FakeSession xmpp = new FakeSession("xmpp");
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        awaitCount(xmpp, 1);
        dev.sabir.api.RoomUpdate got = (dev.sabir.api.RoomUpdate) xmpp.delivered().get(0).event();
        assertThat(got.change()).isEqualTo(dev.sabir.api.RoomUpdate.Change.MEMBERS);
        assertThat(got.conversation()).isEqualTo(XMPP);
        assertThat(got.members()).extracting(Sender::nick).containsExactly("bob");
    }

    @Test
    void memberListsLeaveOutTheRelayIdentity() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession xmpp = new FakeSession("xmpp");
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        router.accept(
                dev.sabir.api.RoomUpdate.members(
                        IRC,
                        List.of(Sender.self("sabirbot"), Sender.of("alice"), Sender.of("bob"))));

        awaitCount(xmpp, 1);
        dev.sabir.api.RoomUpdate got = (dev.sabir.api.RoomUpdate) xmpp.delivered().get(0).event();
        assertThat(got.members()).extracting(Sender::nick).containsExactly("alice", "bob");
    }

    @Test
    void aNetworkEchoOfOurDeliveryIsDroppedBothWays() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession irc = new FakeSession("irc");
        FakeSession xmpp = new FakeSession("xmpp");
        router.attach(IRC.accountAddress(), irc, ALL);
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        router.accept(msg(IRC, "alice", "i1", "from irc"));
        awaitCount(xmpp, 1);
        router.accept(msg(XMPP, "bob", "x1", "from xmpp"));
        awaitCount(irc, 1);
        awaitPending(0);

        // Each network now reflects what Sabir sent, under the ids its deliveries returned,
        // without marking it as self.
        router.accept(msg(XMPP, "relay", "xmpp-1", "<alice@irc> from irc"));
        router.accept(msg(IRC, "relay", "irc-1", "<bob@xmpp> from xmpp"));
        router.accept(msg(IRC, "carol", "i2", "after the echoes"));

        awaitCount(xmpp, 2);
        awaitPending(0);
        assertThat(xmpp.texts()).containsExactly("from irc", "after the echoes");
        assertThat(irc.texts()).containsExactly("from xmpp");
    }

    @Test
    void theLinkTemplateIsRenderedIntoDeliveryText() {
        open().setConfiguredLinks(
                        List.of(link("main", "[{network}/{account}] {nick}: {text}", IRC, XMPP)));
        FakeSession xmpp = new FakeSession("xmpp");
        router.attach(XMPP.accountAddress(), xmpp, ALL);

        router.accept(msg(IRC, "alice", "i1", "uses {nick} literally"));

        awaitCount(xmpp, 1);
        Delivery d = xmpp.last();
        assertThat(d.text()).isEqualTo("[irc/libera] alice: uses {nick} literally");
        assertThat(((ChatMessage) d.event()).text()).isEqualTo("uses {nick} literally");
        assertThat(((ChatMessage) d.event()).sender().nick()).isEqualTo("alice");
    }

    @Test
    void transientEventsAreRelayedLiveButNotStored() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession xmpp = new FakeSession("xmpp");

        // Offline destination: typing is lost, not queued; the join only updates the member list
        // the destination is told when it comes online.
        router.accept(new Typing(IRC, Sender.of("alice"), Typing.State.TYPING));
        router.accept(RoomUpdate.joined(IRC, Sender.of("alice")));
        router.accept(msg(IRC, "alice", "i1", "stored"));
        awaitPending(1);

        router.attach(XMPP.accountAddress(), xmpp, ALL);
        awaitCount(xmpp, 2);
        router.accept(new PresenceUpdate(IRC, Sender.of("alice"), PresenceUpdate.Status.AWAY, ""));
        awaitCount(xmpp, 3);
        awaitPending(0);

        assertThat(xmpp.delivered().subList(0, 2))
                .extracting(d -> d.event().getClass().getSimpleName())
                .containsExactlyInAnyOrder("ChatMessage", "RoomUpdate");
        assertThat(xmpp.delivered().subList(0, 2))
                .filteredOn(d -> d.event() instanceof RoomUpdate)
                .singleElement()
                .satisfies(
                        d -> {
                            RoomUpdate r = (RoomUpdate) d.event();
                            assertThat(r.change()).isEqualTo(RoomUpdate.Change.MEMBERS);
                            assertThat(r.members())
                                    .extracting(Sender::nick)
                                    .containsExactly("alice");
                            assertThat(d.id()).isZero();
                        });
        PresenceUpdate p = (PresenceUpdate) xmpp.delivered().get(2).event();
        assertThat(p.conversation()).isEqualTo(XMPP);
        assertThat(xmpp.delivered().get(2).id()).isZero();
    }

    @Test
    void conversationsOfListsTheAccountsLinkMembers() {
        Address irc2 = Address.parse("irc:libera/#two");
        open().setConfiguredLinks(
                        List.of(link("a", null, IRC, XMPP), link("b", null, irc2, IRC, TOR)));

        assertThat(router.conversationsOf(Address.parse("irc:libera"))).containsExactly(IRC, irc2);
        assertThat(router.conversationsOf(Address.parse("torchat:main"))).containsExactly(TOR);
        assertThat(router.conversationsOf(Address.parse("irc:oftc"))).isEmpty();
    }

    @Test
    void runtimeLinksPersistAndCanBeRemoved() {
        open().setConfiguredLinks(List.of(link("conf", null, IRC, XMPP)));
        router.createLink(
                new SabirConfig.LinkEntry(
                        "rt",
                        List.of(TOR, XMPP),
                        "{nick}: {text}",
                        Map.of("zero_width_nick", true)));

        assertThat(router.links())
                .extracting(SabirConfig.LinkEntry::name)
                .containsExactly("conf", "rt");
        assertThatThrownBy(() -> router.createLink(link("conf", null, IRC, TOR)))
                .isInstanceOf(IllegalArgumentException.class);

        reopen();
        assertThat(router.links()).extracting(SabirConfig.LinkEntry::name).containsExactly("rt");
        SabirConfig.LinkEntry rt = router.links().get(0);
        assertThat(rt.members()).containsExactly(TOR, XMPP);
        assertThat(rt.format()).isEqualTo("{nick}: {text}");
        assertThat(rt.options()).containsEntry("zero_width_nick", true);

        assertThat(router.removeLink("rt")).isTrue();
        assertThat(router.removeLink("rt")).isFalse();
        reopen();
        assertThat(router.links()).isEmpty();
    }

    @Test
    void aRemovedLinkNoLongerRelays() {
        open().setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        FakeSession xmpp = new FakeSession("xmpp");
        router.attach(XMPP.accountAddress(), xmpp, ALL);
        router.accept(msg(IRC, "a", "1", "one"));
        awaitCount(xmpp, 1);

        assertThat(router.removeLink("main")).isTrue();
        router.accept(msg(IRC, "a", "2", "two"));
        router.setConfiguredLinks(List.of(link("other", null, TOR, XMPP)));
        router.accept(msg(TOR, "t", "3", "three"));

        awaitCount(xmpp, 2);
        awaitPending(0);
        assertThat(xmpp.texts()).containsExactly("one", "three");
    }

    @Test
    void malformedLinksAreRejected() {
        open();
        Address sameAccountOther = Address.parse("irc:libera/#other");
        assertThatThrownBy(() -> router.setConfiguredLinks(List.of(link("one", null, IRC))))
                .hasMessageContaining("two members");
        assertThatThrownBy(() -> router.setConfiguredLinks(List.of(link("dup", null, IRC, IRC))))
                .hasMessageContaining("twice");
        assertThatThrownBy(
                        () ->
                                router.setConfiguredLinks(
                                        List.of(
                                                link(
                                                        "acct",
                                                        null,
                                                        IRC,
                                                        Address.parse("xmpp:comp")))))
                .hasMessageContaining("not a conversation");
        assertThatThrownBy(
                        () ->
                                router.setConfiguredLinks(
                                        List.of(
                                                link("x", null, IRC, XMPP),
                                                link("x", null, IRC, TOR))))
                .hasMessageContaining("twice");
        // Two conversations of the same account are fine.
        router.setConfiguredLinks(List.of(link("same", null, IRC, sameAccountOther)));
        assertThat(router.links()).hasSize(1);
    }
}
