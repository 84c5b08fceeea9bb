package dev.sabir.irc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.irc.codec.IrcMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The away tracker fed with scripted server lines, for what the test ngircd (26.1) lacks: it offers
 * no {@code away-notify}, so AWAY lines pushed by a server are only tested here.
 */
class IrcAwayTrackerTest {
    private final List<String> changes = new ArrayList<>();
    private final List<String> queries = new ArrayList<>();
    private final Set<String> members = Set.of("alice", "bob", "carol");

    private final IrcAwayTracker tracker =
            new IrcAwayTracker(
                    new IrcAwayTracker.Output() {
                        @Override
                        public boolean tracked(String nick) {
                            return members.contains(IrcText.fold(nick));
                        }

                        @Override
                        public void changed(String nick, boolean away, String text) {
                            changes.add(nick + (away ? " away:" + text : " back"));
                        }

                        @Override
                        public void query(IrcMessage m) {
                            queries.add(m.encode());
                        }
                    });

    private void server(String line) {
        tracker.handle(IrcMessage.parse(line));
    }

    @Test
    void awayNotifyLinesBecomeChangesOnlyWhenTheStateChanges() {
        server(":alice!a@h AWAY :lunch");
        server(":alice!a@h AWAY :lunch");
        server(":Alice!a@h AWAY :\u0002still\u0002 lunch\u0007");
        server(":alice!a@h AWAY");
        server(":alice!a@h AWAY");
        server(":bob!b@h AWAY"); // back without ever being away: nothing new
        assertThat(changes)
                .containsExactly("alice away:lunch", "Alice away:still lunch", "alice back");
        assertThat(queries).isEmpty();
    }

    @Test
    void ownConnectionsAndStrangersAreNeverReported() {
        server(":sabirbot!s@h AWAY :gone");
        server(":irc.localhost 352 sabirbot #c ~p h irc.localhost bob[main] G :0 p");
        server(":irc.localhost 301 sabirbot stranger :away");
        assertThat(changes).isEmpty();
        assertThat(tracker.size()).isZero();
    }

    @Test
    void whoFlagsReportAwayAtFirstSightAndFetchTheTextOfLaterChanges() {
        // first WHO after join: carol is already away, alice and bob are here
        server(":srv 352 me #c ~a h srv alice H :0 a");
        server(":srv 352 me #c ~b h srv bob H@ :0 b");
        server(":srv 352 me #c ~c h srv carol G :0 c");
        assertThat(queries).containsExactly("WHOIS carol");
        server(":srv 318 me carol :End of WHOIS list"); // no 301: back in between
        assertThat(changes).isEmpty();
        queries.clear();
        tracker.startRound();
        server(":srv 352 me #c ~c h srv carol G :0 c");
        server(":srv 301 me carol :coffee");
        assertThat(changes).containsExactly("carol away:coffee");
        changes.clear();
        queries.clear();

        // a polling round: alice went away, the tracker asks WHOIS before reporting
        tracker.startRound();
        server(":srv 352 me #c ~a h srv alice G :0 a");
        server(":srv 352 me #c ~c h srv carol H :0 c");
        assertThat(queries).containsExactly("WHOIS alice");
        assertThat(changes).containsExactly("carol back");
        server(":srv 311 me alice ~a h * :a");
        server(":srv 301 me alice :at lunch");
        server(":srv 318 me alice :End of WHOIS list");
        assertThat(changes).containsExactly("carol back", "alice away:at lunch");
        assertThat(tracker.isAway("ALICE")).isTrue();
        assertThat(tracker.awayText("alice")).isEqualTo("at lunch");

        // the next round sees the same: nothing new, no query
        tracker.startRound();
        server(":srv 352 me #c ~a h srv alice G :0 a");
        assertThat(queries).hasSize(1);
        assertThat(changes).hasSize(2);

        // nick change carries the state; leaving forgets it without a report
        tracker.rename("alice", "carol");
        assertThat(tracker.isAway("carol")).isTrue();
        tracker.forget("carol");
        assertThat(tracker.isAway("carol")).isFalse();
        assertThat(changes).hasSize(2);
    }

    @Test
    void whoisBudgetPerRoundIsBounded() {
        Set<String> many = new java.util.HashSet<>();
        for (int i = 0; i < 20; i++) {
            many.add("u" + i);
        }
        IrcAwayTracker t =
                new IrcAwayTracker(
                        new IrcAwayTracker.Output() {
                            @Override
                            public boolean tracked(String nick) {
                                return many.contains(nick);
                            }

                            @Override
                            public void changed(String nick, boolean away, String text) {
                                changes.add(nick);
                            }

                            @Override
                            public void query(IrcMessage m) {
                                queries.add(m.encode());
                            }
                        });
        for (int i = 0; i < 20; i++) {
            t.handle(IrcMessage.parse(":srv 352 me #c ~u h srv u" + i + " H :0 u"));
        }
        t.startRound();
        for (int i = 0; i < 20; i++) {
            t.handle(IrcMessage.parse(":srv 352 me #c ~u h srv u" + i + " G :0 u"));
        }
        assertThat(queries).hasSize(IrcAwayTracker.WHOIS_PER_ROUND);
        // the rest are reported at once, without text
        assertThat(changes).hasSize(20 - IrcAwayTracker.WHOIS_PER_ROUND);
    }

    @Test
    void awayTextIsCleanedAndCut() {
        String longText = "x".repeat(1000);
        assertThat(IrcAwayTracker.clean(longText)).hasSize(IrcAwayTracker.MAX_TEXT);
        assertThat(IrcAwayTracker.clean("a\u0000b\tc")).isEqualTo("a b c");
        String emoji = "y".repeat(IrcAwayTracker.MAX_TEXT - 1) + "\uD83D\uDE00";
        assertThat(IrcAwayTracker.clean(emoji)).hasSize(IrcAwayTracker.MAX_TEXT - 1);
    }
}
