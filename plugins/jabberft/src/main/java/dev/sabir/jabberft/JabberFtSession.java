package dev.sabir.jabberft;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileTransports;
import dev.sabir.api.HostContext;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.jabberft.codec.FtQuery;
import dev.sabir.jabberft.codec.Stanzas;
import dev.sabir.jabberft.codec.XmlElement;
import dev.sabir.jabberft.codec.XmlFramer;
import dev.sabir.jabberft.component.ComponentLink;
import dev.sabir.jabberft.transfer.FileTransfers;
import dev.sabir.jabberft.transfer.IqPort;
import dev.sabir.jabberft.transfer.Transfer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One jabberft account: its own XEP-0114 component, a data port, and the proposal's file transfer
 * with every JID that advertises {@link FtQuery#NAMESPACE} in disco. Conversations are {@code
 * jabberft:<account>/<jid>}; plain chat messages to and from those JIDs are carried as well.
 *
 * <p>While its component is online, the account also offers its transfer to other plugins as a
 * {@link dev.sabir.api.DirectFileTransport} registered under {@link FileTransports#XMPP}: the XMPP
 * gateway hands files for users whose client advertises the namespace to it.
 */
public final class JabberFtSession implements Session, ComponentLink.Listener, IqPort {
    private static final Logger LOG = LoggerFactory.getLogger(JabberFtSession.class);
    private static final Duration DISCO_TTL = Duration.ofMinutes(10);

    private record Known(boolean supported, Instant until) {}

    private final AccountConfig account;
    private final JabberFtConfig config;
    private final HostContext host;
    private final EventSink sink;
    private final ComponentLink link;
    private final IqTracker tracker;
    private final FileTransfers transfers;
    private final Map<String, Known> disco = new ConcurrentHashMap<>();
    private final GatewayTransport transport;
    private final Object registrationLock = new Object();
    private FileTransports.Registration registration;
    private volatile boolean closed;

    JabberFtSession(
            AccountConfig account, JabberFtConfig config, HostContext host, EventSink sink) {
        this.account = account;
        this.config = config;
        this.host = host;
        this.sink = sink;
        this.link =
                new ComponentLink(
                        config.server(),
                        config.domain(),
                        config.secret(),
                        XmlFramer.DEFAULT_MAX_ELEMENT,
                        host.eventLoops().next(),
                        host.scheduler(),
                        this);
        this.tracker =
                new IqTracker(config.domain(), this::send, host.scheduler(), config.timeout());
        this.transfers = new FileTransfers(config, account.name(), host, sink, this);
        this.transport = new GatewayTransport(this, account.name());
    }

    @Override
    public CompletionStage<Void> connect() {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
        }
        sink.accept(new SessionState(account.address(), SessionState.State.CONNECTING, ""));
        return transfers.start().thenCompose(v -> link.start());
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        if (closed) {
            return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
        }
        if (!conversation.id().isEmpty()) {
            send(Stanzas.presence(config.domain(), conversation.id()));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<String> deliver(Delivery delivery) {
        if (closed) {
            return CompletableFuture.failedFuture(DeliveryException.offline("session closed"));
        }
        if (!link.isOnline()) {
            return CompletableFuture.failedFuture(DeliveryException.offline("component offline"));
        }
        String peer = delivery.destination().id();
        if (peer.isEmpty()) {
            return CompletableFuture.failedFuture(
                    DeliveryException.permanent("no peer JID in " + delivery.destination()));
        }
        if (delivery.event() instanceof ChatMessage m) {
            String text = delivery.text().isEmpty() ? m.text() : delivery.text();
            String id = UUID.randomUUID().toString();
            return send(Stanzas.chat(id, config.domain(), peer, text))
                    ? CompletableFuture.completedFuture(id)
                    : CompletableFuture.failedFuture(
                            DeliveryException.offline("component offline"));
        }
        if (delivery.event() instanceof FileOffer offer) {
            return supports(peer)
                    .thenCompose(
                            ok -> {
                                if (!ok) {
                                    // the router falls back (e.g. to a link) on a permanent failure
                                    return CompletableFuture.failedFuture(
                                            DeliveryException.permanent(
                                                    "peer lacks p2p file transfer"));
                                }
                                return transfers.send(peer, delivery.destination(), offer);
                            });
        }
        return CompletableFuture.completedFuture(null);
    }

    /**
     * Stops a transfer by its id (the {@code offerId} of its {@code FileProgress} events) and sends
     * {@code <abort/>} to the peer.
     *
     * @return false when no such transfer is running
     */
    public boolean abort(String transferId) {
        return transfers.abort(transferId);
    }

    /** The bound data port, or 0 when this account does not listen. */
    public int dataPort() {
        return transfers.dataPort();
    }

    /**
     * The registry's question: can this JID take files from this account? False when it lacks the
     * namespace, answers disco with an error or not at all; fails only when the component is
     * offline (or the session closed).
     */
    CompletableFuture<Boolean> acceptsFiles(String jid) {
        if (closed || !link.isOnline()) {
            return CompletableFuture.failedFuture(DeliveryException.offline("component offline"));
        }
        if (!isJid(jid)) {
            return CompletableFuture.completedFuture(false);
        }
        return supports(jid)
                .handle(
                        (ok, err) -> {
                            if (err == null) {
                                return ok;
                            }
                            if (closed || !link.isOnline()) {
                                throw DeliveryException.offline("component offline");
                            }
                            LOG.info(
                                    "jabberft {}: no disco answer from {}, taken as no",
                                    account.name(),
                                    jid);
                            return false;
                        });
    }

    /**
     * Offers a spooled file to a JID for the registry's caller (the XMPP gateway). The {@code
     * peers} setting does not apply: it limits incoming proposals only.
     */
    Transfer offerFile(String jid, FileOffer offer, String description) {
        Address conversation = GatewayTransport.conversation(account.name(), isJid(jid) ? jid : "");
        if (!isJid(jid)) {
            return transfers.refused(
                    jid, conversation, offer, DeliveryException.permanent("not a JID"));
        }
        if (closed || !link.isOnline()) {
            return transfers.refused(
                    jid, conversation, offer, DeliveryException.offline("component offline"));
        }
        return transfers.offer(jid, conversation, offer, description);
    }

    private static boolean isJid(String jid) {
        if (jid == null || jid.isEmpty() || jid.length() > 1024) {
            return false;
        }
        return jid.chars().noneMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c));
    }

    /** True when the JID advertises the namespace (asked with disco#info, cached for a while). */
    CompletableFuture<Boolean> supports(String jid) {
        Known k = disco.get(jid);
        if (k != null && k.until.isAfter(host.clock().instant())) {
            return CompletableFuture.completedFuture(k.supported);
        }
        return tracker.request("get", jid, "<query xmlns='" + Stanzas.DISCO_INFO + "'/>")
                .thenApply(reply -> discoAnswer(jid, reply));
    }

    private boolean discoAnswer(String jid, XmlElement reply) {
        if ("error".equals(reply.attr("type"))) {
            String condition =
                    reply.child("error")
                            .flatMap(e -> e.children().stream().findFirst())
                            .map(XmlElement::name)
                            .orElse("unknown");
            if (condition.startsWith("remote-server-")) {
                // the peer's server is unreachable: nothing is known about its features yet
                throw DeliveryException.offline("disco of " + jid + " failed: " + condition);
            }
            // an error is not cached: the peer may come online with the feature later
            LOG.info("jabberft {}: disco of {} answered {}", account.name(), jid, condition);
            return false;
        }
        boolean ok =
                reply.child("query", Stanzas.DISCO_INFO).stream()
                        .flatMap(q -> q.children().stream())
                        .anyMatch(
                                c ->
                                        c.name().equals("feature")
                                                && FtQuery.NAMESPACE.equals(c.attr("var")));
        disco.put(jid, new Known(ok, host.clock().instant().plus(DISCO_TTL)));
        LOG.info(
                "jabberft {}: {} {} p2p file transfer",
                account.name(),
                jid,
                ok ? "supports" : "lacks");
        return ok;
    }

    // ---------------------------------------------------------------- component events

    @Override
    public void online() {
        register();
        sink.accept(new SessionState(account.address(), SessionState.State.ONLINE, ""));
        for (String peer : config.peers()) {
            disco.remove(peer);
            supports(peer).exceptionally(e -> false);
        }
    }

    @Override
    public void offline(String reason) {
        unregister();
        if (!closed) {
            sink.accept(new SessionState(account.address(), SessionState.State.OFFLINE, reason));
        }
    }

    @Override
    public void stanza(XmlElement stanza) {
        String from = stanza.attr("from");
        if (from == null || from.isEmpty()) {
            return;
        }
        switch (stanza.name()) {
            case "iq" -> iq(stanza, from);
            case "message" -> message(stanza, from);
            default -> {
                // presence: nothing to track for a file transfer component
            }
        }
    }

    private void iq(XmlElement stanza, String from) {
        String type = stanza.attr("type");
        String id = stanza.attr("id");
        if ("result".equals(type) || "error".equals(type)) {
            tracker.answer(stanza);
            return;
        }
        if (id == null || !("get".equals(type) || "set".equals(type))) {
            return;
        }
        String self = stanza.attr("to") == null ? config.domain() : stanza.attr("to");
        Optional<XmlElement> payload = stanza.children().stream().findFirst();
        if (payload.isEmpty()) {
            send(Stanzas.error(id, self, from, "bad-request"));
            return;
        }
        XmlElement p = payload.get();
        String answer;
        if ("get".equals(type)
                && p.name().equals("query")
                && Stanzas.DISCO_INFO.equals(p.namespace())) {
            answer = Stanzas.discoInfoResult(id, self, from, "Sabir p2p file transfer");
        } else if ("get".equals(type)
                && p.name().equals("query")
                && Stanzas.DISCO_ITEMS.equals(p.namespace())) {
            answer = Stanzas.discoItemsResult(id, self, from);
        } else if ("get".equals(type)
                && p.name().equals("ping")
                && Stanzas.PING.equals(p.namespace())) {
            answer = Stanzas.result(id, self, from);
        } else if (p.name().equals("query") && FtQuery.NAMESPACE.equals(p.namespace())) {
            answer =
                    closed
                            ? Stanzas.error(id, self, from, "service-unavailable")
                            : transfers.onRequest(stanza, p);
        } else {
            answer = Stanzas.error(id, self, from, "service-unavailable");
        }
        send(answer);
    }

    private void message(XmlElement stanza, String from) {
        if ("error".equals(stanza.attr("type")) || from.equalsIgnoreCase(config.domain())) {
            return;
        }
        String body = stanza.childText("body");
        if (body == null || body.isEmpty()) {
            return;
        }
        if (body.length() > ChatMessage.MAX_TEXT) {
            body = body.substring(0, ChatMessage.MAX_TEXT);
        }
        String id = stanza.attr("id") != null ? stanza.attr("id") : UUID.randomUUID().toString();
        sink.accept(
                ChatMessage.of(
                        new Address("jabberft", account.name(), from), Sender.of(from), id, body));
    }

    // ---------------------------------------------------------------- registry

    private void register() {
        synchronized (registrationLock) {
            if (closed || registration != null) {
                return;
            }
            registration = host.fileTransports().register(FileTransports.XMPP, transport);
        }
        LOG.info("jabberft {}: offering p2p transfer to XMPP users", account.name());
    }

    private void unregister() {
        FileTransports.Registration r;
        synchronized (registrationLock) {
            r = registration;
            registration = null;
        }
        if (r != null) {
            r.close();
            LOG.info("jabberft {}: p2p transfer withdrawn", account.name());
        }
    }

    // ---------------------------------------------------------------- IqPort

    @Override
    public CompletableFuture<XmlElement> request(String type, String to, String payload) {
        return tracker.request(type, to, payload);
    }

    @Override
    public boolean send(String xml) {
        return link.send(xml);
    }

    @Override
    public String self() {
        return config.domain();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        unregister();
        transfers.close();
        tracker.close();
        link.close();
        LOG.info("jabberft {}: closed", account.name());
    }
}
