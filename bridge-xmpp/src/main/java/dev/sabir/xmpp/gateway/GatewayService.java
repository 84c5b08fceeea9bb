package dev.sabir.xmpp.gateway;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.FileOffer;
import dev.sabir.api.Gateway;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.RegistrationField;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Typing;
import dev.sabir.xmpp.codec.ComponentProtocol;
import dev.sabir.xmpp.component.Errors;
import dev.sabir.xmpp.component.RawIq;
import dev.sabir.xmpp.component.StanzaOut;
import dev.sabir.xmpp.element.OobElement;
import dev.sabir.xmpp.element.ReplyElement;
import dev.sabir.xmpp.element.RetractElement;
import dev.sabir.xmpp.files.FileScanner;
import dev.sabir.xmpp.muc.MucService;
import dev.sabir.xmpp.vcard.Profiles;
import dev.sabir.xmpp.vcard.UserProfiles;
import dev.sabir.xmpp.vcard.UserVCard;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Predicate;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.PresenceBuilder;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaBuilder;
import org.jivesoftware.smack.packet.StanzaError.Condition;
import org.jivesoftware.smackx.chatstates.packet.ChatStateExtension;
import org.jivesoftware.smackx.iqregister.packet.Registration;
import org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Localpart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway side of the component: XEP-0077 registration of personal accounts on other networks,
 * and their contacts as puppet JIDs ({@link PuppetJids}) with presence, subscriptions, 1:1
 * messages, chat states, corrections, retractions and replies both ways. Conversations that turn
 * out to be rooms ({@link #revealsRoom}) go to MUC rooms of the {@link MucService} instead.
 *
 * <p>Not thread-safe: the component session calls it on its event loop only.
 */
public final class GatewayService {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayService.class);

    /** The registration namespace. */
    public static final String NS_REGISTER = "jabber:iq:register";

    private final DomainBareJid domain;
    private final String accountName;
    private final HostContext host;
    private final StanzaOut out;
    private final Predicate<BareJid> allowed;
    private final Clock clock;
    private final FileScanner files;
    private final Profiles profiles;
    private final MucService muc;
    private final UserProfiles users;

    /** Owner bare JID → full JIDs seen sending presence to the gateway. */
    private final Map<String, Set<EntityFullJid>> resources = new HashMap<>();

    /**
     * @param domain the component's domain
     * @param accountName the component account's name
     * @param host host services (gateway, store)
     * @param out where stanzas go
     * @param allowed who may register
     * @param files fetches files linked in users' messages
     * @param profiles the contacts' profiles (vCards, avatar hashes)
     * @param muc the MUC service that hosts the rooms of personal accounts
     * @param users the gateway users' own profiles, passed on to contacts as they appear
     */
    public GatewayService(
            DomainBareJid domain,
            String accountName,
            HostContext host,
            StanzaOut out,
            Predicate<BareJid> allowed,
            FileScanner files,
            Profiles profiles,
            MucService muc,
            UserProfiles users) {
        this.muc = muc;
        this.users = users;
        this.files = files;
        this.profiles = profiles;
        this.domain = domain;
        this.accountName = accountName;
        this.host = host;
        this.out = out;
        this.allowed = allowed;
        this.clock = host.clock();
    }

    // ---------------------------------------------------------------- registration (XEP-0077)

    /** Handles a {@code jabber:iq:register} request to the component's domain. */
    public void register(IQ iq, String rawXml) {
        BareJid owner = iq.getFrom() == null ? null : iq.getFrom().asBareJid();
        if (owner == null || !allowed.test(owner)) {
            reply(iq, Condition.forbidden, "registration is not open to " + owner);
            return;
        }
        Gateway gw = host.gateway();
        if (iq.getType() == IQ.Type.get) {
            out.send(
                    RawIq.resultFor(
                            iq, "query", NS_REGISTER, registrationForm(gw, owner.toString())));
            return;
        }
        if (iq.getType() != IQ.Type.set) {
            return;
        }
        if (rawXml.contains("<remove")
                || (iq instanceof Registration reg && reg.getAttributes().containsKey("remove"))) {
            int n = 0;
            for (Gateway.PersonalAccount pa : gw.accountsOf(owner.toString())) {
                if (pa.gatewayAccount().equals(accountName)
                        && gw.unregister(owner.toString(), pa.protocol())) {
                    n++;
                }
            }
            LOG.info("gateway: {} removed {} personal account(s)", owner, n);
            out.send(IQ.createResultIQ(iq));
            forgetOwner(owner);
            return;
        }
        Map<String, String> values = new LinkedHashMap<>();
        DataForm form = DataForm.from(iq);
        if (form != null) {
            for (FormField f : form.getFields()) {
                if (f.getFieldName() != null && !f.getFieldName().equals("FORM_TYPE")) {
                    String v = f.getFirstValue();
                    values.put(f.getFieldName(), v == null ? "" : v);
                }
            }
        } else if (iq instanceof Registration reg) {
            values.putAll(reg.getAttributes());
        }
        String protocol = values.remove("protocol");
        try {
            registerAccount(owner, protocol, values);
            out.send(IQ.createResultIQ(iq));
        } catch (InvalidConfigException e) {
            reply(iq, Condition.not_acceptable, describe(e));
        } catch (RuntimeException e) {
            LOG.warn("gateway: registration of {} failed: {}", owner, e.toString());
            reply(iq, Condition.internal_server_error, "registration failed");
        }
    }

    /**
     * Registers the owner's personal account on a network through this gateway: checks the network
     * and the required fields, then asks the host. Shared by XEP-0077 and the ad-hoc {@code
     * register} command; touches no state of this service, so any thread may call it.
     *
     * @param owner the user (already checked against {@code allow})
     * @param protocol the chosen network, may be null
     * @param values the filled-in fields by key (others are ignored)
     * @return the new account's name
     * @throws InvalidConfigException when the network is unknown, a required field is blank, or the
     *     host refuses the settings
     */
    public String registerAccount(BareJid owner, String protocol, Map<String, String> values)
            throws InvalidConfigException {
        Gateway gw = host.gateway();
        Map<String, List<RegistrationField>> protocols = gw.registrableProtocols();
        if (protocol == null || !protocols.containsKey(protocol)) {
            throw new InvalidConfigException(
                    "protocol",
                    "choose a network: " + String.join(", ", new TreeMap<>(protocols).keySet()));
        }
        Map<String, Object> settings = new LinkedHashMap<>();
        for (RegistrationField f : protocols.get(protocol)) {
            String v = values.get(f.key());
            if (v != null && !v.isBlank()) {
                settings.put(f.key(), f.secret() ? v : v.trim());
            } else if (f.required()) {
                throw new InvalidConfigException(f.key(), f.label() + " is required");
            }
        }
        String account = gw.register(accountName, owner.toString(), protocol, settings);
        LOG.info("gateway: {} registered {} account {}", owner, protocol, account);
        rememberOwner(owner);
        return account;
    }

    // ---------------------------------------------------------------- the owners' presence

    private static final String OWNER_KEY = "owner.";
    private static final String ASKED = "asked";
    private static final String SUBSCRIBED = "subscribed";

    /**
     * Asks a new user for a presence subscription, as a gateway does after registration (the user's
     * client shows the gateway as a contact to approve), and probes the presence: the user's online
     * resources are where direct file transfers and 1:1 messages go.
     */
    private void rememberOwner(BareJid owner) {
        if (SUBSCRIBED.equals(host.store().get(OWNER_KEY + owner).orElse(""))) {
            sendPresence(Presence.Type.probe, owner);
            return;
        }
        // no probe before the user approved: the server would answer it by cancelling the request
        host.store().put(OWNER_KEY + owner, ASKED);
        sendPresence(Presence.Type.subscribe, owner);
    }

    /**
     * The owner's answer to the gateway's subscription request (the server then sends presence).
     */
    private void subscriptionAnswer(Presence p) {
        String key = OWNER_KEY + p.getFrom().asBareJid();
        if (host.store().get(key).isEmpty()) {
            return;
        }
        if (p.getType() == Presence.Type.subscribed) {
            host.store().put(key, SUBSCRIBED);
        } else if (p.getType() == Presence.Type.unsubscribed) {
            host.store().put(key, ASKED);
        }
    }

    /** After the last personal account of a user is gone: drops the subscription both ways. */
    public void forgetOwner(BareJid owner) {
        for (Gateway.PersonalAccount pa : host.gateway().accountsOf(owner.toString())) {
            if (pa.gatewayAccount().equals(accountName)) {
                return;
            }
        }
        if (host.store().get(OWNER_KEY + owner).isEmpty()) {
            return;
        }
        host.store().remove(OWNER_KEY + owner);
        sendPresence(Presence.Type.unsubscribe, owner);
        sendPresence(Presence.Type.unsubscribed, owner);
    }

    /** The component is (back) online: probes the presence of every user who approved it. */
    public void online() {
        resources.clear();
        declareFormFields(host.gateway().registrableProtocols());
        for (Map.Entry<String, String> e : host.store().list(OWNER_KEY).entrySet()) {
            String key = e.getKey();
            if (!SUBSCRIBED.equals(e.getValue())) {
                continue;
            }
            try {
                sendPresence(
                        Presence.Type.probe,
                        org.jxmpp.jid.impl.JidCreate.bareFrom(key.substring(OWNER_KEY.length())));
            } catch (org.jxmpp.stringprep.XmppStringprepException bad) {
                host.store().remove(key);
            }
        }
    }

    private void sendPresence(Presence.Type type, BareJid to) {
        out.send(StanzaBuilder.buildPresence().ofType(type).from(domain).to(to).build());
    }

    /** The text shown to the user for a refused registration. */
    public static String describe(InvalidConfigException e) {
        return e.key() + ": " + e.getMessage();
    }

    /** The {@code protocol} choice of registration forms: one option per registrable network. */
    public static FormField protocolField(Map<String, List<RegistrationField>> protocols) {
        var b = FormField.listSingleBuilder("protocol").setLabel("Network").setRequired();
        for (String p : new TreeMap<>(protocols).keySet()) {
            b.addOption(new FormField.Option(p, p));
        }
        return b.build();
    }

    /**
     * A registration field as a data form field: text-private for secrets, text-single otherwise.
     *
     * @param markRequired whether to flag required fields (not in forms mixing several networks)
     */
    public static FormField formField(RegistrationField f, boolean markRequired) {
        FormField.Builder<?, ?> b =
                f.secret()
                        ? FormField.textPrivateBuilder(f.key())
                        : FormField.textSingleBuilder(f.key());
        b.setLabel(f.label());
        if (markRequired && f.required()) {
            b.setRequired();
        }
        return b.build();
    }

    /**
     * Tells Smack's form parser the types of the registration fields, so that a submitted form is
     * read without a warning per unknown field.
     */
    private static void declareFormFields(Map<String, List<RegistrationField>> protocols) {
        declareFormField(FormField.Type.list_single, "protocol");
        for (List<RegistrationField> list : protocols.values()) {
            for (RegistrationField f : list) {
                declareFormField(
                        f.secret() ? FormField.Type.text_private : FormField.Type.text_single,
                        f.key());
            }
        }
    }

    private static void declareFormField(FormField.Type type, String name) {
        if (org.jivesoftware.smackx.formtypes.FormFieldRegistry.lookup(NS_REGISTER, name) != null) {
            return;
        }
        try {
            org.jivesoftware.smackx.formtypes.FormFieldRegistry.register(NS_REGISTER, type, name);
        } catch (IllegalArgumentException e) {
            // declared with another type by another network: Smack then takes it as text
        }
    }

    private String registrationForm(Gateway gw, String owner) {
        Map<String, List<RegistrationField>> protocols = new TreeMap<>(gw.registrableProtocols());
        declareFormFields(protocols);
        StringBuilder x = new StringBuilder();
        if (!gw.accountsOf(owner).isEmpty()) {
            x.append("<registered/>");
        }
        x.append("<instructions>Choose a network and fill in its fields.</instructions>");
        x.append("<x xmlns='jabber:x:data' type='form'><title>Register a network account</title>");
        x.append("<instructions>Choose a network and fill in its fields.</instructions>");
        x.append("<field var='FORM_TYPE' type='hidden'><value>jabber:iq:register</value></field>");
        x.append(protocolField(protocols).toXML());
        Map<String, RegistrationField> fields = new LinkedHashMap<>();
        for (List<RegistrationField> list : protocols.values()) {
            for (RegistrationField f : list) {
                fields.putIfAbsent(f.key(), f);
            }
        }
        for (RegistrationField f : fields.values()) {
            x.append(formField(f, false).toXML());
        }
        x.append("</x>");
        return x.toString();
    }

    // ---------------------------------------------------------------- from the XMPP user

    /** The owner's presence to the gateway's domain: remembers the resource. */
    public void presenceToDomain(Presence p) {
        track(p);
        if (p.getFrom() != null
                && (p.getType() == Presence.Type.subscribed
                        || p.getType() == Presence.Type.unsubscribed)) {
            subscriptionAnswer(p);
        }
        if (p.getType() == Presence.Type.subscribe) {
            out.send(
                    StanzaBuilder.buildPresence()
                            .ofType(Presence.Type.subscribed)
                            .from(domain)
                            .to(p.getFrom().asBareJid())
                            .build());
        }
    }

    /** A presence to a puppet JID. */
    public void presence(Presence p, PuppetJids.Puppet puppet) {
        track(p);
        Resolved r = resolve(p, puppet);
        if (r == null) {
            return;
        }
        switch (p.getType()) {
            case subscribe -> {
                out.send(
                        StanzaBuilder.buildPresence()
                                .ofType(Presence.Type.subscribed)
                                .from(r.puppetJid)
                                .to(r.owner)
                                .build());
                sendStoredPresence(r);
            }
            case unsubscribe ->
                    out.send(
                            StanzaBuilder.buildPresence()
                                    .ofType(Presence.Type.unsubscribed)
                                    .from(r.puppetJid)
                                    .to(r.owner)
                                    .build());
            case probe -> sendStoredPresence(r);
            default -> {
                // directed availability: tracked above
            }
        }
    }

    /**
     * A vcard-temp get for a puppet JID: the contact's profile, or an empty vCard when none is
     * known. Only the owner of the personal account may ask.
     */
    public void vcard(IQ iq, PuppetJids.Puppet puppet) {
        if (resolve(iq, puppet) == null) {
            return;
        }
        out.send(profiles.answer(iq));
    }

    /** A message to a puppet JID: sent into the personal account's conversation. */
    public void message(Message m, PuppetJids.Puppet puppet) {
        if (m.getType() == Message.Type.error) {
            return;
        }
        Resolved r = resolve(m, puppet);
        if (r == null) {
            return;
        }
        Sender me = ownerSender(r.owner);
        String body = m.getBody();
        BridgeEvent event;
        if (body == null) {
            ChatStateExtension cs = MucService.chatStateOf(m);
            if (cs == null) {
                return;
            }
            event = new Typing(r.conversation, me, MucService.typingState(cs.getChatState()));
        } else {
            String id = m.getStanzaId() != null ? m.getStanzaId() : "sabir-" + UUID.randomUUID();
            event = MucService.toChatMessage(r.conversation, me, id, body, m, clock);
        }
        try {
            host.gateway().send(r.owner.toString(), event);
        } catch (IllegalArgumentException e) {
            reply(m, Condition.forbidden, "not your account");
            return;
        }
        if (event instanceof ChatMessage cm && cm.editOf() == null && cm.retractOf() == null) {
            String owner = r.owner.toString();
            files.scan(m, r.conversation, me, cm.id(), fo -> host.gateway().send(owner, fo));
        }
    }

    /** The sender of everything a gateway user says through the gateway. */
    private static Sender ownerSender(BareJid owner) {
        return new Sender(
                owner.toString(),
                owner.getLocalpartOrNull() == null
                        ? owner.toString()
                        : owner.getLocalpartOrNull().toString(),
                false);
    }

    /** Conversations a user's profile is passed on to at most per change. */
    static final int MAX_PROFILE_CONVERSATIONS = 200;

    /** True when the user has a personal account on this gateway. */
    public boolean isOwner(BareJid user) {
        for (Gateway.PersonalAccount pa : host.gateway().accountsOf(user.toString())) {
            if (pa.gatewayAccount().equals(accountName)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A gateway user's own profile changed: sent, as the user, into each 1:1 conversation of the
     * user's personal accounts on this gateway with a contact Sabir has seen (at most {@link
     * #MAX_PROFILE_CONVERSATIONS}), the way the user's messages go.
     */
    public void userProfile(BareJid user, UserVCard profile) {
        String owner = user.toString();
        Sender me = ownerSender(user);
        Map<String, String> puppets = host.store().list("puppet.");
        int sent = 0;
        int skipped = 0;
        for (Gateway.PersonalAccount pa : host.gateway().accountsOf(owner)) {
            if (!pa.gatewayAccount().equals(accountName)) {
                continue;
            }
            String suffix = "%" + PuppetJids.escape(pa.account()).toLowerCase(Locale.ROOT);
            for (Map.Entry<String, String> e : puppets.entrySet()) {
                String local = e.getKey().substring("puppet.".length());
                if (!local.endsWith(suffix)
                        || muc.hasRoom(local)
                        || host.store().get(roomKey(local)).isPresent()) {
                    continue;
                }
                if (sent >= MAX_PROFILE_CONVERSATIONS) {
                    skipped++;
                    continue;
                }
                Address conversation = new Address(pa.protocol(), pa.account(), e.getValue());
                try {
                    host.gateway().send(owner, profile.toUpdate(conversation, me));
                    sent++;
                } catch (RuntimeException ex) {
                    LOG.info(
                            "gateway {}: profile of {} not sent to {}: {}",
                            accountName,
                            owner,
                            conversation,
                            ex.toString());
                }
            }
        }
        if (skipped > 0) {
            LOG.info(
                    "gateway {}: profile of {} sent to {} conversations, {} more left out",
                    accountName,
                    owner,
                    sent,
                    skipped);
        } else {
            LOG.debug(
                    "gateway {}: profile of {} sent to {} conversations", accountName, owner, sent);
        }
    }

    private void track(Presence p) {
        if (!(p.getFrom() instanceof EntityFullJid full)) {
            return;
        }
        String bare = full.asBareJid().toString();
        if (p.getType() == Presence.Type.available) {
            resources.computeIfAbsent(bare, k -> new LinkedHashSet<>()).add(full);
        } else if (p.getType() == Presence.Type.unavailable || p.getType() == Presence.Type.error) {
            Set<EntityFullJid> set = resources.get(bare);
            if (set != null) {
                set.remove(full);
                if (set.isEmpty()) {
                    resources.remove(bare);
                }
            }
        }
    }

    /** A resolved puppet: the owner, the personal account's conversation and the puppet's JID. */
    private record Resolved(EntityBareJid owner, Address conversation, EntityBareJid puppetJid) {}

    private Resolved resolve(Stanza s, PuppetJids.Puppet puppet) {
        Optional<Gateway.PersonalAccount> pa = host.gateway().personal(puppet.account());
        if (pa.isEmpty() || !pa.get().gatewayAccount().equals(accountName)) {
            reply(s, Condition.item_not_found, "no such contact");
            return null;
        }
        if (s.getFrom() == null || !s.getFrom().asBareJid().toString().equals(pa.get().owner())) {
            reply(s, Condition.forbidden, "not your account");
            return null;
        }
        String local = s.getTo().getLocalpartOrNull().toString();
        String contact =
                host.store()
                        .get("puppet." + local.toLowerCase(Locale.ROOT))
                        .orElse(puppet.contact());
        try {
            return new Resolved(
                    s.getFrom().asBareJid().asEntityBareJidIfPossible(),
                    new Address(pa.get().protocol(), pa.get().account(), contact),
                    s.getTo().asBareJid().asEntityBareJidIfPossible());
        } catch (IllegalArgumentException e) {
            reply(s, Condition.jid_malformed, "bad contact id");
            return null;
        }
    }

    private void sendStoredPresence(Resolved r) {
        String local = r.puppetJid.getLocalpart().toString().toLowerCase(Locale.ROOT);
        Optional<String> stored = host.store().get("presence." + local);
        PresenceBuilder pb = StanzaBuilder.buildPresence().from(r.puppetJid).to(r.owner);
        if (stored.isEmpty() || stored.get().equals("OFFLINE")) {
            pb.ofType(Presence.Type.unavailable);
        } else {
            applyShow(pb, PresenceUpdate.Status.valueOf(stored.get()));
        }
        addPhoto(pb, r.puppetJid);
        out.send(pb.build());
    }

    /** Adds the XEP-0153 avatar hash when the contact's profile is known. */
    private void addPhoto(PresenceBuilder pb, EntityBareJid puppet) {
        var x = profiles.updateElement(puppet);
        if (x != null) {
            pb.addExtension(x);
        }
    }

    private static void applyShow(PresenceBuilder pb, PresenceUpdate.Status status) {
        pb.ofType(Presence.Type.available);
        switch (status) {
            case AWAY -> pb.setMode(Presence.Mode.away);
            case XA -> pb.setMode(Presence.Mode.xa);
            case DND -> pb.setMode(Presence.Mode.dnd);
            case OFFLINE -> pb.ofType(Presence.Type.unavailable);
            default -> {
                // available
            }
        }
    }

    // ---------------------------------------------------------------- from the router

    /**
     * True when a delivery reveals that its personal-account conversation is a room rather than a
     * 1:1 contact: the event is a {@link RoomUpdate}, or a {@link ChatMessage} not sent by the
     * account itself whose sender id differs from the conversation id while the conversation id
     * does not start with {@code @} (networks that name 1:1 conversations after the peer with a
     * leading {@code @}). Everything else is a contact, as before.
     */
    static boolean revealsRoom(Address conversation, BridgeEvent ev) {
        if (ev instanceof RoomUpdate) {
            return true;
        }
        return ev instanceof ChatMessage cm
                && !cm.sender().self()
                && !cm.sender().id().equals(conversation.id())
                && !conversation.id().startsWith("@");
    }

    private static String roomKey(String localpart) {
        return "proom." + localpart.toLowerCase(Locale.ROOT);
    }

    /**
     * True when the JID local part names a room of a personal account (opening the room again when
     * it was known before a restart). Stanzas for it then belong to the MUC service.
     */
    public boolean isRoom(String localpart) {
        if (muc.hasRoom(localpart)) {
            return true;
        }
        Optional<String> id = host.store().get(roomKey(localpart));
        PuppetJids.Puppet puppet = PuppetJids.parse(localpart);
        if (id.isEmpty() || puppet == null) {
            return false;
        }
        Optional<Gateway.PersonalAccount> pa =
                host.gateway()
                        .personal(puppet.account())
                        .filter(p -> p.gatewayAccount().equals(accountName));
        if (pa.isEmpty()) {
            return false;
        }
        openRoom(
                localpart,
                new Address(pa.get().protocol(), pa.get().account(), id.get()),
                pa.get().owner());
        return true;
    }

    private void openRoom(String localpart, Address conversation, String owner) {
        muc.addPersonalRoom(localpart, conversation, owner, ev -> host.gateway().send(owner, ev));
        host.store().put(roomKey(localpart), conversation.id());
    }

    /**
     * Carries a delivery for a personal account to its owner: into the account's MUC room when the
     * conversation is a room ({@link #revealsRoom}), otherwise from the contact's puppet JID.
     *
     * @return the id of the message sent, or null
     */
    public String deliver(Delivery d, String fileLink) {
        Address dest = d.destination();
        Gateway.PersonalAccount pa = personalAccount(dest);
        EntityBareJid owner;
        EntityBareJid puppet;
        String local = PuppetJids.localpart(dest.id(), dest.account());
        if (isRoom(local) || revealsRoom(dest, d.event())) {
            try {
                openRoom(local, dest, pa.owner());
            } catch (IllegalArgumentException e) {
                throw DeliveryException.permanent("room id not usable in a JID: " + dest.id());
            }
            return muc.deliverTo(local, d, fileLink);
        }
        boolean newContact;
        try {
            owner = JidCreate.entityBareFrom(pa.owner());
            puppet = JidCreate.entityBareFrom(Localpart.from(local), domain);
            String key = "puppet." + puppet.getLocalpart().toString().toLowerCase(Locale.ROOT);
            newContact = host.store().get(key).isEmpty();
            host.store().put(key, dest.id());
        } catch (XmppStringprepException e) {
            throw DeliveryException.permanent("contact id not usable in a JID: " + dest.id());
        }
        if (newContact) {
            // a contact seen for the first time gets the user's profile known so far
            users.known(owner)
                    .ifPresent(
                            v -> {
                                try {
                                    host.gateway()
                                            .send(pa.owner(), v.toUpdate(dest, ownerSender(owner)));
                                } catch (RuntimeException ex) {
                                    LOG.info(
                                            "gateway {}: profile of {} not sent to {}: {}",
                                            accountName,
                                            owner,
                                            dest,
                                            ex.toString());
                                }
                            });
        }
        List<Jid> targets = new ArrayList<>(resources.getOrDefault(owner.toString(), Set.of()));
        if (targets.isEmpty()) {
            targets.add(owner);
        }
        BridgeEvent ev = d.event();
        if (ev instanceof PresenceUpdate pu) {
            host.store()
                    .put(
                            "presence." + puppet.getLocalpart().toString().toLowerCase(Locale.ROOT),
                            pu.status().name());
            PresenceBuilder pb = StanzaBuilder.buildPresence().from(puppet).to(owner);
            applyShow(pb, pu.status());
            if (!pu.statusText().isEmpty()) {
                pb.setStatus(pu.statusText());
            }
            addPhoto(pb, puppet);
            sendOrFail(pb.build());
            return null;
        }
        if (ev instanceof ProfileUpdate prof) {
            profiles.put(puppet, prof, true);
            LOG.debug("gateway {}: profile of {} updated", accountName, puppet);
            sendStoredPresence(new Resolved(owner, dest, puppet));
            return null;
        }
        if (ev instanceof Typing t) {
            for (Jid to : targets) {
                out.send(
                        StanzaBuilder.buildMessage()
                                .ofType(Message.Type.chat)
                                .from(puppet)
                                .to(to)
                                .addExtension(
                                        new ChatStateExtension(MucService.chatState(t.state())))
                                .build());
            }
            return null;
        }
        if (ev instanceof ChatMessage cm) {
            String id = "sabir-" + UUID.randomUUID();
            List<ExtensionElement> ext = new ArrayList<>();
            String body =
                    cm.kind() == ChatMessage.MessageKind.ACTION ? "/me " + cm.text() : cm.text();
            if (!cm.sender().id().equals(dest.id()) && !cm.sender().self()) {
                body = "<" + cm.sender().nick() + "> " + body;
            }
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
            ext.add(new ChatStateExtension(org.jivesoftware.smackx.chatstates.ChatState.active));
            for (Jid to : targets) {
                MessageBuilder mb =
                        StanzaBuilder.buildMessage(id)
                                .ofType(Message.Type.chat)
                                .from(puppet)
                                .to(to)
                                .setBody(body)
                                .addExtensions(ext);
                sendOrFail(mb.build());
            }
            return id;
        }
        if (ev instanceof FileOffer fo) {
            if (fileLink == null) {
                throw DeliveryException.permanent("no link for file " + fo.name());
            }
            String id = "sabir-" + UUID.randomUUID();
            for (Jid to : targets) {
                sendOrFail(
                        StanzaBuilder.buildMessage(id)
                                .ofType(Message.Type.chat)
                                .from(puppet)
                                .to(to)
                                .setBody(fileLink)
                                .addExtension(new OobElement(fileLink, fo.name()))
                                .build());
            }
            return id;
        }
        return null;
    }

    /**
     * Where a file for a personal account's conversation could be handed over directly: the owner's
     * resources online now and the contact's puppet JID.
     *
     * @param conversation the conversation on a personal account (a delivery's destination)
     * @param owner the owner's bare JID
     * @param puppet the contact's puppet JID
     * @param resources the owner's full JIDs seen online, oldest first
     */
    public record DirectTarget(
            Address conversation,
            EntityBareJid owner,
            EntityBareJid puppet,
            List<EntityFullJid> resources) {
        /** Copies the list. */
        public DirectTarget {
            resources = List.copyOf(resources);
        }
    }

    /** The personal account a delivery is for; permanent failure when it is not on this gateway. */
    private Gateway.PersonalAccount personalAccount(Address dest) {
        return host.gateway()
                .personal(dest.account())
                .filter(p -> p.gatewayAccount().equals(accountName))
                .orElseThrow(
                        () ->
                                DeliveryException.permanent(
                                        "no personal account "
                                                + dest.account()
                                                + " on this gateway"));
    }

    /**
     * The direct target of a delivery to a personal account: present only for a 1:1 contact whose
     * owner has at least one resource online; empty for rooms and for owners seen offline.
     *
     * @throws DeliveryException when the account is not a personal account of this gateway
     */
    public Optional<DirectTarget> directTarget(Address dest) {
        Gateway.PersonalAccount pa = personalAccount(dest);
        String local = PuppetJids.localpart(dest.id(), dest.account());
        if (isRoom(local)) {
            return Optional.empty();
        }
        try {
            EntityBareJid owner = JidCreate.entityBareFrom(pa.owner());
            Set<EntityFullJid> online = resources.get(owner.toString());
            if (online == null || online.isEmpty()) {
                return Optional.empty();
            }
            EntityBareJid puppet = JidCreate.entityBareFrom(Localpart.from(local), domain);
            return Optional.of(new DirectTarget(dest, owner, puppet, new ArrayList<>(online)));
        } catch (XmppStringprepException e) {
            return Optional.empty();
        }
    }

    /**
     * Sends a chat message from a contact's puppet to one resource of its owner (the note that a
     * file comes by direct transfer), remembering the contact's spelling as messages do.
     *
     * @return the message's id
     * @throws DeliveryException when the component is offline
     */
    public String notice(DirectTarget target, Jid to, String text) {
        host.store()
                .put(
                        "puppet."
                                + target.puppet()
                                        .getLocalpart()
                                        .toString()
                                        .toLowerCase(Locale.ROOT),
                        target.conversation().id());
        String id = "sabir-" + UUID.randomUUID();
        sendOrFail(
                StanzaBuilder.buildMessage(id)
                        .ofType(Message.Type.chat)
                        .from(target.puppet())
                        .to(to)
                        .setBody(text)
                        .build());
        return id;
    }

    private void sendOrFail(Stanza s) {
        if (!out.send(s)) {
            throw DeliveryException.offline("component is not connected");
        }
    }

    private void reply(Stanza request, Condition c, String text) {
        Stanza err = Errors.reply(request, c, text);
        if (err != null) {
            out.send(err);
        }
    }

    private static String esc(String s) {
        return ComponentProtocol.escape(s);
    }
}
