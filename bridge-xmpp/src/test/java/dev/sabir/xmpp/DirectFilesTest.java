package dev.sabir.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sabir.api.Address;
import dev.sabir.api.Delivery;
import dev.sabir.api.DeliveryException;
import dev.sabir.api.DirectFileTransport;
import dev.sabir.api.FileOffer;
import dev.sabir.api.FileTransports;
import dev.sabir.api.Gateway;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.element.OobElement;
import dev.sabir.xmpp.gateway.DirectFiles;
import dev.sabir.xmpp.gateway.PuppetJids;
import dev.sabir.xmpp.support.LocalHost;
import dev.sabir.xmpp.support.Sink;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.ping.packet.Ping;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.impl.JidCreate;
import org.slf4j.LoggerFactory;

/**
 * Files for gateway users go by a direct transfer that another plugin registered for XMPP addresses
 * when one of the user's resources takes it, and as links otherwise, against a real Prosody with
 * two real clients of the same user. The transport is a scripted stand-in registered in the host's
 * registry, the seam jabberft uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectFilesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String OFF = "off.localhost";
    private static final String LATE = "late.localhost";
    private static final String OWNER = "alice@localhost";
    private final AtomicLong ids = new AtomicLong();

    private Prosody prosody;
    private Path tmp;
    private LocalHost host;
    private Session session;
    private Session off;
    private XMPPTCPConnection alice;
    private XMPPTCPConnection aliceFt;
    private final BlockingQueue<Stanza> inbox = new LinkedBlockingQueue<>();
    private final Scripted transport = new Scripted("scripted");
    private final Scripted silent = new Scripted("silent");
    private final Scripted broken = new Scripted("broken");

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        tmp = dir;
        prosody =
                Prosody.builder()
                        .component(XmppFixture.COMPONENT, XmppFixture.SECRET)
                        .component(OFF, XmppFixture.SECRET)
                        .component(LATE, XmppFixture.SECRET)
                        .uploadSizeLimit(1024 * 1024)
                        .start();
        prosody.register("alice", "pw");
        host = new LocalHost(dir.resolve("main"));
        // a transport that never answers and one that fails come first: neither may stop the
        // scripted one from winning, and the wait for them is bounded by the HTTP timeout
        silent.answers = r -> null;
        broken.answers = r -> new IllegalStateException("transport offline");
        host.fileTransports().register(FileTransports.XMPP, silent);
        host.fileTransports().register(FileTransports.XMPP, broken);
        host.fileTransports().register(FileTransports.XMPP, transport);
        session = open("comp", XmppFixture.COMPONENT, host, Map.of());
        off = open("off", OFF, host, Map.of("direct_files", false, "upload_service", "none"));
        personal("lb-alice", "comp");
        personal("lb-off", "off");

        alice = XmppFixture.user(prosody, "alice", "desk");
        aliceFt = XmppFixture.user(prosody, "alice", "ft");
        for (XMPPTCPConnection c : List.of(alice, aliceFt)) {
            c.addAsyncStanzaListener(
                    inbox::add,
                    s ->
                            s.getFrom() != null
                                    && s.getFrom().getDomain().toString().endsWith(".localhost"));
            online(c, XmppFixture.COMPONENT);
        }
        online(alice, OFF);
    }

    @AfterAll
    void stop() throws Exception {
        for (XMPPTCPConnection c : new XMPPTCPConnection[] {alice, aliceFt}) {
            if (c != null) {
                c.disconnect();
            }
        }
        for (Session s : new Session[] {session, off}) {
            if (s != null) {
                s.close();
            }
        }
        if (host != null) {
            host.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    @BeforeEach
    void reset() {
        for (Scripted t : List.of(transport, silent, broken)) {
            t.asked.clear();
            t.offers.clear();
        }
        silent.answers = r -> null;
        transport.answers = r -> false;
        transport.outcome = Outcome.ACCEPT;
    }

    private Session open(String name, String domain, LocalHost h, Map<String, Object> extra)
            throws Exception {
        Map<String, Object> settings = new java.util.HashMap<>(extra);
        settings.put("domain", domain);
        settings.put("http_timeout_seconds", 1);
        Session s =
                XmppFixture.open(
                        XmppFixture.componentAccount(name, prosody, XmppFixture.SECRET, settings),
                        h,
                        new Sink());
        s.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return s;
    }

    private void personal(String account, String gatewayAccount) {
        host.gateway()
                .accounts
                .put(
                        account,
                        new Gateway.PersonalAccount(
                                account, "loopback", gatewayAccount, OWNER, "online"));
    }

    /**
     * Directed presence to a component's domain, then a ping: the answer proves the component has
     * seen the presence (the server and the component keep the order of one sender's stanzas).
     */
    private static void online(XMPPTCPConnection c, String domain) throws Exception {
        c.sendStanza(
                c.getStanzaFactory()
                        .buildPresenceStanza()
                        .ofType(Presence.Type.available)
                        .to(JidCreate.domainBareFrom(domain))
                        .build());
        c.sendIqRequestAndWaitForResponse(new Ping(JidCreate.domainBareFrom(domain)));
    }

    // ---------------------------------------------------------------- tests

    @Test
    void anAcceptingResourceGetsTheOfferAndTheNoteButNoLink() throws Exception {
        transport.answers = r -> r.endsWith("/ft");
        Address bob = contact("lb-alice", "bob-accepts");
        var f = spooled("report.txt", "0123456789");

        String id = deliverFile(session, bob, f);

        assertThat(transport.offers).hasSize(1);
        Offered o = transport.offers.get(0);
        assertThat(o.recipient()).isEqualTo(OWNER + "/ft");
        assertThat(o.offer().spoolId()).isEqualTo(f.spoolId());
        assertThat(o.offer().name()).isEqualTo("report.txt");
        assertThat(o.description()).contains("bob-accepts").contains("loopback");
        assertThat(transport.asked).contains(OWNER + "/desk", OWNER + "/ft");
        assertThat(broken.asked).isNotEmpty();

        Message note = (Message) poll(s -> s instanceof Message m && from(m, bob) && isNote(m));
        assertThat(note.getTo().toString()).isEqualTo(OWNER + "/ft");
        assertThat(note.getBody()).isEqualTo("/me sends report.txt (10 B) by direct transfer");
        assertThat(note.getStanzaId()).isEqualTo(id);

        o.finished.complete(null);
        assertNoLinkBeforeControl(bob, "report.txt");
    }

    @Test
    void whenNoResourceTakesDirectTransfersTheLinkIsSentAndNothingOffered() throws Exception {
        Address bob = contact("lb-alice", "bob-nobody");
        long started = System.nanoTime();
        deliverFile(session, bob, spooled("plain.txt", "just text"));
        // the silent transport was waited for, but no longer than the HTTP timeout allows
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(WAIT);
        assertThat(transport.asked).contains(OWNER + "/desk", OWNER + "/ft");
        assertThat(silent.asked).isNotEmpty();
        awaitLink(bob, "plain.txt");
        assertThat(transport.offers).isEmpty();
    }

    @Test
    void anOfferThatFailsFallsBackToTheLink() throws Exception {
        transport.answers = r -> true;
        transport.outcome = Outcome.FAIL;
        Address bob = contact("lb-alice", "bob-fails");
        deliverFile(session, bob, spooled("broken.txt", "bytes"));
        assertThat(transport.offers).hasSize(1);
        awaitLink(bob, "broken.txt");
    }

    @Test
    void aDeclinedOfferCompletesTheDeliveryWithoutALink() throws Exception {
        transport.answers = r -> true;
        transport.outcome = Outcome.DECLINE;
        Address bob = contact("lb-alice", "bob-declined");
        String id = deliverFile(session, bob, spooled("unwanted.txt", "no thanks"));
        assertThat(id).startsWith("sabir-");
        assertThat(transport.offers).hasSize(1);
        assertNoLinkBeforeControl(bob, "unwanted.txt");
    }

    @Test
    void aTransferFailingAfterAcceptanceIsFollowedByTheLink() throws Exception {
        transport.answers = r -> r.endsWith("/desk");
        Address bob = contact("lb-alice", "bob-later");
        deliverFile(session, bob, spooled("flaky.txt", "half of it"));
        Offered o = transport.offers.get(0);
        assertThat(o.recipient()).isEqualTo(OWNER + "/desk");
        assertNoLinkBeforeControl(bob, "flaky.txt");

        o.finished.completeExceptionally(new IOException("peer went away"));
        awaitLink(bob, "flaky.txt");
    }

    @Test
    void roomDeliveriesNeverAskTheTransports() throws Exception {
        transport.answers = r -> true;
        Address room = Address.parse("xmpp:comp/lobby");
        session.join(room).toCompletableFuture().get(5, TimeUnit.SECONDS);
        var f = spooled("minutes.txt", "for everyone");
        FileOffer fo =
                new FileOffer(
                        room,
                        Sender.of("bob"),
                        "o" + ids.incrementAndGet(),
                        f.name(),
                        f.size(),
                        f.sha256(),
                        "text/plain",
                        f.spoolId());
        String id =
                session.deliver(new Delivery(ids.incrementAndGet(), room, fo, room, ""))
                        .toCompletableFuture()
                        .get(10, TimeUnit.SECONDS);
        assertThat(id).isNotNull();
        assertThat(transport.asked).isEmpty();
        assertThat(transport.offers).isEmpty();
    }

    @Test
    void directFilesOffNeverAsksTheTransports() throws Exception {
        transport.answers = r -> true;
        Address bob = contact("lb-off", "bob-off");
        var f = spooled("offline.txt", "by link only");
        deliverFile(off, bob, f);
        Message link = awaitLink(bob, "offline.txt");
        assertThat(link.getBody()).isEqualTo(host.spool().link(f.spoolId()).toString());
        assertThat(transport.asked).isEmpty();
        assertThat(silent.asked).isEmpty();
        assertThat(transport.offers).isEmpty();
    }

    @Test
    void closingWhileAnOfferWaitsFailsTheDeliveryAndLeavesNothingRunning() throws Exception {
        LocalHost own = new LocalHost(tmp.resolve("late"));
        Session late = null;
        try {
            Scripted waiting = new Scripted("waiting");
            waiting.answers = r -> true;
            waiting.outcome = Outcome.SILENT;
            own.fileTransports().register(FileTransports.XMPP, waiting);
            late = open("late", LATE, own, Map.of("upload_service", "none"));
            own.gateway()
                    .accounts
                    .put(
                            "lb-late",
                            new Gateway.PersonalAccount(
                                    "lb-late", "loopback", "late", OWNER, "online"));
            online(alice, LATE);
            Address bob = new Address("loopback", "lb-late", "bob-late");
            var f = own.spool().put("late.txt", "bytes".getBytes(StandardCharsets.UTF_8), "x/y");
            CompletableFuture<String> pending =
                    late.deliver(new Delivery(ids.incrementAndGet(), bob, offer(bob, f), bob, ""))
                            .toCompletableFuture();
            await().atMost(WAIT).until(() -> waiting.offers.size() == 1);
            poll(s -> s instanceof Message m && from(m, bob) && isNote(m));
            assertThat(pending).isNotDone();

            ListAppender<ILoggingEvent> logs = new ListAppender<>();
            logs.start();
            Logger log = (Logger) LoggerFactory.getLogger(DirectFiles.class);
            log.addAppender(logs);
            try {
                late.close();
                assertThatThrownBy(() -> pending.get(5, TimeUnit.SECONDS))
                        .isInstanceOf(ExecutionException.class)
                        .hasCauseInstanceOf(DeliveryException.class);
                // late answers change nothing, and no timer of the offer is left
                Offered o = waiting.offers.get(0);
                o.accepted.complete(true);
                o.finished.completeExceptionally(new IOException("too late"));
                await().atMost(WAIT).until(() -> own.liveTasks() == 0);
            } finally {
                log.detachAppender(logs);
            }
            assertThat(logs.list)
                    .noneMatch(e -> e.getFormattedMessage().contains("late.localhost"));
        } finally {
            if (late != null) {
                late.close();
            }
            own.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private Address contact(String account, String id) {
        return new Address("loopback", account, id);
    }

    private dev.sabir.api.FileSpool.SpooledFile spooled(String name, String text)
            throws IOException {
        return host.spool().put(name, text.getBytes(StandardCharsets.UTF_8), "text/plain");
    }

    private FileOffer offer(Address to, dev.sabir.api.FileSpool.SpooledFile f) {
        return new FileOffer(
                to,
                Sender.of(to.id()),
                "o" + ids.incrementAndGet(),
                f.name(),
                f.size(),
                f.sha256(),
                f.mediaType(),
                f.spoolId());
    }

    private String deliverFile(Session s, Address to, dev.sabir.api.FileSpool.SpooledFile f)
            throws Exception {
        return s.deliver(new Delivery(ids.incrementAndGet(), to, offer(to, f), to, ""))
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    private static boolean from(Message m, Address contact) {
        String local =
                m.getFrom().getLocalpartOrNull() == null
                        ? ""
                        : m.getFrom().getLocalpartOrNull().toString();
        return local.equalsIgnoreCase(PuppetJids.localpart(contact.id(), contact.account()));
    }

    private static boolean isNote(Message m) {
        return m.getBody() != null && m.getBody().endsWith("by direct transfer");
    }

    private Message awaitLink(Address contact, String name) throws InterruptedException {
        Message m =
                (Message) poll(s -> s instanceof Message x && from(x, contact) && isLink(x, name));
        assertThat(m.getExtension(OobElement.class).desc()).isEqualTo(name);
        assertThat(m.getExtension(OobElement.class).url()).isEqualTo(m.getBody());
        return m;
    }

    /**
     * Sends a control file from the same contact by the link way (no transport takes it now) and
     * asserts that no link for the file under test came before the control's link: a wrong link
     * would have started its upload earlier on the same path, and stanzas from the component to a
     * resource keep their order.
     */
    private void assertNoLinkBeforeControl(Address contact, String name) throws Exception {
        transport.answers = r -> false;
        silent.answers = r -> false;
        String control = "control-" + ids.incrementAndGet() + ".txt";
        deliverFile(session(contact), contact, spooled(control, "control"));
        List<Stanza> before = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Stanza s = inbox.poll(100, TimeUnit.MILLISECONDS);
            if (s == null) {
                continue;
            }
            if (s instanceof Message m && from(m, contact) && isLink(m, control)) {
                assertThat(before).noneMatch(x -> x instanceof Message y && isLink(y, name));
                return;
            }
            before.add(s);
        }
        throw new AssertionError("control link did not arrive");
    }

    private static boolean isLink(Message m, String name) {
        OobElement oob = m.getExtension(OobElement.class);
        return oob != null && name.equals(oob.desc());
    }

    private Session session(Address contact) {
        return contact.account().equals("lb-off") ? off : session;
    }

    private Stanza poll(Predicate<Stanza> p) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Stanza s = inbox.poll(100, TimeUnit.MILLISECONDS);
            if (s != null && p.test(s)) {
                return s;
            }
        }
        throw new AssertionError("no matching stanza");
    }

    // ---------------------------------------------------------------- the scripted transport

    /** What the scripted transport does with offers. */
    enum Outcome {
        /** The user accepts; the test finishes or fails the transfer. */
        ACCEPT,
        /** The user declines. */
        DECLINE,
        /** The offer cannot be made. */
        FAIL,
        /** No answer (until the test gives one). */
        SILENT
    }

    /** One offer the scripted transport was asked to make. */
    record Offered(
            String recipient,
            FileOffer offer,
            String description,
            CompletableFuture<Boolean> accepted,
            CompletableFuture<Void> finished)
            implements DirectFileTransport.Transfer {
        @Override
        public String id() {
            return "t-" + offer.offerId();
        }
    }

    /**
     * A transport whose answers the test scripts: {@code answers} maps a recipient to true, false,
     * null (never answers) or an exception (fails).
     */
    static final class Scripted implements DirectFileTransport {
        private final String name;
        final List<String> asked = new CopyOnWriteArrayList<>();
        final List<Offered> offers = new CopyOnWriteArrayList<>();
        volatile java.util.function.Function<String, Object> answers = r -> false;
        volatile Outcome outcome = Outcome.ACCEPT;

        Scripted(String name) {
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public CompletionStage<Boolean> accepts(String recipient) {
            asked.add(recipient);
            Object a = answers.apply(recipient);
            if (a == null) {
                return new CompletableFuture<>();
            }
            if (a instanceof Throwable t) {
                return CompletableFuture.failedFuture(t);
            }
            return CompletableFuture.completedFuture((Boolean) a);
        }

        @Override
        public Transfer offer(String recipient, FileOffer offer, String description) {
            Offered o =
                    new Offered(
                            recipient,
                            offer,
                            description,
                            new CompletableFuture<>(),
                            new CompletableFuture<>());
            offers.add(o);
            switch (outcome) {
                case ACCEPT -> o.accepted.complete(true);
                case DECLINE -> {
                    o.accepted.complete(false);
                    o.finished.completeExceptionally(new IOException("declined"));
                }
                case FAIL -> {
                    o.accepted.completeExceptionally(new IOException("no answer from client"));
                    o.finished.completeExceptionally(new IOException("no answer from client"));
                }
                case SILENT -> {
                    // the test answers
                }
            }
            return o;
        }
    }
}
