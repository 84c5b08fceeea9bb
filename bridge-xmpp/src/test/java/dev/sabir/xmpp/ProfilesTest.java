package dev.sabir.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.Delivery;
import dev.sabir.api.Gateway;
import dev.sabir.api.PresenceUpdate;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.gateway.PuppetJids;
import dev.sabir.xmpp.support.LocalHost;
import dev.sabir.xmpp.support.Sink;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import javax.imageio.ImageIO;
import org.jivesoftware.smack.XMPPException;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * Profiles from other networks as vcard-temp (XEP-0054) and XEP-0153 avatar hashes, against a real
 * Prosody, for gateway contacts and bridged MUC occupants.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProfilesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String ACCOUNT = "loopback-alice";
    private final AtomicLong ids = new AtomicLong();
    private Prosody prosody;
    private LocalHost host;
    private Session session;
    private Address component;
    private XMPPTCPConnection alice;
    private final BlockingQueue<Stanza> inbox = new LinkedBlockingQueue<>();

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody = XmppFixture.prosody();
        prosody.register("alice", "pw");
        host = new LocalHost(tmp);
        host.gateway()
                .accounts
                .put(
                        ACCOUNT,
                        new Gateway.PersonalAccount(
                                ACCOUNT, "loopback", "comp", "alice@localhost", "online"));
        var cfg =
                XmppFixture.componentAccount(
                        "comp",
                        prosody,
                        XmppFixture.SECRET,
                        Map.of("allow", List.of("alice@localhost")));
        component = cfg.address();
        session = XmppFixture.open(cfg, host, new Sink());
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        session.join(component.withId("lounge")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        alice = XmppFixture.user(prosody, "alice");
        alice.addAsyncStanzaListener(
                inbox::add,
                s ->
                        s.getFrom() != null
                                && s.getFrom()
                                        .getDomain()
                                        .toString()
                                        .equals(XmppFixture.COMPONENT));
    }

    @AfterAll
    void stop() throws Exception {
        if (alice != null) {
            alice.disconnect();
        }
        if (session != null) {
            session.close();
        }
        if (host != null) {
            host.close();
        }
        if (prosody != null) {
            prosody.close();
        }
    }

    @Test
    void aContactsProfileBecomesItsVCardAndAvatarHash() throws Exception {
        Address bob = new Address("loopback", ACCOUNT, "Bob");
        EntityBareJid puppet = puppet("Bob");
        alice.sendStanza(
                alice.getStanzaFactory()
                        .buildPresenceStanza()
                        .ofType(Presence.Type.subscribe)
                        .to(puppet)
                        .build());
        poll(
                s ->
                        s instanceof Presence p
                                && p.getType() == Presence.Type.subscribed
                                && p.getFrom().asBareJid().equals(puppet));
        deliver(
                bob,
                new PresenceUpdate(bob, Sender.of("Bob"), PresenceUpdate.Status.AVAILABLE, ""));

        byte[] png = png(0xff3366cc);
        deliver(
                bob,
                new ProfileUpdate(
                        bob, Sender.of("Bob"), "Bob Builder", "can we fix it", png, "image/png"));

        Presence p =
                (Presence)
                        poll(
                                s ->
                                        s instanceof Presence x
                                                && x.getFrom().asBareJid().equals(puppet)
                                                && photo(x) != null
                                                && !photo(x).isEmpty());
        assertThat(p.getType()).isEqualTo(Presence.Type.available);
        assertThat(photo(p)).isEqualTo(sha1(png));

        VCard v = VCardManager.getInstanceFor(alice).loadVCard(puppet);
        assertThat(v.getField("FN")).isEqualTo("Bob Builder");
        assertThat(v.getField("DESC")).isEqualTo("can we fix it");
        assertThat(v.getAvatar()).isEqualTo(png);
        assertThat(v.getAvatarMimeType()).isEqualTo("image/png");

        // a contact without a profile has an empty vCard; an unknown account is item-not-found
        VCard empty = VCardManager.getInstanceFor(alice).loadVCard(puppet("Nobody"));
        assertThat(empty.getField("FN")).isNull();
        assertThat(empty.getAvatar()).isNull();
        assertThatThrownBy(
                        () ->
                                VCardManager.getInstanceFor(alice)
                                        .loadVCard(
                                                JidCreate.entityBareFrom(
                                                        PuppetJids.localpart("Bob", "nosuch-acct")
                                                                + "@"
                                                                + XmppFixture.COMPONENT)))
                .isInstanceOfSatisfying(
                        XMPPException.XMPPErrorException.class,
                        e ->
                                assertThat(e.getStanzaError().getCondition())
                                        .isEqualTo(StanzaError.Condition.item_not_found));

        // the avatar survives a restart of the session (kept in the host's store)
        session.close();
        session = XmppFixture.open(session(), host, new Sink());
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        session.join(component.withId("lounge")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        VCard again = VCardManager.getInstanceFor(alice).loadVCard(puppet);
        assertThat(again.getAvatar()).isEqualTo(png);
        assertThat(again.getField("FN")).isEqualTo("Bob Builder");
    }

    @Test
    void aBridgedOccupantShowsItsProfileInTheRoom() throws Exception {
        EntityBareJid roomJid = JidCreate.entityBareFrom("lounge@" + XmppFixture.COMPONENT);
        Address room = component.withId("lounge");
        Address source = new Address("torchat", "main", "tomtomtomtomtomt");
        MultiUserChat muc = MultiUserChatManager.getInstanceFor(alice).getMultiUserChat(roomJid);
        muc.join(Resourcepart.from("alice"));
        try {
            Sender tom = Sender.of("tomtomtomtomtomt", "Tom");
            deliver(
                    room,
                    new PresenceUpdate(room, tom, PresenceUpdate.Status.AVAILABLE, ""),
                    source);
            Jid occupant = JidCreate.entityFullFrom(roomJid, Resourcepart.from("Tom (torchat)"));
            poll(s -> s instanceof Presence x && x.getFrom().equals(occupant));

            byte[] png = png(0x80ff0000);
            deliver(
                    room,
                    new ProfileUpdate(room, tom, "Tom T.", "on tor", png, "image/png"),
                    source);
            Presence p =
                    (Presence)
                            poll(
                                    s ->
                                            s instanceof Presence x
                                                    && x.getFrom().equals(occupant)
                                                    && photo(x) != null);
            assertThat(photo(p)).isEqualTo(sha1(png));

            VCard v = vcardOf(occupant);
            assertThat(v.getField("FN")).isEqualTo("Tom T.");
            assertThat(v.getField("DESC")).isEqualTo("on tor");
            assertThat(v.getAvatar()).isEqualTo(png);

            // the XMPP user's own occupant has no profile here; a missing occupant is an error
            assertThat(
                            vcardOf(JidCreate.entityFullFrom(roomJid, Resourcepart.from("alice")))
                                    .getAvatar())
                    .isNull();
            assertThatThrownBy(
                            () ->
                                    vcardOf(
                                            JidCreate.entityFullFrom(
                                                    roomJid, Resourcepart.from("ghost"))))
                    .isInstanceOfSatisfying(
                            XMPPException.XMPPErrorException.class,
                            e ->
                                    assertThat(e.getStanzaError().getCondition())
                                            .isEqualTo(StanzaError.Condition.item_not_found));
        } finally {
            muc.leave();
        }
    }

    private dev.sabir.api.AccountConfig session() {
        return XmppFixture.componentAccount(
                "comp", prosody, XmppFixture.SECRET, Map.of("allow", List.of("alice@localhost")));
    }

    private VCard vcardOf(Jid jid) throws Exception {
        VCard req = new VCard();
        req.setType(IQ.Type.get);
        req.setTo(jid);
        return (VCard) alice.sendIqRequestAndWaitForResponse(req);
    }

    private static EntityBareJid puppet(String contact) throws Exception {
        return JidCreate.entityBareFrom(
                PuppetJids.localpart(contact, ACCOUNT) + "@" + XmppFixture.COMPONENT);
    }

    private static String photo(Presence p) {
        if (!(p.getExtensionElement("x", "vcard-temp:x:update")
                instanceof StandardExtensionElement x)) {
            return null;
        }
        StandardExtensionElement photo = x.getFirstElement("photo");
        return photo == null ? null : photo.getText() == null ? "" : photo.getText();
    }

    private static byte[] png(int argb) throws Exception {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_ARGB);
        for (int y = 0; y < 64; y++) {
            for (int x = 0; x < 64; x++) {
                img.setRGB(x, y, x < 32 ? argb : 0xffffffff);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static String sha1(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
    }

    private void deliver(Address dest, BridgeEvent ev) throws Exception {
        deliver(dest, ev, dest);
    }

    private void deliver(Address dest, BridgeEvent ev, Address source) throws Exception {
        session.deliver(new Delivery(ids.incrementAndGet(), dest, ev, source, ""))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
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
}
