package dev.sabir.xmpp.muc;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.Sender;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;

/** State of one room of the MUC service; touched only on the component's event loop. */
final class MucRoom {
    /** Bridged members' profiles kept per room at most. */
    static final int MAX_PROFILES = 500;

    /**
     * Someone in the room.
     *
     * @param nick the occupant nick
     * @param realJid the XMPP user's full JID, or null for a remote (bridged) member
     * @param remote the bridged member, or null for an XMPP user
     * @param show the XMPP presence show value, or null for available
     * @param status the status text, or null
     */
    record Occupant(String nick, EntityFullJid realJid, Sender remote, String show, String status) {
        boolean isLocal() {
            return realJid != null;
        }

        Occupant withShow(String newShow, String newStatus) {
            return new Occupant(nick, realJid, remote, newShow, newStatus);
        }

        Occupant withNick(String newNick, String newShow, String newStatus) {
            return new Occupant(newNick, realJid, remote, newShow, newStatus);
        }
    }

    /**
     * A message kept for history on join.
     *
     * @param nick the occupant nick of the author
     * @param id the message id
     * @param body the text
     * @param stamp when it was sent
     * @param extensions extra elements (corrections, replies)
     */
    record HistoryEntry(
            String nick,
            String id,
            String body,
            Instant stamp,
            List<ExtensionElement> extensions) {}

    final String name;
    final EntityBareJid jid;
    final Address address;
    final Map<String, Occupant> occupants = new LinkedHashMap<>();

    /** Bridged member key (source protocol + sender id) → occupant nick. */
    final Map<String, String> remoteNicks = new LinkedHashMap<>();

    /**
     * The last profile of each bridged member (by the same key as {@link #remoteNicks}), kept while
     * the member is away so it applies again when the member reappears.
     */
    final Map<String, ProfileUpdate> remoteProfiles =
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, ProfileUpdate> eldest) {
                    return size() > MAX_PROFILES;
                }
            };

    final Deque<HistoryEntry> history = new ArrayDeque<>();
    String subject = "";
    String subjectBy = null;

    /** The bare JID of the only XMPP user allowed in (a personal account's room), or null. */
    final String owner;

    /** Where users' events go for a personal account's room; null means the session's sink. */
    final Consumer<BridgeEvent> upstream;

    MucRoom(String name, EntityBareJid jid, Address address) {
        this(name, jid, address, null, null);
    }

    MucRoom(
            String name,
            EntityBareJid jid,
            Address address,
            String owner,
            Consumer<BridgeEvent> upstream) {
        this.name = name;
        this.jid = jid;
        this.address = address;
        this.owner = owner;
        this.upstream = upstream;
    }

    /** True when the room belongs to a personal account rather than to a link. */
    boolean isPersonal() {
        return owner != null;
    }

    Occupant byRealJid(EntityFullJid real) {
        for (Occupant o : occupants.values()) {
            if (real.equals(o.realJid())) {
                return o;
            }
        }
        return null;
    }

    List<Occupant> locals() {
        return occupants.values().stream().filter(Occupant::isLocal).toList();
    }

    void remember(HistoryEntry e, int max) {
        if (max <= 0) {
            return;
        }
        history.addLast(e);
        while (history.size() > max) {
            history.removeFirst();
        }
    }
}
