package dev.sabir.server.router;

import dev.sabir.api.BridgeEvent;
import dev.sabir.api.Capability;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.ChatMessage.MessageKind;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileProgress;
import dev.sabir.api.FileSpool;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.SessionState;
import dev.sabir.api.Typing;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capability rules per destination: turns an event that is already addressed to the destination
 * into what the destination network can carry, or null when it cannot carry it at all.
 *
 * <ul>
 *   <li>edit without {@link Capability#EDITS} (or of a message unknown there): a new message {@code
 *       * correction: <text>}
 *   <li>retraction without {@link Capability#RETRACTIONS} (or of an unknown message): a notice
 *       {@code * <nick> retracted a message}
 *   <li>reply without {@link Capability#REPLIES} (or to an unknown message): the quoted message is
 *       prefixed as {@code > nick: excerpt} on its own line
 *   <li>action without {@link Capability#ACTIONS}: {@code * nick text} as a normal message
 *   <li>file offer without {@link Capability#FILES}: a message with the spool's HTTP link
 *   <li>typing without {@link Capability#TYPING}, presence without {@link Capability#PRESENCE},
 *       file progress without {@link Capability#FILES}, topic without {@link Capability#TOPICS},
 *       profile without {@link Capability#AVATARS}: dropped
 * </ul>
 */
final class Degrader {
    private static final Logger LOG = LoggerFactory.getLogger(Degrader.class);

    /** Prefix of an edit sent as a new message. */
    static final String CORRECTION = "* correction: ";

    private final FileSpool spool;

    /**
     * The destination's ids for what a message refers to (null where there is no mapping), and the
     * replied-to message for quoting (null when unknown).
     */
    record Refs(String replyTo, String editOf, String retractOf, MessageMap.Quote quote) {
        static final Refs NONE = new Refs(null, null, null, null);
    }

    Degrader(FileSpool spool) {
        this.spool = spool;
    }

    /** Adapts a chat message whose conversation is already the destination. */
    ChatMessage chat(ChatMessage m, Refs refs, Set<Capability> caps) {
        String nick = m.sender().nick();
        if (m.isRetraction()) {
            if (caps.contains(Capability.RETRACTIONS) && refs.retractOf() != null) {
                return m.withReferences(null, null, refs.retractOf());
            }
            return new ChatMessage(
                    m.conversation(),
                    m.sender(),
                    m.id(),
                    "* " + nick + " retracted a message",
                    MessageKind.NOTICE,
                    null,
                    null,
                    null,
                    m.timestamp());
        }
        String text = m.text();
        MessageKind kind = m.kind();
        if (kind == MessageKind.ACTION && !caps.contains(Capability.ACTIONS)) {
            text = "* " + nick + " " + text;
            kind = MessageKind.NORMAL;
        }
        String editOf = null;
        if (m.isEdit()) {
            if (caps.contains(Capability.EDITS) && refs.editOf() != null) {
                editOf = refs.editOf();
            } else {
                text = CORRECTION + text;
            }
        }
        String replyTo = null;
        if (m.replyTo() != null) {
            if (caps.contains(Capability.REPLIES) && refs.replyTo() != null) {
                replyTo = refs.replyTo();
            } else if (refs.quote() != null) {
                text = "> " + refs.quote().nick() + ": " + refs.quote().excerpt() + "\n" + text;
            }
        }
        return new ChatMessage(
                m.conversation(),
                m.sender(),
                m.id(),
                clip(text),
                kind,
                replyTo,
                editOf,
                null,
                m.timestamp());
    }

    /** Adapts a file offer whose conversation is already the destination. */
    BridgeEvent file(FileOffer f, Set<Capability> caps) {
        if (caps.contains(Capability.FILES)) {
            return f;
        }
        StringBuilder text = new StringBuilder(f.name());
        if (f.size() >= 0) {
            text.append(" (").append(humanSize(f.size())).append(')');
        }
        String link = link(f.spoolId());
        text.append(' ').append(link != null ? link : "(file not available here)");
        return new ChatMessage(
                f.conversation(),
                f.sender(),
                f.offerId(),
                clip(text.toString()),
                MessageKind.NORMAL,
                null,
                null,
                null,
                java.time.Instant.now());
    }

    /** Adapts a transient event (already addressed to the destination); null to drop it. */
    BridgeEvent transientEvent(BridgeEvent e, Set<Capability> caps) {
        if (e instanceof Typing) {
            return caps.contains(Capability.TYPING) ? e : null;
        }
        if (e instanceof PresenceUpdate) {
            return caps.contains(Capability.PRESENCE) ? e : null;
        }
        if (e instanceof ProfileUpdate) {
            return caps.contains(Capability.AVATARS) ? e : null;
        }
        if (e instanceof FileProgress) {
            return caps.contains(Capability.FILES) ? e : null;
        }
        if (e instanceof RoomUpdate r) {
            return r.change() == RoomUpdate.Change.TOPIC && !caps.contains(Capability.TOPICS)
                    ? null
                    : e;
        }
        if (e instanceof SessionState) {
            return null;
        }
        return e;
    }

    /** The same transient event in another conversation. */
    static BridgeEvent readdress(BridgeEvent e, dev.sabir.api.Address to) {
        if (e instanceof Typing t) {
            return new Typing(to, t.who(), t.state());
        }
        if (e instanceof PresenceUpdate p) {
            return new PresenceUpdate(to, p.who(), p.status(), p.statusText());
        }
        if (e instanceof ProfileUpdate p) {
            return p.withConversation(to);
        }
        if (e instanceof RoomUpdate r) {
            return new RoomUpdate(to, r.change(), r.member(), r.detail(), r.members());
        }
        if (e instanceof FileProgress f) {
            return new FileProgress(
                    to, f.offerId(), f.transferred(), f.size(), f.state(), f.reason());
        }
        if (e instanceof ChatMessage m) {
            return m.withConversation(to);
        }
        if (e instanceof FileOffer f) {
            return f.withConversation(to);
        }
        return e;
    }

    private String link(String spoolId) {
        if (spoolId == null || spool == null) {
            return null;
        }
        try {
            return spool.link(spoolId).toString();
        } catch (RuntimeException e) {
            LOG.warn("no link for spooled file {}: {}", spoolId, e.toString());
            return null;
        }
    }

    static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String clip(String text) {
        return text.length() <= ChatMessage.MAX_TEXT
                ? text
                : text.substring(0, ChatMessage.MAX_TEXT);
    }
}
