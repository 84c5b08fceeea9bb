package dev.sabir.xmpp.muc;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Typing;
import dev.sabir.xmpp.component.Errors;
import dev.sabir.xmpp.component.StanzaOut;
import dev.sabir.xmpp.element.OobElement;
import dev.sabir.xmpp.element.ReplyElement;
import dev.sabir.xmpp.element.RetractElement;
import dev.sabir.xmpp.files.FileScanner;
import dev.sabir.xmpp.vcard.Profiles;
import dev.sabir.xmpp.vcard.UserProfiles;
import dev.sabir.xmpp.vcard.UserVCard;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.PresenceBuilder;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError.Condition;
import org.jivesoftware.smackx.chatstates.ChatState;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.delay.packet.DelayInformation;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverInfoBuilder;
import org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension;
import org.jivesoftware.smackx.muc.MUCAffiliation;
import org.jivesoftware.smackx.muc.MUCRole;
import org.jivesoftware.smackx.muc.packet.MUCItem;
import org.jivesoftware.smackx.muc.packet.MUCUser;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Localpart;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The component's MUC service for link rooms: the conversation {@code xmpp:<account>/<room>} is the
 * room {@code <room>@<domain>}. XMPP users join with a nick; bridged members appear as occupants
 * named {@code nick (network)}; messages are reflected to every occupant and reported to the
 * router; a recent history is replayed on join.
 *
 * <p>It also hosts the rooms of gateway users' personal accounts ({@link #addPersonalRoom}): JID
 * {@code <room>%<account>@<domain>} (escaped as in {@code PuppetJids}), listed and joinable for the
 * account's owner only (others get {@code registration-required}), with the owner's messages handed
 * to the gateway instead of the sink.
 *
 * <p>Not thread-safe: the component session calls it on its event loop only.
 */
public final class MucService {
    private static final Logger LOG = LoggerFactory.getLogger(MucService.class);
    private static final Set<String> NOT_COPIED =
            Set.of(
                    "http://jabber.org/protocol/muc#user",
                    "urn:xmpp:delay",
                    "jabber:x:delay",
                    "jabber:client",
                    "urn:xmpp:sid:0");

    private final DomainBareJid domain;
    private final Address account;
    private final int historySize;
    private final StanzaOut out;
    private final EventSink sink;
    private final Clock clock;
    private final Map<String, MucRoom> rooms = new LinkedHashMap<>();
    private final FileScanner files;
    private final Profiles profiles;
    private final UserProfiles users;

    /**
     * @param domain the component's domain
     * @param account the component account's address
     * @param historySize messages kept per room and replayed on join
     * @param out where stanzas go
     * @param sink where events go
     * @param clock the host's clock
     * @param files fetches files linked in users' messages
     * @param profiles bridged members' profiles (vCards, avatar hashes)
     * @param users the XMPP users' own profiles, passed on when they join
     */
    public MucService(
            DomainBareJid domain,
            Address account,
            int historySize,
            StanzaOut out,
            EventSink sink,
            Clock clock,
            FileScanner files,
            Profiles profiles,
            UserProfiles users) {
        this.users = users;
        this.files = files;
        this.profiles = profiles;
        this.domain = domain;
        this.account = account;
        this.historySize = historySize;
        this.out = out;
        this.sink = sink;
        this.clock = clock;
    }

    /**
     * Opens a room for a link conversation.
     *
     * @throws IllegalArgumentException when the id is not usable as a JID local part
     */
    public void addRoom(String id) {
        String key = roomKey(id);
        if (rooms.containsKey(key)) {
            return;
        }
        try {
            EntityBareJid jid = JidCreate.entityBareFrom(Localpart.from(id), domain);
            rooms.put(key, new MucRoom(id, jid, account.withId(id)));
            LOG.info("muc room {} open", jid);
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException(
                    "room name '" + id + "' is not a valid JID local part");
        }
    }

