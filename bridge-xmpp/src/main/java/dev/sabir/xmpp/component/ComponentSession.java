package dev.sabir.xmpp.component;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileSpool;
import dev.sabir.api.HostContext;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.xmpp.Stanzas;
import dev.sabir.xmpp.files.FileScanner;
import dev.sabir.xmpp.files.HttpTransfers;
import dev.sabir.xmpp.files.IncomingFiles;
import dev.sabir.xmpp.files.UploadClient;
import dev.sabir.xmpp.gateway.DirectFiles;
import dev.sabir.xmpp.gateway.GatewayService;
import dev.sabir.xmpp.gateway.PuppetJids;
import dev.sabir.xmpp.muc.MucService;
import dev.sabir.xmpp.vcard.Profiles;
import dev.sabir.xmpp.vcard.UserProfiles;
import dev.sabir.xmpp.vcard.UserVCard;
import io.netty.channel.EventLoop;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError.Condition;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverInfoBuilder;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A component-mode XMPP account: one XEP-0114 connection serving the MUC rooms of links and the
 * gateway's puppet contacts under the component's domain.
 *
 * <p>All state lives on one event loop taken from the host; stanzas from the server arrive there
 * and deliveries hop onto it.
 */
public final class ComponentSession implements Session {
    private static final Logger LOG = LoggerFactory.getLogger(ComponentSession.class);
    private static final String NS_DISCO_INFO = "http://jabber.org/protocol/disco#info";
    private static final String NS_DISCO_ITEMS = "http://jabber.org/protocol/disco#items";
    private static final String NS_PING = "urn:xmpp:ping";

    /** How long a user's server may take to answer for the user's vCard. */
    private static final java.time.Duration USER_VCARD_TIMEOUT = java.time.Duration.ofSeconds(10);

    private final AccountConfig account;
    private final ComponentConfig config;
    private final HostContext host;
    private final EventSink sink;
    private final EventLoop loop;
    private final ComponentConnection connection;
    private final MucService muc;
    private final GatewayService gateway;
    private final Address self;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AdminCommands admin;
    private final HttpTransfers http;
    private final UploadClient uploads;
    private final IncomingFiles incoming;
    private final DirectFiles direct;

    /** IQs this component sent and awaits answers to; touched on the loop only. */
    private final Map<String, PendingIq> pending = new HashMap<>();

    private long iqCounter;

    /** An IQ awaiting its answer. */
    private record PendingIq(Jid to, CompletableFuture<Answer> answer, ScheduledFuture<?> timer) {}

    /** An IQ answer, parsed and as it came on the stream. */
    private record Answer(IQ iq, String xml) {}

    /** The own vCards of the users the component serves. */
    private final UserProfiles users;

