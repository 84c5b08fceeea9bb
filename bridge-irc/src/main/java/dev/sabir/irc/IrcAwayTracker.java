package dev.sabir.irc;

import dev.sabir.irc.codec.IrcMessage;
import dev.sabir.irc.codec.IrcMessages;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Follows the away state of the people the relay connection shares channels with, from what the
 * server tells: {@code AWAY} lines (IRCv3 {@code away-notify}), RPL_AWAY (301) and the here/gone
 * flag of WHO replies (352 {@code H}/{@code G}).
 *
 * <p>A WHO reply only says <em>that</em> someone is away. When a member shows up as gone, one
 * {@code WHOIS} fetches the away text before the change is reported; past a few WHOIS per round
 * (after a join or per polling round) the change is reported at once, without text.
 *
 * <p>Confined to the relay connection's event loop. Only nicks the {@link Output} tracks (channel
 * members that are not Sabir's own connections) are followed, so the state is bounded by the
 * channels' member lists.
 */
final class IrcAwayTracker {
    /** Longest away text reported, in chars. */
    static final int MAX_TEXT = 300;

    /** WHOIS queries one polling round may send. */
    static final int WHOIS_PER_ROUND = 5;

    /** Where the tracker reports and sends. */
    interface Output {
        /** True when the nick is followed: a member of a channel, not one of Sabir's own. */
        boolean tracked(String nick);

        /** A member's away state changed ({@code text} is empty when back or unknown). */
        void changed(String nick, boolean away, String text);

        /** Sends a query (WHO or WHOIS) through the rate-limited queue. */
        void query(IrcMessage m);
    }

    private record Away(boolean away, String text) {}

    private static final Away HERE = new Away(false, "");

    private final Output out;
    private final Map<String, Away> known = new HashMap<>();
    private final Set<String> whoisPending = new HashSet<>();
    private int whoisBudget = WHOIS_PER_ROUND;

    IrcAwayTracker(Output out) {
        this.out = out;
    }

    /** Looks at one message from the server; ignores what is not about away state. */
    void handle(IrcMessage m) {
        switch (m.command()) {
            case "AWAY" -> {
                if (m.fromUser()) {
                    String text = m.params().isEmpty() ? "" : clean(m.trailing());
                    report(m.sourceNick(), text.isEmpty() ? HERE : new Away(true, text), false);
                }
            }
            case "301" -> {
                String nick = m.param(1);
                boolean asked = whoisPending.remove(IrcText.fold(nick));
                report(nick, new Away(true, clean(m.trailing())), asked);
            }
            case "318" -> whoisPending.remove(IrcText.fold(m.param(1)));
            case "352" -> whoFlag(m.param(5), m.param(6));
            default -> {}
        }
    }

    /**
     * Starts a round of WHO queries (a join or a poll): the WHOIS budget is refilled and unanswered
     * queries forgotten.
     */
    void startRound() {
        whoisBudget = WHOIS_PER_ROUND;
        whoisPending.clear();
    }

    /** True when the nick is known to be away. */
    boolean isAway(String nick) {
        Away a = known.get(IrcText.fold(nick));
        return a != null && a.away();
    }

    /** The known away text of the nick, or empty. */
    String awayText(String nick) {
        Away a = known.get(IrcText.fold(nick));
        return a == null ? "" : a.text();
    }

    /** Forgets a nick that left every shared channel (not reported: room updates cover it). */
    void forget(String nick) {
        String f = IrcText.fold(nick);
        known.remove(f);
        whoisPending.remove(f);
    }

    /** Carries the state over a nick change. */
    void rename(String oldNick, String newNick) {
        Away a = known.remove(IrcText.fold(oldNick));
        if (a != null) {
            known.put(IrcText.fold(newNick), a);
        }
    }

    /** Forgets everything (after a disconnect). */
    void clear() {
        known.clear();
        whoisPending.clear();
    }

    /** Nicks followed (for tests). */
    int size() {
        return known.size();
    }

    private void whoFlag(String nick, String flags) {
        if (nick.isEmpty() || flags.isEmpty() || !out.tracked(nick)) {
            return;
        }
        String f = IrcText.fold(nick);
        Away cur = known.get(f);
        char flag = flags.charAt(0);
        if (flag == 'G') {
            if (whoisPending.contains(f) || cur != null && cur.away()) {
                return;
            }
            if (whoisBudget > 0) {
                // gone: fetch the text before reporting
                whoisBudget--;
                whoisPending.add(f);
                out.query(IrcMessages.whois(nick));
                return;
            }
            report(nick, new Away(true, ""), false);
        } else if (flag == 'H') {
            if (cur == null) {
                known.put(f, HERE); // first sight: here is the default, nothing to report
            } else if (cur.away()) {
                report(nick, HERE, false);
            }
        }
    }

    private void report(String nick, Away now, boolean force) {
        if (nick.isEmpty() || !out.tracked(nick)) {
            return;
        }
        String f = IrcText.fold(nick);
        Away before = known.put(f, now);
        if (!force && now.equals(before == null ? HERE : before)) {
            return;
        }
        out.changed(nick, now.away(), now.text());
    }

    /** Away text without formatting or control characters, cut to {@link #MAX_TEXT}. */
    static String clean(String text) {
        String t = IrcText.stripFormatting(text);
        StringBuilder sb = new StringBuilder(Math.min(t.length(), MAX_TEXT));
        for (int i = 0; i < t.length() && sb.length() < MAX_TEXT; i++) {
            char c = t.charAt(i);
            sb.append(Character.isISOControl(c) ? ' ' : c);
        }
        if (sb.length() > 0 && Character.isHighSurrogate(sb.charAt(sb.length() - 1))) {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString().strip();
    }
}