    /**
     * Opens (once) the room of a personal account's conversation that is a room on its network.
     * Only {@code owner} may join it; what the owner says there goes to {@code upstream} instead of
     * the session's sink.
     *
     * @param localpart the room's JID local part (a puppet-style {@code <room>%<account>})
     * @param conversation the personal account's conversation
     * @param owner the bare JID of the account's owner
     * @param upstream where the owner's messages, chat states, topic changes and files go
     * @throws IllegalArgumentException when the local part is not usable in a JID
     */
    public void addPersonalRoom(
            String localpart, Address conversation, String owner, Consumer<BridgeEvent> upstream) {
        String key = roomKey(localpart);
        if (rooms.containsKey(key)) {
            return;
        }
        try {
            EntityBareJid jid = JidCreate.entityBareFrom(Localpart.from(localpart), domain);
            rooms.put(key, new MucRoom(conversation.id(), jid, conversation, owner, upstream));
            LOG.info("muc room {} open for {}", jid, owner);
        } catch (XmppStringprepException e) {
            throw new IllegalArgumentException(
                    "room '" + localpart + "' is not a valid JID local part");
        }
    }

    /** True when a room with that local part exists. */
    public boolean hasRoom(String localpart) {
        return rooms.containsKey(roomKey(localpart));
    }

    /** The rooms (JID and name) for disco#items: every link room. */
    public Collection<Map.Entry<EntityBareJid, String>> rooms() {
        return rooms(null);
    }

    /**
     * The rooms (JID and name) for disco#items as {@code requester} may see them: every link room
     * plus the rooms of the requester's own personal accounts.
     */
    public Collection<Map.Entry<EntityBareJid, String>> rooms(BareJid requester) {
        List<Map.Entry<EntityBareJid, String>> list = new ArrayList<>();
        for (MucRoom r : rooms.values()) {
            if (!r.isPersonal() || (requester != null && r.owner.equals(requester.toString()))) {
                list.add(Map.entry(r.jid, r.name));
            }
        }
        return list;
    }

    /**
     * Passes an XMPP user's event on: to the sink for link rooms; to the personal account (never
     * the owner's own joins and parts, which are XMPP-side only) for personal rooms.
     */
    private void emit(MucRoom r, BridgeEvent ev) {
        if (r.upstream == null) {
            sink.accept(ev);
            return;
        }
        if (ev instanceof RoomUpdate ru && ru.change() != RoomUpdate.Change.TOPIC) {
            return;
        }
        try {
            r.upstream.accept(ev);
        } catch (RuntimeException e) {
            LOG.warn(
                    "muc {}: could not pass {} on: {}",
                    r.jid,
                    ev.getClass().getSimpleName(),
                    e.toString());
        }
    }

    /** Occupant nicks of a room (for tests and admin). */
    public List<String> occupants(String id) {
        MucRoom r = rooms.get(roomKey(id));
        return r == null ? List.of() : List.copyOf(r.occupants.keySet());
    }

