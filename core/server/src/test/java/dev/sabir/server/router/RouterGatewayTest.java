package dev.sabir.server.router;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.Sender;
import dev.sabir.api.Typing;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Gateway routes: a personal account's events go to the owner's gateway session and back. */
class RouterGatewayTest extends RouterFixture {
    static final Address PERSONAL = Address.parse("torchat:alice-tor");
    static final Address GATEWAY = Address.parse("xmpp:component");
    static final Address BUDDY = PERSONAL.withId("bbbbbbbbbbbbbbbb");
    static final String OWNER = "alice@example.org";

    FakeSession gateway;
    FakeSession personal;

    @BeforeEach
    void route() {
        open().setGatewayRoute(PERSONAL, GATEWAY, OWNER);
        gateway = new FakeSession("gw");
        personal = new FakeSession("tor");
        router.attach(GATEWAY, gateway, ALL);
        router.attach(PERSONAL, personal, ALL);
    }

    @Test
    void personalAccountEventsGoToTheGatewaySession() {
        router.accept(msg(BUDDY, "bob", "t1", "hi alice"));
        router.accept(new Typing(BUDDY, Sender.of("bob"), Typing.State.TYPING));
        awaitCount(gateway, 2);
        awaitPending(0);

        Delivery d = gateway.delivered().get(0);
        assertThat(d.destination()).isEqualTo(BUDDY);
        assertThat(d.event().conversation()).isEqualTo(BUDDY);
        assertThat(((ChatMessage) d.event()).text()).isEqualTo("hi alice");
        assertThat(((ChatMessage) d.event()).sender().nick()).isEqualTo("bob");
        assertThat(gateway.delivered().get(1).event()).isInstanceOf(Typing.class);
        assertThat(personal.delivered()).isEmpty();
        assertThat(counter(RouterMetrics.ROUTED, "link", "gateway", "account", "xmpp:component"))
                .isEqualTo(1.0);
    }

    @Test
    void theOwnerSendsIntoThePersonalAccountWithIdsTranslated() {
        router.accept(msg(BUDDY, "bob", "t1", "question"));
        awaitCount(gateway, 1); // the XMPP side knows it as gw-1

        router.sendFromGateway(OWNER, reply(BUDDY, "alice", "stanza-1", "answer", "gw-1"));
        awaitCount(personal, 1);
        Delivery d = personal.last();
        assertThat(d.destination()).isEqualTo(BUDDY);
        assertThat(d.text()).isEqualTo("answer");
        assertThat(((ChatMessage) d.event()).replyTo()).isEqualTo("t1");

        // The owner corrects their own message: the personal network gets its own id.
        router.sendFromGateway(OWNER, edit(BUDDY, "alice", "stanza-2", "answer!", "stanza-1"));
        awaitCount(personal, 2);
        assertThat(((ChatMessage) personal.last().event()).editOf()).isEqualTo("tor-1");

        // The personal network echoes the owner's message back: not relayed to the gateway.
        router.accept(msg(BUDDY, "alice", "tor-1", "answer"));
        router.accept(msg(BUDDY, "bob", "t2", "ok"));
        awaitCount(gateway, 2);
        awaitPending(0);
        assertThat(gateway.texts()).containsExactly("question", "ok");
    }

    @Test
    void onlyTheOwnerMaySend() {
        assertThatThrownBy(() -> router.sendFromGateway("mallory@example.org", msg(BUDDY, "m", "1", "x")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                router.sendFromGateway(
                                        OWNER, msg(Address.parse("torchat:other/cccc"), "a", "1", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void gatewayDeliveriesWaitWhileTheGatewayIsOffline() {
        router.detach(GATEWAY);
        router.accept(msg(BUDDY, "bob", "t1", "one"));
        router.accept(msg(BUDDY, "bob", "t2", "two"));
        awaitPending(2);

        router.removeGatewayRoute(PERSONAL);
        router.accept(msg(BUDDY, "bob", "t3", "not routed"));
        FakeSession back = new FakeSession("gw2");
        router.attach(GATEWAY, back, ALL);
        awaitCount(back, 2);
        awaitPending(0);
        assertThat(back.texts()).containsExactly("one", "two");
        assertThatThrownBy(() -> router.sendFromGateway(OWNER, msg(BUDDY, "a", "9", "x")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aGatewayConversationCanAlsoBeALinkMember() {
        router.setConfiguredLinks(List.of(link("mix", null, BUDDY, IRC)));
        FakeSession irc = new FakeSession("irc");
        router.attach(IRC.accountAddress(), irc, ALL);

        router.accept(msg(BUDDY, "bob", "t1", "to both"));
        awaitCount(irc, 1);
        awaitCount(gateway, 1);
        assertThat(irc.last().text()).isEqualTo("<bob@torchat> to both");
    }
}