    /**
     * @param account the account
     * @param config its checked keys
     * @param host host services
     * @param sink where events go
     */
    public ComponentSession(
            AccountConfig account, ComponentConfig config, HostContext host, EventSink sink) {
        this.account = account;
        this.config = config;
        this.host = host;
        this.sink = sink;
        this.self = account.address();
        this.loop = host.eventLoops().next();
        StanzaOut out = this::send;
        this.http =
                new HttpTransfers(
                        config.files().httpTimeout(),
                        config.files().transferTimeout(),
                        host.scheduler(),
                        "sabir-xmpp-" + account.name() + "-http");
        this.uploads =
                new UploadClient(
                        config.domain(), config.files(), this::request, http, host.clock());
        this.incoming =
                new IncomingFiles(account.name(), config.files(), http, host.spool(), uploads);
        FileScanner scanner =
                (m, conversation, sender, id, emit) ->
                        incoming.scan(
                                m,
                                conversation,
                                sender,
                                id,
                                fo ->
                                        onLoop(
                                                () -> {
                                                    emit.accept(fo);
                                                    return null;
                                                }));
        Profiles profiles = new Profiles(host.store());
        this.users =
                new UserProfiles(
                        config.userProfiles(),
                        this::fetchVCard,
                        this::userProfileChanged,
                        loop,
                        USER_VCARD_TIMEOUT,
                        config.domain().toString());
        this.muc =
                new MucService(
                        config.domain(),
                        self,
                        config.historyOnJoin(),
                        out,
                        sink,
                        host.clock(),
                        scanner,
                        profiles,
                        users);
        this.gateway =
                new GatewayService(
                        config.domain(),
                        account.name(),
                        host,
                        out,
                        config::allowed,
                        scanner,
                        profiles,
                        muc,
                        users);
        this.direct =
                new DirectFiles(
                        config.domain().toString(),
                        host,
                        gateway,
                        loop,
                        config.files().httpTimeout(),
                        config.files().transferTimeout(),
                        d -> viaLink(d, (FileOffer) d.event(), false));
        this.admin =
                new AdminCommands(
                        config.domain(), config::admin, config::allowed, gateway, host, out);
        this.connection =
                new ComponentConnection(
                        new ComponentConnection.Settings(
                                config.server(),
                                config.domain().toString(),
                                config.secret(),
                                config.pingTarget(),
                                config.pingInterval(),
                                config.maxStanza(),
                                config.backoffMin(),
                                config.backoffMax()),
                        loop,
                        host.scheduler(),
                        new Listener());
        for (String room : config.rooms()) {
            muc.addRoom(room);
        }
    }

    /** The component's domain. */
    public String domain() {
        return config.domain().toString();
    }

