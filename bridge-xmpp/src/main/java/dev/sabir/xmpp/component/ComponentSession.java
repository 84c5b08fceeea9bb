package dev.sabir.xmpp.component;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.HostContext;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.xmpp.Stanzas;
import dev.sabir.xmpp.gateway.GatewayService;
import dev.sabir.xmpp.gateway.PuppetJids;
import dev.sabir.xmpp.muc.MucService;
import io.netty.channel.EventLoop;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError.Condition;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverInfoBuilder;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jxmpp.jid.EntityBareJid;
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
        this.muc =
                new MucService(
                        config.domain(), self, config.historyOnJoin(), out, sink, host.clock());
        this.gateway =
                new GatewayService(config.domain(), account.name(), host, out, config::allowed);
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
        String link = null;
        if (d.event() instanceof FileOffer fo && fo.spoolId() != null) {
            link = host.spool().link(fo.spoolId()).toString();
        }
        String fileLink = link;
        boolean room = d.destination().sameAccount(self);
        return onLoop(() -> room ? muc.deliver(d, fileLink) : gateway.deliver(d, fileLink));
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        connection.close();
        sink.accept(new SessionState(self, SessionState.State.OFFLINE, "closed"));
        LOG.info("component {} closed", config.domain());
    }

    /** Runs a task on the session's loop. */
    private <T> CompletableFuture<T> onLoop(java.util.concurrent.Callable<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            loop.execute(
                    () -> {
                        try {
                            f.complete(task.call());
                        } catch (Throwable t) {
                            f.completeExceptionally(t);
                        }
                    });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(DeliveryException.offline("event loop stopped"));
        }
        return f;
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
        if (to.getLocalpartOrNull() == null) {
            service(s, xml);
            return;
        }
        String local = to.getLocalpartOrNull().toString();
        PuppetJids.Puppet puppet = local.indexOf('%') > 0 ? PuppetJids.parse(local) : null;
        if (puppet != null) {
            if (s instanceof Message m) {
                gateway.message(m, puppet);
            } else if (s instanceof Presence p) {
                gateway.presence(p, puppet);
            } else if (s instanceof IQ iq) {
                commonIq(iq, "client", "pc", local);
            }
            return;
        }
        if (s instanceof Presence p) {
            muc.presence(p);
        } else if (s instanceof Message m) {
            muc.message(m);
        } else if (s instanceof IQ iq) {
            if (iq.getType() == IQ.Type.get
                    && NS_DISCO_INFO.equals(iq.getChildElementNamespace())
                    && !to.hasResource()) {
                muc.discoInfo(iq);
            } else if (!muc.hasRoom(local)) {
                reply(iq, Condition.item_not_found, "no such room");
            } else {
                commonIq(iq, null, null, null);
            }
        }
    }

    private void service(Stanza s, String xml) {
        if (s instanceof Presence p) {
            gateway.presenceToDomain(p);
            return;
        }
        if (!(s instanceof IQ iq)) {
            return;
        }
        String ns = iq.getChildElementNamespace();
        if (GatewayService.NS_REGISTER.equals(ns)) {
            gateway.register(iq, xml);
        } else if (NS_DISCO_ITEMS.equals(ns) && iq.getType() == IQ.Type.get) {
            DiscoverItems items = new DiscoverItems();
            items.setType(IQ.Type.result);
            items.setStanzaId(iq.getStanzaId());
            items.setTo(iq.getFrom());
            items.setFrom(iq.getTo());
            if (iq instanceof DiscoverItems req && req.getNode() != null) {
                items.setNode(req.getNode());
            } else {
                for (Map.Entry<EntityBareJid, String> r : muc.rooms()) {
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
            } else {
                b.addIdentity(new DiscoverInfo.Identity(category, name, type));
                b.addFeature("http://jabber.org/protocol/chatstates");
                b.addFeature("urn:xmpp:message-correct:0");
                b.addFeature(dev.sabir.xmpp.element.RetractElement.NAMESPACE);
                b.addFeature(dev.sabir.xmpp.element.ReplyElement.NAMESPACE);
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
