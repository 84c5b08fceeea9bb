package dev.sabir.xmpp.client;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.EventSink;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileSpool;
import dev.sabir.api.HostContext;
import dev.sabir.api.RoomUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.api.SessionState;
import dev.sabir.xmpp.element.OobElement;
import dev.sabir.xmpp.element.ReplyElement;
import dev.sabir.xmpp.element.RetractElement;
import dev.sabir.xmpp.files.HttpTransfers;
import dev.sabir.xmpp.files.IncomingFiles;
import dev.sabir.xmpp.files.UploadClient;
import dev.sabir.xmpp.muc.MucService;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.ConnectionListener;
import org.jivesoftware.smack.ReconnectionManager;
import org.jivesoftware.smack.SmackFuture;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.MessageBuilder;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.message_correct.element.MessageCorrectExtension;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.EntityFullJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;
import org.jxmpp.stringprep.XmppStringprepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client-mode XMPP account on Smack: a relay identity in existing MUC rooms. The conversation
 * {@code xmpp:<account>/<room@conference.host>} is the room; messages from other occupants are
 * reported, the session's own reflections are dropped, deliveries are sent with the link's nick
 * template.
 *
 * <p>Smack's calls block, so connecting and joining run on the host's scheduler, never on an event
 * loop.
 *
 * <p>Files: an offer delivered into a room is uploaded to the account's server's XEP-0363 service
 * (slot requested over the account's own connection, bytes PUT by {@link HttpTransfers}) and sent
 * with its URL as the body and an XEP-0066 OOB element; without a service, or when the upload
 * fails, the host's spool link goes out instead. A room message from another occupant carrying an
 * OOB URL, or whose body is a single http(s) link, to an allowed host is downloaded into the spool
 * and reported as a {@link FileOffer} (the text is reported as well).
 */
public final class ClientSession implements Session {
    private static final Logger LOG = LoggerFactory.getLogger(ClientSession.class);

    private final AccountConfig account;
    private final ClientConfig config;
    private final HostContext host;
    private final EventSink sink;
    private final Address self;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Map<EntityBareJid, MultiUserChat> rooms = new ConcurrentHashMap<>();
    private final HttpTransfers http;
    private final UploadClient uploads;
    private final IncomingFiles incoming;
    private final Set<SmackFuture<IQ, Exception>> pendingIqs = ConcurrentHashMap.newKeySet();
    private final Set<CompletableFuture<String>> pendingFiles = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean noServiceLogged = new AtomicBoolean();
    private volatile XMPPTCPConnection connection;

    /** A body that is nothing but one http(s) link. */
    private static final Pattern LONE_LINK = Pattern.compile("https?://\\S+");

    /**
     * @param account the account
     * @param config its checked keys
     * @param host host services
     * @param sink where events go
     */
    public ClientSession(
            AccountConfig account, ClientConfig config, HostContext host, EventSink sink) {
        this.account = account;
        this.config = config;
        this.host = host;
        this.sink = sink;
        this.self = account.address();
        this.http =
                new HttpTransfers(
                        config.files().httpTimeout(),
                        config.files().transferTimeout(),
                        host.scheduler(),
                        "sabir-xmpp-" + account.name() + "-http");
        this.uploads =
                UploadClient.forClient(
                        "xmpp client " + config.jid(),
                        config.files(),
                        this::request,
                        http,
                        host.clock());
        this.incoming =
                new IncomingFiles(account.name(), config.files(), http, host.spool(), uploads);
    }

    @Override
    public CompletionStage<Void> connect() {
        if (closed.get()) {
            return CompletableFuture.failedFuture(new IllegalStateException("session closed"));
        }
        sink.accept(
                new SessionState(
                        self, SessionState.State.CONNECTING, "connecting to " + config.server()));
        return blocking(
                () -> {
                    XMPPTCPConnectionConfiguration cfg =
                            XMPPTCPConnectionConfiguration.builder()
                                    .setXmppAddressAndPassword(config.jid(), config.password())
                                    .setHost(config.server().getHostString())
                                    .setPort(config.server().getPort())
                                    .setResource(
                                            "sabir-" + UUID.randomUUID().toString().substring(0, 8))
                                    .setSecurityMode(
                                            switch (config.tls()) {
                                                case "disabled" ->
                                                        ConnectionConfiguration.SecurityMode
                                                                .disabled;
                                                case "ifpossible" ->
                                                        ConnectionConfiguration.SecurityMode
                                                                .ifpossible;
                                                default ->
                                                        ConnectionConfiguration.SecurityMode
                                                                .required;
                                            })
                                    .setConnectTimeout(config.timeoutMillis())
                                    .build();
                    XMPPTCPConnection c = new XMPPTCPConnection(cfg);
                    c.setReplyTimeout(config.timeoutMillis());
                    c.addConnectionListener(
                            new ConnectionListener() {
                                @Override
                                public void authenticated(XMPPConnection conn, boolean resumed) {
                                    sink.accept(
                                            new SessionState(self, SessionState.State.ONLINE, ""));
                                    if (!resumed && !config.files().uploadsOff()) {
                                        // (re)discover the upload service: its host is trusted
                                        // for downloads, and the first file need not wait
                                        uploads.reset();
                                        uploads.service();
                                    }
                                }

                                @Override
                                public void connectionClosedOnError(Exception e) {
                                    if (!closed.get()) {
                                        sink.accept(
                                                new SessionState(
                                                        self,
                                                        SessionState.State.CONNECTING,
                                                        e.getMessage()));
                                    }
                                }
                            });
                    ReconnectionManager.getInstanceFor(c).enableAutomaticReconnection();
                    MultiUserChatManager.getInstanceFor(c).setAutoJoinOnReconnect(true);
                    connection = c;
                    if (closed.get()) {
                        return null;
                    }
                    c.connect().login();
                    LOG.info("xmpp client {} online", config.jid());
                    return null;
                });
    }

    @Override
    public CompletionStage<Void> join(Address conversation) {
        if (!conversation.sameAccount(self)) {
            return CompletableFuture.failedFuture(
                    new IllegalArgumentException(conversation + " is not on " + self));
        }
        return blocking(
                () -> {
                    XMPPTCPConnection c = requireConnection();
                    EntityBareJid roomJid = JidCreate.entityBareFrom(conversation.id());
                    if (rooms.containsKey(roomJid)) {
                        return null;
                    }
                    MultiUserChat muc =
                            MultiUserChatManager.getInstanceFor(c).getMultiUserChat(roomJid);
                    Resourcepart nick = Resourcepart.from(config.nick());
                    muc.addMessageListener(m -> onRoomMessage(conversation, muc, m));
                    muc.addSubjectUpdatedListener(
                            (subject, from) -> {
                                if (from != null && !nick.equals(from.getResourceOrNull())) {
                                    sink.accept(
                                            RoomUpdate.topic(
                                                    conversation, occupant(from), subject));
                                }
                            });
                    muc.addParticipantListener(p -> onParticipant(conversation, muc, p));
                    MultiUserChat.MucCreateConfigFormHandle created =
                            muc.createOrJoin(
                                    muc.getEnterConfigurationBuilder(nick)
                                            .requestNoHistory()
                                            .timeoutAfter(config.timeoutMillis())
                                            .build());
                    if (created != null) {
                        created.makeInstant();
                    }
                    rooms.put(roomJid, muc);
                    LOG.info("xmpp client {} joined {}", config.jid(), roomJid);
                    return null;
                });
    }

    private void onRoomMessage(Address conversation, MultiUserChat muc, Message m) {
        Jid from = m.getFrom();
        if (from == null || m.getBody() == null || !(from instanceof EntityFullJid full)) {
            return;
        }
        if (muc.getNickname() != null && muc.getNickname().equals(full.getResourcepart())) {
            return; // our own message reflected by the room
        }
        String id = m.getStanzaId() != null ? m.getStanzaId() : "sabir-" + UUID.randomUUID();
        Sender sender = occupant(full);
        sink.accept(
                MucService.toChatMessage(conversation, sender, id, m.getBody(), m, host.clock()));
        if (carriesFile(m)) {
            incoming.scan(
                    m,
                    conversation,
                    sender,
                    id,
                    fo -> {
                        if (!closed.get()) {
                            sink.accept(fo);
                        }
                    });
        }
    }

    /** An OOB link, or a body that is just one link: worth looking at for a file. */
    private static boolean carriesFile(Message m) {
        OobElement oob = m.getExtension(OobElement.class);
        if (oob != null && !oob.url().isBlank()) {
            return true;
        }
        return LONE_LINK.matcher(m.getBody().strip()).matches();
    }

    private void onParticipant(Address conversation, MultiUserChat muc, Presence p) {
        if (!(p.getFrom() instanceof EntityFullJid full)
                || full.getResourcepart().equals(muc.getNickname())) {
            return;
        }
        if (p.getType() == Presence.Type.available) {
            sink.accept(RoomUpdate.joined(conversation, occupant(full)));
        } else if (p.getType() == Presence.Type.unavailable) {
            sink.accept(RoomUpdate.left(conversation, occupant(full), p.getStatus()));
        }
    }

    private static Sender occupant(Jid from) {
        Resourcepart r = from.getResourceOrNull();
        String nick = r == null ? from.toString() : r.toString();
        return Sender.of(from.toString(), nick);
    }

    @Override
    public CompletionStage<String> deliver(Delivery d) {
        if (closed.get()) {
            return CompletableFuture.failedFuture(DeliveryException.permanent("session closed"));
        }
        XMPPTCPConnection c = connection;
        if (c == null || !c.isAuthenticated()) {
            return CompletableFuture.failedFuture(DeliveryException.offline("not connected"));
        }
        EntityBareJid roomJid;
        try {
            roomJid = JidCreate.entityBareFrom(d.destination().id());
        } catch (XmppStringprepException e) {
            return CompletableFuture.failedFuture(
                    DeliveryException.permanent("not a room JID: " + d.destination().id()));
        }
        MultiUserChat muc = rooms.get(roomJid);
        if (muc == null || !muc.isJoined()) {
            return CompletableFuture.failedFuture(
                    DeliveryException.offline("not in room " + roomJid));
        }
        String text =
                d.text().isEmpty() && d.event() instanceof ChatMessage cm ? cm.text() : d.text();
        MessageBuilder mb = muc.buildMessage();
        String id = "sabir-" + UUID.randomUUID();
        if (d.event() instanceof ChatMessage cm) {
            if (cm.editOf() != null) {
                mb.addExtension(new MessageCorrectExtension(cm.editOf()));
            }
            if (cm.retractOf() != null) {
                mb.addExtension(new RetractElement(cm.retractOf()));
            }
            if (cm.replyTo() != null) {
                mb.addExtension(new ReplyElement(null, cm.replyTo()));
            }
        } else if (d.event() instanceof FileOffer fo && fo.spoolId() != null) {
            return deliverFile(muc, fo, text);
        } else if (text.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        try {
            Message m = mb.setBody(text).build();
            m.setStanzaId(id);
            muc.sendMessage(m);
            return CompletableFuture.completedFuture(id);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(
                    DeliveryException.offline("send failed: " + e.getMessage()));
        }
    }

    /**
     * Uploads a spooled file (or falls back to the spool link) and sends it to the room: the
     * delivery's text first when there is one, then the link alone as the body with an OOB element
     * (so clients show the file inline).
     */
    private CompletableFuture<String> deliverFile(MultiUserChat muc, FileOffer fo, String text) {
        Optional<FileSpool.SpooledFile> file = host.spool().find(fo.spoolId());
        if (file.isEmpty()) {
            return CompletableFuture.failedFuture(
                    DeliveryException.permanent("file " + fo.spoolId() + " is not in the spool"));
        }
        CompletableFuture<String> result =
                uploads.upload(file.get())
                        .handle((url, err) -> linkFor(fo, file.get(), url, err))
                        .thenApply(link -> sendFile(muc, fo, text, link));
        pendingFiles.add(result);
        result.whenComplete((id, err) -> pendingFiles.remove(result));
        if (closed.get()) {
            result.completeExceptionally(DeliveryException.offline("session closed"));
        }
        return result;
    }

    private String linkFor(FileOffer fo, FileSpool.SpooledFile file, Object url, Throwable err) {
        if (err == null) {
            LOG.info(
                    "xmpp client {}: uploaded {} ({} bytes) for {}",
                    config.jid(),
                    file.name(),
                    file.size(),
                    fo.offerId());
            return url.toString();
        }
        if (closed.get()) {
            throw DeliveryException.offline("session closed");
        }
        Throwable cause =
                err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
        boolean noService = "no upload service".equals(cause.getMessage());
        if (!noService || noServiceLogged.compareAndSet(false, true)) {
            LOG.info(
                    "xmpp client {}: {} goes out as a spool link: {}",
                    config.jid(),
                    file.name(),
                    cause.getMessage());
        }
        return host.spool().link(fo.spoolId()).toString();
    }

    private String sendFile(MultiUserChat muc, FileOffer fo, String text, String link) {
        if (closed.get()) {
            throw DeliveryException.offline("session closed");
        }
        if (!muc.isJoined()) {
            throw DeliveryException.offline("not in room " + muc.getRoom());
        }
        String id = "sabir-" + UUID.randomUUID();
        try {
            if (!text.isBlank() && !text.contains(link)) {
                Message intro = muc.buildMessage().setBody(text).build();
                intro.setStanzaId(id + "-text");
                muc.sendMessage(intro);
            }
            Message m =
                    muc.buildMessage()
                            .setBody(link)
                            .addExtension(new OobElement(link, fo.name()))
                            .build();
            m.setStanzaId(id);
            muc.sendMessage(m);
            return id;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DeliveryException.offline("interrupted");
        } catch (Exception e) {
            throw DeliveryException.offline("send failed: " + e.getMessage());
        }
    }

    /**
     * Sends an IQ over the account's connection without blocking; completes with the result, fails
     * on an error reply or after the reply timeout.
     */
    private CompletableFuture<IQ> request(IQ iq) {
        XMPPTCPConnection c = connection;
        if (closed.get() || c == null || !c.isAuthenticated()) {
            return CompletableFuture.failedFuture(DeliveryException.offline("not connected"));
        }
        iq.setStanzaId("sabir-iq-" + UUID.randomUUID());
        CompletableFuture<IQ> answer = new CompletableFuture<>();
        SmackFuture<IQ, Exception> f = c.sendIqRequestAsync(iq, config.timeoutMillis());
        pendingIqs.add(f);
        f.onCompletion(
                done -> {
                    pendingIqs.remove(done);
                    try {
                        answer.complete(done.getOrThrow());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        answer.completeExceptionally(e);
                    } catch (Exception e) {
                        answer.completeExceptionally(e);
                    }
                });
        if (closed.get()) {
            f.cancel(false);
            answer.completeExceptionally(DeliveryException.offline("session closed"));
        }
        return answer;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (SmackFuture<IQ, Exception> f : pendingIqs) {
            f.cancel(false);
        }
        pendingIqs.clear();
        http.close();
        for (CompletableFuture<String> f : pendingFiles) {
            f.completeExceptionally(DeliveryException.offline("session closed"));
        }
        pendingFiles.clear();
        XMPPTCPConnection c = connection;
        if (c != null) {
            ReconnectionManager.getInstanceFor(c).disableAutomaticReconnection();
            c.disconnect();
        }
        rooms.clear();
        sink.accept(new SessionState(self, SessionState.State.OFFLINE, "closed"));
        LOG.info("xmpp client {} closed", config.jid());
    }

    private XMPPTCPConnection requireConnection() {
        XMPPTCPConnection c = connection;
        if (c == null || !c.isAuthenticated()) {
            throw DeliveryException.offline("not connected");
        }
        return c;
    }

    private interface Blocking<T> {
        T run() throws Exception;
    }

    private <T> CompletableFuture<T> blocking(Blocking<T> task) {
        CompletableFuture<T> f = new CompletableFuture<>();
        try {
            host.scheduler()
                    .execute(
                            () -> {
                                try {
                                    f.complete(task.run());
                                } catch (Throwable t) {
                                    f.completeExceptionally(t);
                                }
                            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(e);
        }
        return f;
    }
}
