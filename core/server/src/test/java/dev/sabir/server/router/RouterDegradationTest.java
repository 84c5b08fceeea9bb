package dev.sabir.server.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.Capability;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.ChatMessage.MessageKind;
import dev.sabir.api.FileOffer;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Typing;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Capability degradation per destination: IRC here can do nothing special, XMPP can do everything.
 * Each test sends the same event to both and compares.
 */
class RouterDegradationTest extends RouterFixture {
    FakeSession irc;
    FakeSession xmpp;

    @BeforeEach
    void linkThree() {
        open().setConfiguredLinks(List.of(link("main", "{nick}: {text}", TOR, IRC, XMPP)));
        irc = new FakeSession("irc");
        xmpp = new FakeSession("xmpp");
        router.attach(IRC.accountAddress(), irc, NONE);
        router.attach(XMPP.accountAddress(), xmpp, ALL);
    }

    private ChatMessage ircMsg(int index) {
        return (ChatMessage) irc.delivered().get(index).event();
    }

    private ChatMessage xmppMsg(int index) {
        return (ChatMessage) xmpp.delivered().get(index).event();
    }

    @Test
    void anEditBecomesAMarkedResendWithoutEdits() {
        router.accept(msg(TOR, "tom", "t1", "helo"));
        router.accept(edit(TOR, "tom", "t2", "hello", "t1"));
        awaitCount(irc, 2);
        awaitCount(xmpp, 2);

        assertThat(ircMsg(1).text()).isEqualTo("* correction: hello");
        assertThat(ircMsg(1).editOf()).isNull();
        assertThat(irc.delivered().get(1).text()).isEqualTo("tom: * correction: hello");
        assertThat(xmppMsg(1).text()).isEqualTo("hello");
        assertThat(xmppMsg(1).editOf()).isEqualTo("xmpp-1");
    }

    @Test
    void aRetractionBecomesANoticeWithoutRetractions() {
        router.accept(msg(TOR, "tom", "t1", "oops"));
        router.accept(retract(TOR, "tom", "t2", "t1"));
        awaitCount(irc, 2);
        awaitCount(xmpp, 2);

        assertThat(ircMsg(1).retractOf()).isNull();
        assertThat(ircMsg(1).kind()).isEqualTo(MessageKind.NOTICE);
        assertThat(ircMsg(1).text()).isEqualTo("* tom retracted a message");
        assertThat(xmppMsg(1).retractOf()).isEqualTo("xmpp-1");
    }

    @Test
    void aReplyQuotesTheOriginalWithoutReplies() {
        router.accept(msg(TOR, "tom", "t1", "what time is it?\nsecond line"));
        router.accept(reply(TOR, "ann", "t2", "noon", "t1"));
        awaitCount(irc, 2);
        awaitCount(xmpp, 2);

        assertThat(ircMsg(1).replyTo()).isNull();
        assertThat(ircMsg(1).text()).isEqualTo("> tom: what time is it? …\nnoon");
        assertThat(xmppMsg(1).replyTo()).isEqualTo("xmpp-1");
        assertThat(xmppMsg(1).text()).isEqualTo("noon");
    }

    @Test
    void anActionIsSpelledOutWithoutActions() {
        router.accept(
                new ChatMessage(
                        TOR,
                        Sender.of("tom"),
                        "t1",
                        "waves",
                        MessageKind.ACTION,
                        null,
                        null,
                        null,
                        Instant.now()));
        awaitCount(irc, 1);
        awaitCount(xmpp, 1);

        assertThat(ircMsg(0).kind()).isEqualTo(MessageKind.NORMAL);
        assertThat(ircMsg(0).text()).isEqualTo("* tom waves");
        assertThat(xmppMsg(0).kind()).isEqualTo(MessageKind.ACTION);
        assertThat(xmppMsg(0).text()).isEqualTo("waves");
    }

    @Test
    void aFileOfferBecomesALinkWithoutFiles() {
        router.accept(
                new FileOffer(
                        TOR, Sender.of("tom"), "f1", "cat.jpg", 2048, null, "image/jpeg", "sp-9"));
        awaitCount(irc, 1);
        awaitCount(xmpp, 1);
        awaitPending(0);

        assertThat(ircMsg(0).text())
                .isEqualTo("cat.jpg (2.0 KiB) http://127.0.0.1:8470/files/sp-9");
        assertThat(irc.last().text())
                .isEqualTo("tom: cat.jpg (2.0 KiB) http://127.0.0.1:8470/files/sp-9");
        FileOffer native_ = (FileOffer) xmpp.last().event();
        assertThat(native_.spoolId()).isEqualTo("sp-9");
        assertThat(native_.conversation()).isEqualTo(XMPP);
    }

    @Test
    void aRefusedNativeFileTransferFallsBackToALink() {
        xmpp.failNext(dev.sabir.api.DeliveryException.permanent("peer lacks p2p file transfer"));
        router.accept(
                new FileOffer(
                        TOR, Sender.of("tom"), "f2", "song.ogg", 4096, null, "audio/ogg", "sp-7"));
        awaitCount(xmpp, 1);
        awaitPending(0);

        assertThat(xmpp.attempts()).as("native offer, then the link").isEqualTo(2);
        assertThat(xmppMsg(0).text())
                .isEqualTo("song.ogg (4.0 KiB) http://127.0.0.1:8470/files/sp-7");
    }

    @Test
    void typingAndPresenceAreDroppedWhereAbsent() {
        router.accept(new Typing(TOR, Sender.of("tom"), Typing.State.TYPING));
        router.accept(new PresenceUpdate(TOR, Sender.of("tom"), PresenceUpdate.Status.DND, "busy"));
        router.accept(msg(TOR, "tom", "t1", "marker"));
        awaitCount(xmpp, 3);
        awaitCount(irc, 1);
        awaitPending(0);

        assertThat(irc.delivered()).hasSize(1);
        assertThat(irc.last().event()).isInstanceOf(ChatMessage.class);
        assertThat(xmpp.delivered().get(0).event()).isInstanceOf(Typing.class);
        assertThat(xmpp.delivered().get(1).event()).isInstanceOf(PresenceUpdate.class);
        assertThat(xmpp.delivered().get(0).event().conversation()).isEqualTo(XMPP);
    }

    @Test
    void eachCapabilityAloneEnablesItsFeature() {
        FakeSession only = new FakeSession("only");
        Set<Capability> caps = EnumSet.of(Capability.EDITS, Capability.TYPING);
        router.detach(IRC.accountAddress());
        router.attach(IRC.accountAddress(), only, caps);

        router.accept(msg(TOR, "tom", "t1", "a"));
        router.accept(edit(TOR, "tom", "t2", "b", "t1"));
        router.accept(new Typing(TOR, Sender.of("tom"), Typing.State.PAUSED));
        router.accept(reply(TOR, "tom", "t3", "c", "t1"));
        awaitCount(only, 4);

        assertThat(((ChatMessage) only.delivered().get(1).event()).editOf()).isEqualTo("only-1");
        assertThat(only.delivered().get(2).event()).isInstanceOf(Typing.class);
        assertThat(((ChatMessage) only.delivered().get(3).event()).text()).isEqualTo("> tom: a\nc");
    }
}