    @Override
    public CompletionStage<Void> connect() {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
        }
        sink.accept(
                new SessionState(
                        self, SessionState.State.CONNECTING, "connecting to " + config.server()));
        return connection.start();
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        if (!conversation.sameAccount(self) || conversation.id().isEmpty()) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException(conversation + " is not a room of " + self));
        }
        return onLoop(
                () -> {
                    muc.addRoom(conversation.id());
                    return null;
                });
    }

    @Override
    public CompletionStage<String> deliver(Delivery d) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("session closed"));
        }
        boolean room = d.destination().sameAccount(self);
        if (d.event() instanceof FileOffer fo && fo.spoolId() != null) {
            if (!room && config.directFiles()) {
                return direct.deliver(d, fo);
            }
            return viaLink(d, fo, room);
        }
        return onLoop(() -> room ? muc.deliver(d, null) : gateway.deliver(d, null));
    }

    /** Delivers a spooled file as a link: uploaded, then sent with an OOB element. */
    private CompletableFuture<String> viaLink(Delivery d, FileOffer fo, boolean room) {
        return uploaded(fo)
                .thenCompose(
                        link ->
                                onLoop(
                                        () -> {
                                            if (closed.get()) {
                                                throw DeliveryException.offline("session closed");
                                            }
                                            return room
                                                    ? muc.deliver(d, link)
                                                    : gateway.deliver(d, link);
                                        }));
    }

    /**
     * The link a file goes out with: its URL on the server's upload service, or the host's spool
     * link when there is no service or the upload fails.
     */
    private CompletableFuture<String> uploaded(FileOffer fo) {
        Optional<FileSpool.SpooledFile> file = host.spool().find(fo.spoolId());
        if (file.isEmpty()) {
            return CompletableFuture.failedFuture(
                    DeliveryException.permanent("file " + fo.spoolId() + " is not in the spool"));
        }
        return uploads.upload(file.get())
                .handle(
                        (url, err) -> {
                            if (err == null) {
                                LOG.info(
                                        "component {}: uploaded {} ({} bytes) for {}",
                                        config.domain(),
                                        file.get().name(),
                                        file.get().size(),
                                        fo.offerId());
                                return url.toString();
                            }
                            Throwable cause =
                                    err instanceof java.util.concurrent.CompletionException
                                                    && err.getCause() != null
                                            ? err.getCause()
                                            : err;
                            LOG.info(
                                    "component {}: {} goes out as a spool link: {}",
                                    config.domain(),
                                    file.get().name(),
                                    cause.getMessage());
                            return host.spool().link(fo.spoolId()).toString();
                        });
    }

    /**
     * Sends an IQ from the component and completes with the answer; an error answer or no answer
     * within the HTTP timeout fails the future.
     */
    private CompletableFuture<IQ> request(IQ iq) {
        return ask(iq, config.files().httpTimeout()).thenApply(Answer::iq);
    }

    /**
     * Sends an IQ from the component; completes with the answer, fails on an error answer, on no
     * answer within {@code timeout} and when offline.
     */
    private CompletableFuture<Answer> ask(IQ iq, java.time.Duration timeout) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        onLoop(
                        () -> {
                            String id = "sabir-iq-" + (++iqCounter);
                            iq.setStanzaId(id);
                            if (!send(iq)) {
                                answer.completeExceptionally(
                                        new IllegalStateException("component is offline"));
                                return null;
                            }
                            ScheduledFuture<?> timer =
                                    host.scheduler()
                                            .schedule(
                                                    () -> loop.execute(() -> expire(id)),
                                                    timeout.toMillis(),
                                                    TimeUnit.MILLISECONDS);
                            pending.put(id, new PendingIq(iq.getTo(), answer, timer));
                            return null;
                        })
                .whenComplete(
                        (v, err) -> {
                            if (err != null) {
                                answer.completeExceptionally(err);
                            }
                        });
        return answer;
    }

    private void expire(String id) {
        PendingIq p = pending.remove(id);
        if (p != null) {
            p.answer().completeExceptionally(new TimeoutException("no answer from " + p.to()));
        }
    }

    /** Asks a user's server for the user's vCard; completes with the raw answer. */
    private CompletableFuture<String> fetchVCard(BareJid user, java.time.Duration timeout) {
        VCard get = new VCard();
        get.setType(IQ.Type.get);
        get.setTo(user);
        get.setFrom(config.domain());
        return ask(get, timeout).thenApply(Answer::xml);
    }

    /** A user's own profile changed: passed on for each room and gateway conversation. */
    private void userProfileChanged(BareJid user, UserVCard profile) {
        if (closed.get()) {
            return;
        }
        muc.userProfile(user, profile);
        gateway.userProfile(user, profile);
    }

    /** vCard requests sent for users' own profiles (for tests). */
    public long userProfileFetches() {
        return users.fetches();
    }

    /** Completes a pending request with its answer; false when the IQ answers nothing of ours. */
    private boolean answered(IQ iq, String xml) {
        if (iq.getType() != IQ.Type.result && iq.getType() != IQ.Type.error) {
            return false;
        }
        PendingIq p = pending.get(iq.getStanzaId());
        if (p == null || iq.getFrom() == null || !iq.getFrom().equals(p.to())) {
            return false;
        }
        pending.remove(iq.getStanzaId());
        p.timer().cancel(false);
        if (iq.getType() == IQ.Type.error) {
            p.answer()
                    .completeExceptionally(
                            new IllegalStateException(
                                    p.to()
                                            + " answered with an error: "
                                            + (iq.getError() == null
                                                    ? "?"
                                                    : iq.getError().getCondition()
                                                            + (iq.getError().getDescriptiveText()
                                                                            == null
                                                                    ? ""
                                                                    : " ("
                                                                            + iq.getError()
                                                                                    .getDescriptiveText()
                                                                            + ")"))));
        } else {
            p.answer().complete(new Answer(iq, xml));
        }
        return true;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        direct.close();
        connection.close();
        http.close();
        try {
            loop.execute(this::failPending);
        } catch (RejectedExecutionException e) {
            // the loop is gone: nothing is waiting on it any more
        }
        sink.accept(new SessionState(self, SessionState.State.OFFLINE, "closed"));
        LOG.info("component {} closed", config.domain());
    }

    /** Runs a task on the session's loop. */
    private <T> CompletableFuture<T> onLoop(java.util.concurrent.Callable<T> task) {
        return dev.sabir.xmpp.OnLoop.call(loop, task);
    }

    private void failPending() {
        for (PendingIq p : pending.values()) {
            p.timer().cancel(false);
            p.answer().completeExceptionally(new IllegalStateException("session closed"));
        }
        pending.clear();
    }

    private boolean send(Stanza s) {
        return connection.send(Stanzas.toXml(s)) != null;
    }

    /** Occupant nicks of a room (for tests and admin). */
    public CompletionStage<List<String>> occupants(String room) {
        return onLoop(() -> muc.occupants(room));
    }

    private final class Listener implements ComponentConnection.Listener {
        @Override
        public void online() {
            uploads.reset();
            gateway.online();
            sink.accept(new SessionState(self, SessionState.State.ONLINE, ""));
        }

        @Override
        public void offline(String reason) {
            if (!closed.get()) {
                sink.accept(new SessionState(self, SessionState.State.CONNECTING, reason));
            }
        }

        @Override
        public void stanza(String name, String xml) {
            Stanza s;
            try {
                s = Stanzas.parse(xml);
            } catch (Stanzas.StanzaParseException e) {
                LOG.info(
                        "component {}: dropped unparsable <{}>: {}",
                        config.domain(),
                        name,
                        e.getMessage());
                if (name.equals("iq")) {
                    String err =
                            Stanzas.iqErrorFor(xml, config.domain().toString(), e.getMessage());
                    if (err != null) {
                        connection.send(err);
                    }
                }
                return;
            }
            try {
                dispatch(s, xml);
            } catch (RuntimeException e) {
                LOG.warn("component {}: error handling <{}>", config.domain(), name, e);
                try {
                    Stanza err = Errors.reply(s, Condition.internal_server_error, "internal error");
                    if (err != null) {
                        send(err);
                    }
                } catch (RuntimeException again) {
                    LOG.warn(
                            "component {}: could not answer with an error: {}",
                            config.domain(),
                            again.toString());
                }
            }
        }
    }

    private void dispatch(Stanza s, String xml) {
        Jid to = s.getTo();
        if (to == null || !to.getDomain().equals(config.domain())) {
            LOG.info("component {}: dropped stanza for {}", config.domain(), to);
            return;
        }
        if (s.getFrom() == null) {
            return;
        }
        if (s instanceof IQ answer && answered(answer, xml)) {
            return;
        }
        if (to.getLocalpartOrNull() == null) {
            service(s, xml);
            return;
        }
        String local = to.getLocalpartOrNull().toString();
        PuppetJids.Puppet puppet = local.indexOf('%') > 0 ? PuppetJids.parse(local) : null;
        if (puppet != null && !gateway.isRoom(local)) {
            if (s instanceof Message m) {
                gateway.message(m, puppet);
            } else if (s instanceof Presence p) {
                gateway.presence(p, puppet);
                userPresence(p);
            } else if (s instanceof IQ iq && Profiles.isVCardGet(iq)) {
                gateway.vcard(iq, puppet);
            } else if (s instanceof IQ iq) {
                commonIq(iq, "client", "pc", local);
            }
            return;
        }
        if (s instanceof Presence p) {
            muc.presence(p);
            userPresence(p);
        } else if (s instanceof Message m) {
            muc.message(m);
        } else if (s instanceof IQ iq) {
            if (iq.getType() == IQ.Type.get
                    && NS_DISCO_INFO.equals(iq.getChildElementNamespace())
                    && !to.hasResource()) {
                muc.discoInfo(iq);
            } else if (Profiles.isVCardGet(iq)) {
                muc.vcard(iq);
            } else if (!muc.hasRoom(local)) {
                reply(iq, Condition.item_not_found, "no such room");
            } else {
                commonIq(iq, null, null, null);
            }
        }
    }

    /**
     * Presence from an XMPP user, already handled: when the component serves the user (a gateway
     * user or an occupant of one of its rooms), the user's own vCard may need fetching.
     */
    private void userPresence(Presence p) {
        if (!users.enabled()
                || p.getType() != Presence.Type.available
                || !(p.getFrom() instanceof EntityFullJid from)) {
            return;
        }
        if (muc.isOccupant(from) || gateway.isOwner(from.asBareJid())) {
            users.presence(from.asBareJid(), p);
        }
    }

    private void service(Stanza s, String xml) {
        if (s instanceof Presence p) {
            gateway.presenceToDomain(p);
            userPresence(p);
            return;
        }
        if (!(s instanceof IQ iq)) {
            return;
        }
        String ns = iq.getChildElementNamespace();
        if (GatewayService.NS_REGISTER.equals(ns)) {
            gateway.register(iq, xml);
        } else if (AdminCommands.NAMESPACE.equals(ns)) {
            admin.handle(iq);
        } else if (NS_DISCO_ITEMS.equals(ns) && iq.getType() == IQ.Type.get) {
            DiscoverItems items = new DiscoverItems();
            items.setType(IQ.Type.result);
            items.setStanzaId(iq.getStanzaId());
            items.setTo(iq.getFrom());
            items.setFrom(iq.getTo());
            if (iq instanceof DiscoverItems req && req.getNode() != null) {
                items.setNode(req.getNode());
                if (AdminCommands.NAMESPACE.equals(req.getNode())) {
                    admin.listCommands(iq, items);
                }
            } else {
                for (Map.Entry<EntityBareJid, String> r : muc.rooms(iq.getFrom().asBareJid())) {
                    DiscoverItems.Item item = new DiscoverItems.Item(r.getKey());
                    item.setName(r.getValue());
                    items.addItem(item);
                }
            }
            send(items);
        } else {
            commonIq(iq, "gateway", "sabir", null);
        }
    }

    /** disco#info and ping for the service and puppets; errors for the rest. */
    private void commonIq(IQ iq, String category, String type, String name) {
        String ns = iq.getChildElementNamespace();
        if (iq.getType() != IQ.Type.get && iq.getType() != IQ.Type.set) {
            return;
        }
        if (NS_PING.equals(ns) && iq.getType() == IQ.Type.get) {
            send(IQ.createResultIQ(iq));
            return;
        }
        if (NS_DISCO_INFO.equals(ns)
                && iq.getType() == IQ.Type.get
                && category != null
                && iq instanceof DiscoverInfo di) {
            DiscoverInfoBuilder b =
                    DiscoverInfoBuilder.buildResponseFor(di, IQ.ResponseType.result);
            if (name == null) {
                b.addIdentity(new DiscoverInfo.Identity("gateway", "Sabir bridge", type));
                b.addIdentity(
                        new DiscoverInfo.Identity("conference", "Sabir bridged rooms", "text"));
                b.addFeature("http://jabber.org/protocol/muc");
                b.addFeature(NS_DISCO_ITEMS);
                b.addFeature(GatewayService.NS_REGISTER);
                b.addFeature("jabber:iq:gateway");
                b.addFeature(AdminCommands.NAMESPACE);
            } else {
                b.addIdentity(new DiscoverInfo.Identity(category, name, type));
                b.addFeature("http://jabber.org/protocol/chatstates");
                b.addFeature("urn:xmpp:message-correct:0");
                b.addFeature(dev.sabir.xmpp.element.RetractElement.NAMESPACE);
                b.addFeature(dev.sabir.xmpp.element.ReplyElement.NAMESPACE);
                b.addFeature(Profiles.NS_VCARD);
            }
            b.addFeature(NS_DISCO_INFO);
            b.addFeature(NS_PING);
            send(b.build());
            return;
        }
        reply(iq, Condition.service_unavailable, null);
    }

    private void reply(Stanza request, Condition c, String text) {
        Stanza err = Errors.reply(request, c, text);
        if (err != null) {
            send(err);
        }
    }
}