    private static String roomKey(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    private MucRoom room(Jid to) {
        if (to == null || to.getLocalpartOrNull() == null) {
            return null;
        }
        return rooms.get(roomKey(to.getLocalpartOrNull().toString()));
    }

    // ---------------------------------------------------------------- from XMPP users

    /** A presence addressed to a room JID. */
    public void presence(Presence p) {
        MucRoom r = room(p.getTo());
        if (r == null) {
            reply(p, Condition.item_not_found, "no such room");
            return;
        }
        if (!(p.getFrom() instanceof EntityFullJid user)) {
            reply(p, Condition.bad_request, "presence without a full JID");
            return;
        }
        MucRoom.Occupant existing = r.byRealJid(user);
        switch (p.getType()) {
            case unavailable -> {
                if (existing != null) {
                    leave(r, existing, true, "");
                }
            }
            case error -> {
                if (existing != null) {
                    LOG.info("muc {}: {} bounced, removing", r.jid, existing.nick());
                    leave(r, existing, false, "gone");
                }
            }
            case available -> {
                Resourcepart nick = p.getTo().getResourceOrNull();
                if (nick == null || nick.toString().isBlank()) {
                    reply(p, Condition.jid_malformed, "a nick is required");
                    return;
                }
                String status = p.getStatus();
                String show = p.getMode() == Presence.Mode.available ? null : p.getMode().name();
                if (existing != null) {
                    if (!existing.nick().equals(nick.toString())) {
                        changeNick(
                                r, existing, existing.withNick(nick.toString(), show, status), p);
                        return;
                    }
                    MucRoom.Occupant updated = existing.withShow(show, status);
                    r.occupants.put(updated.nick(), updated);
                    broadcastPresence(r, updated, false);
                    return;
                }
                if (r.isPersonal() && !r.owner.equals(user.asBareJid().toString())) {
                    reply(
                            p,
                            Condition.registration_required,
                            "this room belongs to another user's account");
                    return;
                }
                if (r.occupants.containsKey(nick.toString())) {
                    reply(p, Condition.conflict, "that nick is in use");
                    return;
                }
                join(r, new MucRoom.Occupant(nick.toString(), user, null, show, status), p);
            }
            default -> {
                // subscription requests to rooms are ignored
            }
        }
    }

    private void join(MucRoom r, MucRoom.Occupant o, Presence request) {
        for (MucRoom.Occupant other : r.occupants.values()) {
            out.send(occupantPresence(r, other, o.realJid(), false, false));
        }
        r.occupants.put(o.nick(), o);
        for (MucRoom.Occupant other : r.locals()) {
            if (other != o) {
                out.send(occupantPresence(r, o, other.realJid(), false, false));
            }
        }
        out.send(occupantPresence(r, o, o.realJid(), true, false));
        int max = historySize;
        max = Math.min(max, requestedHistory(request));
        List<MucRoom.HistoryEntry> entries = new ArrayList<>(r.history);
        for (MucRoom.HistoryEntry e :
                entries.subList(Math.max(0, entries.size() - max), entries.size())) {
            MessageBuilder mb =
                    StanzaBuilder.buildMessage(e.id())
                            .ofType(Message.Type.groupchat)
                            .from(occupantJid(r, e.nick()))
                            .to(o.realJid())
                            .setBody(e.body())
                            .addExtensions(e.extensions())
                            .addExtension(
                                    new DelayInformation(
                                            Date.from(e.stamp()), r.jid.toString(), null));
            out.send(mb.build());
        }
        MessageBuilder subject =
                StanzaBuilder.buildMessage("subject-" + UUID.randomUUID())
                        .ofType(Message.Type.groupchat)
                        .from(
                                r.subjectBy != null && r.occupants.containsKey(r.subjectBy)
                                        ? occupantJid(r, r.subjectBy)
                                        : r.jid)
                        .to(o.realJid())
                        .setSubject(r.subject);
        out.send(subject.build());
        LOG.debug("muc {}: {} joined", r.jid, o.nick());
        emit(
                r,
                RoomUpdate.joined(
                        r.address,
                        new Sender(o.realJid().asBareJid().toString(), o.nick(), false)));
        users.known(o.realJid().asBareJid()).ifPresent(v -> emitProfile(r, o, v));
    }

    /** True when the user (this very resource) is in one of the rooms. */
    public boolean isOccupant(EntityFullJid user) {
        for (MucRoom r : rooms.values()) {
            if (r.byRealJid(user) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * An XMPP user's own profile changed: passed on in every room where one of the user's resources
     * is an occupant, once per room.
     */
    public void userProfile(BareJid user, UserVCard profile) {
        for (MucRoom r : rooms.values()) {
            for (MucRoom.Occupant o : r.locals()) {
                if (o.realJid().asBareJid().equals(user)) {
                    emitProfile(r, o, profile);
                    break;
                }
            }
        }
    }

    /** The profile of a local occupant, with the same sender as the occupant's messages. */
    private void emitProfile(MucRoom r, MucRoom.Occupant o, UserVCard profile) {
        emit(
                r,
                profile.toUpdate(
                        r.address,
                        new Sender(o.realJid().asBareJid().toString(), o.nick(), false)));
    }

    /**
     * An occupant takes another nick: every local occupant sees the old nick leave with status 303
     * naming the new one, then the new nick arrive; a nick in use is refused with a conflict and
     * the occupant keeps the old one.
     */
    private void changeNick(
            MucRoom r, MucRoom.Occupant old, MucRoom.Occupant renamed, Presence request) {
        if (r.occupants.containsKey(renamed.nick())) {
            reply(request, Condition.conflict, "that nick is in use");
            return;
        }
        r.occupants.remove(old.nick());
        for (MucRoom.Occupant other : r.locals()) {
            out.send(renamePresence(r, old, renamed.nick(), other.realJid(), other == old));
        }
        r.occupants.put(renamed.nick(), renamed);
        if (old.nick().equals(r.subjectBy)) {
            r.subjectBy = renamed.nick();
        }
        for (MucRoom.Occupant other : r.locals()) {
            out.send(occupantPresence(r, renamed, other.realJid(), other == renamed, false));
        }
        LOG.info("muc {}: {} is now {}", r.jid, old.nick(), renamed.nick());
        users.known(renamed.realJid().asBareJid()).ifPresent(v -> emitProfile(r, renamed, v));
    }

    /** The unavailable presence from the old nick announcing a nick change (XEP-0045 7.6). */
    private Presence renamePresence(
            MucRoom r, MucRoom.Occupant old, String newNick, EntityFullJid to, boolean self) {
        MUCUser x = new MUCUser();
        x.setItem(
                new MUCItem(
                        MUCAffiliation.none,
                        MUCRole.participant,
                        null,
                        null,
                        null,
                        Resourcepart.fromOrThrowUnchecked(newNick),
                        null));
        x.addStatusCode(MUCUser.Status.NEW_NICKNAME_303);
        if (self) {
            x.addStatusCode(MUCUser.Status.PRESENCE_TO_SELF_110);
        }
        return StanzaBuilder.buildPresence()
                .ofType(Presence.Type.unavailable)
                .from(occupantJid(r, old.nick()))
                .to(to)
                .addExtension(x)
                .build();
    }

    /** The {@code maxstanzas} a joining user asked for, or the maximum. */
    private static int requestedHistory(Presence request) {
        ExtensionElement x = request.getExtensionElement("x", "http://jabber.org/protocol/muc");
        if (x instanceof StandardExtensionElement sx) {
            StandardExtensionElement h = sx.getFirstElement("history");
            if (h != null && h.getAttributeValue("maxstanzas") != null) {
                try {
                    return Math.max(0, Integer.parseInt(h.getAttributeValue("maxstanzas").trim()));
                } catch (NumberFormatException e) {
                    return Integer.MAX_VALUE;
                }
            }
        }
        return Integer.MAX_VALUE;
    }

    private void leave(MucRoom r, MucRoom.Occupant o, boolean tellSelf, String reason) {
        r.occupants.remove(o.nick());
        if (tellSelf) {
            out.send(occupantPresence(r, o, o.realJid(), true, true));
        }
        for (MucRoom.Occupant other : r.locals()) {
            out.send(occupantPresence(r, o, other.realJid(), false, true));
        }
        Sender who =
                o.isLocal()
                        ? new Sender(o.realJid().asBareJid().toString(), o.nick(), false)
                        : null;
        if (who != null) {
            emit(r, RoomUpdate.left(r.address, who, reason));
        }
    }

    /** A message addressed to a room JID (or an occupant in it). */
    public void message(Message m) {
        MucRoom r = room(m.getTo());
        if (r == null) {
            reply(m, Condition.item_not_found, "no such room");
            return;
        }
        if (m.getType() == Message.Type.error) {
            if (m.getFrom() instanceof EntityFullJid user) {
                MucRoom.Occupant o = r.byRealJid(user);
                if (o != null) {
                    leave(r, o, false, "gone");
                }
            }
            return;
        }
        MucRoom.Occupant o = m.getFrom() instanceof EntityFullJid user ? r.byRealJid(user) : null;
        if (o == null) {
            reply(m, Condition.not_acceptable, "join the room first");
            return;
        }
        if (m.getType() != Message.Type.groupchat || m.getTo().hasResource()) {
            reply(
                    m,
                    Condition.feature_not_implemented,
                    "private messages are not supported in bridged rooms");
            return;
        }
        Sender sender = new Sender(o.realJid().asBareJid().toString(), o.nick(), false);
        String body = m.getBody();
        if (body == null && m.getSubject() != null) {
            r.subject = m.getSubject();
            r.subjectBy = o.nick();
            for (MucRoom.Occupant l : r.locals()) {
                out.send(
                        StanzaBuilder.buildMessage(m.getStanzaId())
                                .ofType(Message.Type.groupchat)
                                .from(occupantJid(r, o.nick()))
                                .to(l.realJid())
                                .setSubject(r.subject)
                                .build());
            }
            emit(r, RoomUpdate.topic(r.address, sender, r.subject));
            return;
        }
        String id = m.getStanzaId() != null ? m.getStanzaId() : "sabir-" + UUID.randomUUID();
        List<ExtensionElement> copied = new ArrayList<>();
        for (ExtensionElement e : m.getExtensions()) {
            if (!NOT_COPIED.contains(e.getNamespace())) {
                copied.add(e);
            }
        }
        for (MucRoom.Occupant l : r.locals()) {
            MessageBuilder mb =
                    StanzaBuilder.buildMessage(id)
                            .ofType(Message.Type.groupchat)
                            .from(occupantJid(r, o.nick()))
                            .to(l.realJid())
                            .addExtensions(copied);
            if (body != null) {
                mb.setBody(body);
            }
            out.send(mb.build());
        }
        if (body == null) {
            ChatStateExtension cs = MucService.chatStateOf(m);
            if (cs != null) {
                emit(r, new Typing(r.address, sender, typingState(cs.getChatState())));
            }
            return;
        }
        r.remember(
                new MucRoom.HistoryEntry(o.nick(), id, body, clock.instant(), copied), historySize);
        ChatMessage cm = toChatMessage(r.address, sender, id, body, m, clock);
        emit(r, cm);
        if (cm.editOf() == null && cm.retractOf() == null) {
            files.scan(m, r.address, sender, id, fo -> emit(r, fo));
        }
    }

    /**
     * Converts an XMPP message to a router message (actions, corrections, retractions, replies).
     */
    public static ChatMessage toChatMessage(
            Address conversation, Sender sender, String id, String body, Message m, Clock clock) {
        ChatMessage.MessageKind kind = ChatMessage.MessageKind.NORMAL;
        String text = body;
        if (text.startsWith("/me ")) {
            kind = ChatMessage.MessageKind.ACTION;
            text = text.substring(4);
        }
        MessageCorrectExtension correct = m.getExtension(MessageCorrectExtension.class);
        RetractElement retract = m.getExtension(RetractElement.class);
        ReplyElement reply = m.getExtension(ReplyElement.class);
        String editOf = correct != null ? correct.getIdInitialMessage() : null;
        String retractOf = retract != null && editOf == null ? retract.id() : null;
        DelayInformation delay = DelayInformation.from(m);
        if (text.length() > ChatMessage.MAX_TEXT) {
            text = text.substring(0, ChatMessage.MAX_TEXT);
        }
        return new ChatMessage(
                conversation,
                sender,
                id,
                retractOf != null ? "" : text,
                kind,
                reply != null ? reply.id() : null,
                editOf,
                retractOf,
                delay != null ? delay.getStamp().toInstant() : clock.instant());
    }

    /** The XEP-0085 chat state element of a message, or null. */
    public static ChatStateExtension chatStateOf(Message m) {
        for (ExtensionElement e : m.getExtensions()) {
            if (e instanceof ChatStateExtension cs) {
                return cs;
            }
        }
        return null;
    }

    /** Maps an XEP-0085 chat state to a typing state. */
    public static Typing.State typingState(ChatState s) {
        return switch (s) {
            case composing -> Typing.State.TYPING;
            case paused -> Typing.State.PAUSED;
            default -> Typing.State.STOPPED;
        };
    }

    /** Maps a typing state to an XEP-0085 chat state. */
    public static ChatState chatState(Typing.State s) {
        return switch (s) {
            case TYPING -> ChatState.composing;
            case PAUSED -> ChatState.paused;
            case STOPPED -> ChatState.active;
        };
    }

    /** Answers disco#info for a room. */
    public void discoInfo(IQ request) {
        MucRoom r = room(request.getTo());
        if (r == null || !visibleTo(r, request.getFrom())) {
            reply(request, Condition.item_not_found, "no such room");
            return;
        }
        DiscoverInfoBuilder b =
                DiscoverInfoBuilder.buildResponseFor(
                        (DiscoverInfo) request, IQ.ResponseType.result);
        b.addIdentity(new DiscoverInfo.Identity("conference", r.name, "text"));
        b.addFeature("http://jabber.org/protocol/muc");
        b.addFeature("http://jabber.org/protocol/disco#info");
        b.addFeature("muc_public");
        b.addFeature("muc_open");
        b.addFeature("muc_unmoderated");
        b.addFeature("muc_semianonymous");
        b.addFeature("muc_unsecured");
        b.addFeature("urn:xmpp:message-correct:0");
        b.addFeature(RetractElement.NAMESPACE);
        b.addFeature(ReplyElement.NAMESPACE);
        out.send(b.build());
    }

    /** Link rooms are public; a personal account's room shows only to its owner. */
    private static boolean visibleTo(MucRoom r, Jid from) {
        return !r.isPersonal() || (from != null && r.owner.equals(from.asBareJid().toString()));
    }

    /** Forgets all XMPP occupants (the server connection was lost for good). */
    public void clearLocalOccupants() {
        for (MucRoom r : rooms.values()) {
            r.occupants.values().removeIf(MucRoom.Occupant::isLocal);
        }
    }

    /**
     * A vcard-temp get for an occupant JID (or the room): the bridged member's profile, or an empty
     * vCard; item-not-found when there is no such room or occupant.
     */
    public void vcard(IQ iq) {
        MucRoom r = room(iq.getTo());
        if (r == null || !visibleTo(r, iq.getFrom())) {
            reply(iq, Condition.item_not_found, "no such room");
            return;
        }
        Resourcepart nick = iq.getTo().getResourceOrNull();
        if (nick != null && !r.occupants.containsKey(nick.toString())) {
            reply(iq, Condition.item_not_found, "no such occupant");
            return;
        }
        out.send(profiles.answer(iq));
    }

    // ---------------------------------------------------------------- from the router

    /**
     * Carries a delivery into its room.
     *
     * @return the id of the message sent, or null for events without ids
     * @throws DeliveryException when the room does not exist or the event cannot be carried
     */
    public String deliver(Delivery d, String fileLink) {
        return deliverTo(d.destination().id(), d, fileLink);
    }

    /**
     * Carries a delivery into the room with that JID local part (a personal account's room).
     *
     * @return the id of the message sent, or null for events without ids
     * @throws DeliveryException when the room does not exist or the event cannot be carried
     */
    public String deliverTo(String localpart, Delivery d, String fileLink) {
        MucRoom r = rooms.get(roomKey(localpart));
        if (r == null) {
            throw DeliveryException.permanent(
                    "no room " + d.destination().id() + " on this component");
        }
        BridgeEvent ev = d.event();
        if (r.isPersonal() && ev instanceof ChatMessage cm && cm.sender().self()) {
            // the owner's own message coming back from the network: the room already reflected it
            return null;
        }
        if (ev instanceof ChatMessage cm) {
            String nick = ensureRemote(r, cm.sender(), d.source());
            return sendRoomMessage(r, nick, cm, null);
        }
        if (ev instanceof RoomUpdate ru) {
            switch (ru.change()) {
                case JOINED -> {
                    if (ru.member() != null) {
                        ensureRemote(r, ru.member(), d.source());
                    }
                }
                case LEFT, KICKED -> {
                    if (ru.member() != null) {
                        removeRemote(r, remoteKey(d.source(), ru.member()));
                    }
                }
                case TOPIC -> {
                    r.subject = ru.detail();
                    r.subjectBy =
                            ru.member() != null ? ensureRemote(r, ru.member(), d.source()) : null;
                    for (MucRoom.Occupant l : r.locals()) {
                        out.send(
                                StanzaBuilder.buildMessage("subject-" + UUID.randomUUID())
                                        .ofType(Message.Type.groupchat)
                                        .from(
                                                r.subjectBy != null
                                                        ? occupantJid(r, r.subjectBy)
                                                        : r.jid)
                                        .to(l.realJid())
                                        .setSubject(r.subject)
                                        .build());
                    }
                }
                case MEMBERS -> {
                    Set<String> keep = new HashSet<>();
                    for (Sender s : ru.members()) {
                        ensureRemote(r, s, d.source());
                        keep.add(remoteKey(d.source(), s));
                    }
                    String prefix = d.source().protocol() + ":" + d.source().account() + ":";
                    for (String key : new ArrayList<>(r.remoteNicks.keySet())) {
                        if (key.startsWith(prefix) && !keep.contains(key)) {
                            removeRemote(r, key);
                        }
                    }
                }
            }
            return null;
        }
        if (ev instanceof Typing t) {
            String nick = ensureRemote(r, t.who(), d.source());
            for (MucRoom.Occupant l : r.locals()) {
                out.send(
                        StanzaBuilder.buildMessage()
                                .ofType(Message.Type.groupchat)
                                .from(occupantJid(r, nick))
                                .to(l.realJid())
                                .addExtension(new ChatStateExtension(chatState(t.state())))
                                .build());
            }
            return null;
        }
        if (ev instanceof PresenceUpdate pu) {
            String key = remoteKey(d.source(), pu.who());
            if (pu.status() == PresenceUpdate.Status.OFFLINE) {
                removeRemote(r, key);
                return null;
            }
            String nick = ensureRemote(r, pu.who(), d.source());
            String show =
                    switch (pu.status()) {
                        case AWAY -> "away";
                        case XA -> "xa";
                        case DND -> "dnd";
                        default -> null;
                    };
            MucRoom.Occupant o =
                    r.occupants
                            .get(nick)
                            .withShow(show, pu.statusText().isEmpty() ? null : pu.statusText());
            r.occupants.put(nick, o);
            broadcastPresence(r, o, false);
            return null;
        }
        if (ev instanceof ProfileUpdate pu) {
            String key = remoteKey(d.source(), pu.who());
            r.remoteProfiles.put(key, pu);
            String nick = r.remoteNicks.get(key);
            MucRoom.Occupant o = nick == null ? null : r.occupants.get(nick);
            if (o != null) {
                profiles.put(occupantJid(r, nick), pu, false);
                broadcastPresence(r, o, false);
            }
            return null;
        }
        if (ev instanceof dev.sabir.api.FileOffer fo) {
            if (fileLink == null) {
                throw DeliveryException.permanent("no link for file " + fo.name());
            }
            String nick = ensureRemote(r, fo.sender(), d.source());
            ChatMessage cm = ChatMessage.of(r.address, fo.sender(), fo.offerId(), fileLink);
            return sendRoomMessage(r, nick, cm, new OobElement(fileLink, fo.name()));
        }
        throw DeliveryException.permanent("unsupported event " + ev.getClass().getSimpleName());
    }

    private String sendRoomMessage(MucRoom r, String nick, ChatMessage cm, ExtensionElement extra) {
        String id = "sabir-" + UUID.randomUUID();
        List<ExtensionElement> ext = new ArrayList<>();
        String body = cm.kind() == ChatMessage.MessageKind.ACTION ? "/me " + cm.text() : cm.text();
        if (cm.editOf() != null) {
            ext.add(new MessageCorrectExtension(cm.editOf()));
        }
        if (cm.retractOf() != null) {
            ext.add(new RetractElement(cm.retractOf()));
            body = "This message was retracted.";
        }
        if (cm.replyTo() != null) {
            ext.add(new ReplyElement(null, cm.replyTo()));
        }
        if (extra != null) {
            ext.add(extra);
        }
        for (MucRoom.Occupant l : r.locals()) {
            out.send(
                    StanzaBuilder.buildMessage(id)
                            .ofType(Message.Type.groupchat)
                            .from(occupantJid(r, nick))
                            .to(l.realJid())
                            .setBody(body)
                            .addExtensions(ext)
                            .build());
        }
        if (cm.retractOf() == null) {
            r.remember(new MucRoom.HistoryEntry(nick, id, body, clock.instant(), ext), historySize);
        }
        return id;
    }

    private static String remoteKey(Address source, Sender s) {
        return source.protocol() + ":" + source.account() + ":" + s.id();
    }

    /** The occupant nick of a bridged member, adding the occupant (and announcing it) when new. */
    private String ensureRemote(MucRoom r, Sender s, Address source) {
        String key = remoteKey(source, s);
        String nick = r.remoteNicks.get(key);
        if (nick != null && r.occupants.containsKey(nick)) {
            return nick;
        }
        String base = sanitizeNick(s.nick() + " (" + source.protocol() + ")");
        nick = base;
        for (int i = 2; r.occupants.containsKey(nick); i++) {
            nick = base + " " + i;
        }
        r.remoteNicks.put(key, nick);
        MucRoom.Occupant o = new MucRoom.Occupant(nick, null, s, null, null);
        r.occupants.put(nick, o);
        ProfileUpdate known = r.remoteProfiles.get(key);
        if (known != null) {
            profiles.put(occupantJid(r, nick), known, false);
        }
        broadcastPresence(r, o, false);
        return nick;
    }

    private void removeRemote(MucRoom r, String key) {
        String nick = r.remoteNicks.remove(key);
        if (nick == null) {
            return;
        }
        MucRoom.Occupant o = r.occupants.remove(nick);
        profiles.forget(occupantJid(r, nick));
        if (o != null) {
            for (MucRoom.Occupant l : r.locals()) {
                out.send(occupantPresence(r, o, l.realJid(), false, true));
            }
        }
    }

    private static String sanitizeNick(String nick) {
        StringBuilder b = new StringBuilder();
        nick.codePoints()
                .filter(cp -> !Character.isISOControl(cp))
                .limit(64)
                .forEach(b::appendCodePoint);
        String s = b.toString().strip();
        try {
            return Resourcepart.from(s.isEmpty() ? "user" : s).toString();
        } catch (XmppStringprepException e) {
            return "user-" + Integer.toHexString(nick.hashCode());
        }
    }

    private void broadcastPresence(MucRoom r, MucRoom.Occupant o, boolean unavailable) {
        for (MucRoom.Occupant l : r.locals()) {
            out.send(occupantPresence(r, o, l.realJid(), l == o, unavailable));
        }
    }

    private Presence occupantPresence(
            MucRoom r, MucRoom.Occupant o, EntityFullJid to, boolean self, boolean unavailable) {
        MUCUser x = new MUCUser();
        x.setItem(
                new MUCItem(
                        MUCAffiliation.none,
                        unavailable ? MUCRole.none : MUCRole.participant,
                        null,
                        null,
                        null,
                        null,
                        null));
        if (self) {
            x.addStatusCode(MUCUser.Status.PRESENCE_TO_SELF_110);
        }
        PresenceBuilder pb =
                StanzaBuilder.buildPresence()
                        .ofType(unavailable ? Presence.Type.unavailable : Presence.Type.available)
                        .from(occupantJid(r, o.nick()))
                        .to(to)
                        .addExtension(x);
        if (!unavailable && o.show() != null) {
            try {
                pb.setMode(Presence.Mode.fromString(o.show()));
            } catch (IllegalArgumentException e) {
                // unknown show value: plain available
            }
        }
        if (o.status() != null) {
            pb.setStatus(o.status());
        }
        if (!unavailable && !o.isLocal()) {
            var photo = profiles.updateElement(occupantJid(r, o.nick()));
            if (photo != null) {
                pb.addExtension(photo);
            }
        }
        return pb.build();
    }

    private static EntityFullJid occupantJid(MucRoom r, String nick) {
        try {
            return JidCreate.entityFullFrom(r.jid, Resourcepart.from(nick));
        } catch (XmppStringprepException e) {
            throw new IllegalStateException("nick was sanitised: " + nick, e);
        }
    }

    private void reply(org.jivesoftware.smack.packet.Stanza request, Condition c, String text) {
        org.jivesoftware.smack.packet.Stanza err = Errors.reply(request, c, text);
        if (err != null) {
            out.send(err);
        }
    }
}
