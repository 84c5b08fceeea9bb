package dev.sabir.server.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.ChatMessage;
import dev.sabir.server.store.Backend;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Translation of edit, reply and retraction ids (also across a restart), on SQLite and PostgreSQL.
 */
@ParameterizedClass
@EnumSource(Backend.class)
class RouterIdMapTest extends RouterFixture {
    @Parameter Backend backend;

    @Override
    Backend backend() {
        return backend;
    }

    FakeSession irc;
    FakeSession xmpp;
    FakeSession tor;

    private void start() {
        start("");
    }

    private void start(String suffix) {
        router.setConfiguredLinks(List.of(link("main", null, IRC, XMPP, TOR)));
        irc = new FakeSession("irc" + suffix);
        xmpp = new FakeSession("xmpp" + suffix);
        tor = new FakeSession("tor" + suffix);
        router.attach(IRC.accountAddress(), irc, ALL);
        router.attach(XMPP.accountAddress(), xmpp, ALL);
        router.attach(TOR.accountAddress(), tor, ALL);
    }

    private static ChatMessage event(FakeSession s) {
        return (ChatMessage) s.last().event();
    }

    @Test
    void referencesAreTranslatedToEachDestinationsIds() {
        open();
        start();
        router.accept(msg(XMPP, "xena", "x1", "original"));
        awaitCount(irc, 1);
        awaitCount(tor, 1);
        awaitPending(0);

        // IRC users reply to the relayed copy, which IRC knows as irc-1.
        router.accept(reply(IRC, "ian", "i1", "answer", "irc-1"));
        awaitCount(xmpp, 1);
        awaitCount(tor, 2);
        assertThat(event(xmpp).replyTo()).isEqualTo("x1");
        assertThat(event(tor).replyTo()).isEqualTo("tor-1");

        // The author edits the original on XMPP.
        router.accept(edit(XMPP, "xena", "x2", "original, fixed", "x1"));
        awaitCount(irc, 2);
        awaitCount(tor, 3);
        assertThat(event(irc).editOf()).isEqualTo("irc-1");
        assertThat(event(tor).editOf()).isEqualTo("tor-1");

        // TorChat retracts the IRC reply it knows as tor-2.
        router.accept(retract(TOR, "tom", "t9", "tor-2"));
        awaitCount(irc, 3);
        awaitCount(xmpp, 2);
        assertThat(event(irc).retractOf()).isEqualTo("i1");
        assertThat(event(xmpp).retractOf()).isEqualTo("xmpp-1");
    }

    @Test
    void theMapSurvivesARestart() {
        open();
        start();
        router.accept(msg(IRC, "ian", "i1", "before restart"));
        awaitCount(xmpp, 1);
        awaitCount(tor, 1);
        awaitPending(0);

        reopen();
        start("b");
        router.accept(edit(IRC, "ian", "i2", "after restart", "i1"));
        awaitCount(xmpp, 1);
        awaitCount(tor, 1);
        assertThat(event(xmpp).editOf()).isEqualTo("xmpp-1");
        assertThat(event(tor).editOf()).isEqualTo("tor-1");

        router.accept(reply(TOR, "tom", "t1", "re", "tor-1"));
        awaitCount(irc, 1);
        awaitCount(xmpp, 2);
        assertThat(event(irc).replyTo()).isEqualTo("i1");
        assertThat(event(xmpp).replyTo()).isEqualTo("xmpp-1");

        router.accept(retract(XMPP, "xena", "x5", "xmpp-1"));
        awaitCount(irc, 2);
        awaitCount(tor, 2);
        assertThat(event(irc).retractOf()).isEqualTo("i1");
        assertThat(event(tor).retractOf()).isEqualTo("tor-1");
    }

    @Test
    void anUnknownReferenceIsClearedOrDegraded() {
        open();
        start();
        router.accept(reply(IRC, "ian", "i1", "to nothing", "never-seen"));
        router.accept(edit(IRC, "ian", "i2", "fix of nothing", "never-seen"));
        awaitCount(xmpp, 2);

        ChatMessage r = (ChatMessage) xmpp.delivered().get(0).event();
        assertThat(r.replyTo()).isNull();
        assertThat(r.text()).isEqualTo("to nothing");
        ChatMessage e = (ChatMessage) xmpp.delivered().get(1).event();
        assertThat(e.editOf()).isNull();
        assertThat(e.text()).isEqualTo("* correction: fix of nothing");
    }

    @Test
    void anEditWaitsForTheOriginalsRemoteIdWhenTheDestinationWasOffline() {
        open();
        router.setConfiguredLinks(List.of(link("main", null, IRC, XMPP)));
        router.accept(msg(IRC, "ian", "i1", "first"));
        router.accept(edit(IRC, "ian", "i2", "first!", "i1"));
        awaitPending(2);

        xmpp = new FakeSession("xmpp");
        router.attach(XMPP.accountAddress(), xmpp, ALL);
        awaitCount(xmpp, 2);
        assertThat(((ChatMessage) xmpp.delivered().get(1).event()).editOf()).isEqualTo("xmpp-1");
    }
}
