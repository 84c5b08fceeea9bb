package dev.sabir.xmpp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.Sender;
import dev.sabir.api.Session;
import dev.sabir.testkit.servers.Prosody;
import dev.sabir.xmpp.component.ComponentSession;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.packet.Stanza;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.iqregister.packet.Registration;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jivesoftware.smackx.vcardtemp.VCardManager;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
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
 * XMPP users' own vCards (stored by a real Prosody) become profiles on the other networks: for room
 * occupants and for gateway users, fetched again only when the XEP-0153 hash changes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UserProfilesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String OFF = "off.localhost";
    private final AtomicLong ids = new AtomicLong();

    private Prosody prosody;
    private LocalHost host;
    private Sink sink;
    private ComponentSession session;
    private Address account;
    private Sink offSink;
    private ComponentSession off;

    @BeforeAll
    void start(@TempDir Path tmp) throws Exception {
        prosody =
                Prosody.builder()
                        .component(XmppFixture.COMPONENT, XmppFixture.SECRET)
                        .component(OFF, XmppFixture.SECRET)
                        // the default module list plus vcard-temp storage for users
                        .globalLine(
                                "modules_enabled = { \"roster\"; \"saslauth\"; \"disco\";"
                                        + " \"ping\"; \"register\"; \"presence\"; \"message\";"
                                        + " \"iq\"; \"http\"; \"vcard\" }")
                        .start();
        for (String u : List.of("alice", "bob", "carol", "dave")) {
            prosody.register(u, "pw");
        }
        host = new LocalHost(tmp);
        sink = new Sink();
        var cfg =
                XmppFixture.componentAccount(
                        "comp",
                        prosody,
                        XmppFixture.SECRET,
                        Map.of("allow", List.of("bob@localhost")));
        account = cfg.address();
        session = (ComponentSession) XmppFixture.open(cfg, host, sink);
        session.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
        offSink = new Sink();
        off =
                (ComponentSession)
                        XmppFixture.open(
                                XmppFixture.componentAccount(
                                        "off",
                                        prosody,
                                        XmppFixture.SECRET,
                                        Map.of("domain", OFF, "user_profiles", "false")),
                                host,
                                offSink);
        off.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    void stop() throws Exception {
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

    private static byte[] png(int rgb) throws Exception {
        BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < 4; x++) {
            for (int y = 0; y < 4; y++) {
                img.setRGB(x, y, rgb);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(img, "png", out);
        return out.toByteArray();
    }

    private static String sha1(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
    }

    private static void saveVCard(XMPPTCPConnection c, String nick, String desc, byte[] photo)
            throws Exception {
        VCard v = new VCard();
        v.setNickName(nick);
        v.setField("DESC", desc);
        v.setAvatar(photo, "image/png");
        VCardManager.getInstanceFor(c).saveVCard(v);
    }

    /** Presence to a JID carrying a XEP-0153 photo hash. */
    private static void presenceWithHash(XMPPTCPConnection c, Jid to, String hash)
            throws Exception {
        c.sendStanza(
                c.getStanzaFactory()
                        .buildPresenceStanza()
                        .to(to)
                        .addExtension(
                                StandardExtensionElement.builder("x", "vcard-temp:x:update")
                                        .addElement("photo", hash)
                                        .build())
                        .build());
    }

    private static MultiUserChat join(XMPPTCPConnection c, String room, String domain, String nick)
            throws Exception {
        MultiUserChat muc =
                MultiUserChatManager.getInstanceFor(c)
                        .getMultiUserChat(JidCreate.entityBareFrom(room + "@" + domain));
        muc.join(Resourcepart.from(nick));
        return muc;
    }

    private List<ProfileUpdate> profiles(Sink s, String who) {
        return s.events().stream()
                .filter(e -> e instanceof ProfileUpdate p && p.who().id().equals(who))
                .map(ProfileUpdate.class::cast)
                .toList();
    }

    @Test
    void occupantProfileIsFetchedOnJoinAndAgainOnlyWhenTheHashChanges() throws Exception {
        session.join(account.withId("lobby")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        session.join(account.withId("second")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        XMPPTCPConnection alice = XmppFixture.user(prosody, "alice");
        try {
            byte[] red = png(0xff0000);
            saveVCard(alice, "Alice A.", "likes bridges", red);
            long before = session.userProfileFetches();
            MultiUserChat lobby = join(alice, "lobby", XmppFixture.COMPONENT, "alice");

            ProfileUpdate first =
                    sink.awaitEvent(
                            ProfileUpdate.class,
                            p -> p.conversation().equals(account.withId("lobby")),
                            WAIT);
            assertThat(first.displayName()).isEqualTo("Alice A.");
            assertThat(first.text()).isEqualTo("likes bridges");
            assertThat(first.avatar()).isEqualTo(red);
            assertThat(first.avatarType()).isEqualTo("image/png");
            lobby.sendMessage("hello");
            ChatMessage said = sink.awaitMessage(m -> m.text().equals("hello"));
            assertThat(first.who()).isEqualTo(said.sender());

            // a new avatar, announced with its hash: fetched again
            byte[] blue = png(0x0000ff);
            saveVCard(alice, "Alice A.", "likes bridges", blue);
            EntityBareJid room = JidCreate.entityBareFrom("lobby@" + XmppFixture.COMPONENT);
            Jid occupant = JidCreate.fullFrom(room, Resourcepart.from("alice"));
            presenceWithHash(alice, occupant, sha1(blue));
            ProfileUpdate second =
                    sink.awaitEvent(
                            ProfileUpdate.class,
                            p ->
                                    p.conversation().equals(account.withId("lobby"))
                                            && java.util.Arrays.equals(p.avatar(), blue),
                            WAIT);
            assertThat(second.who()).isEqualTo(said.sender());
            assertThat(session.userProfileFetches() - before).isEqualTo(2);

            // the same hash again: no fetch, no profile (the marker message comes after it)
            presenceWithHash(alice, occupant, sha1(blue));
            lobby.sendMessage("marker");
            sink.awaitMessage(m -> m.text().equals("marker"));
            assertThat(session.userProfileFetches() - before).isEqualTo(2);
            assertThat(profiles(sink, "alice@localhost"))
                    .filteredOn(p -> p.conversation().equals(account.withId("lobby")))
                    .hasSize(2);

            // joining another room passes the known profile on without a fetch
            join(alice, "second", XmppFixture.COMPONENT, "al");
            ProfileUpdate again =
                    sink.awaitEvent(
                            ProfileUpdate.class,
                            p -> p.conversation().equals(account.withId("second")),
                            WAIT);
            assertThat(again.avatar()).isEqualTo(blue);
            assertThat(again.who()).isEqualTo(new Sender("alice@localhost", "al", false));
            assertThat(session.userProfileFetches() - before).isEqualTo(2);
        } finally {
            alice.disconnect();
        }
    }

    @Test
    void gatewayUserProfileGoesToTheContactsConversation() throws Exception {
        XMPPTCPConnection bob = XmppFixture.user(prosody, "bob");
        try {
            byte[] green = png(0x00ff00);
            saveVCard(bob, "Bobby", "on the gateway", green);
            Registration submit = new Registration();
            submit.setType(IQ.Type.set);
            submit.setTo(JidCreate.from(XmppFixture.COMPONENT));
            submit.addExtension(
                    DataForm.builder(DataForm.Type.submit)
                            .addField(
                                    FormField.textSingleBuilder("protocol")
                                            .setValue("loopback")
                                            .build())
                            .addField(FormField.textSingleBuilder("nick").setValue("bob").build())
                            .build());
            bob.sendIqRequestAndWaitForResponse(submit);
            Address carol = new Address("loopback", "loopback-bob", "Carol");
            session.deliver(
                            new Delivery(
                                    ids.incrementAndGet(),
                                    carol,
                                    ChatMessage.of(carol, Sender.of("Carol"), "c1", "hi bob"),
                                    carol,
                                    ""))
                    .toCompletableFuture()
                    .get(5, TimeUnit.SECONDS);
            EntityBareJid puppet =
                    JidCreate.entityBareFrom(
                            PuppetJids.localpart("Carol", "loopback-bob")
                                    + "@"
                                    + XmppFixture.COMPONENT);
            presenceWithHash(bob, puppet, sha1(green));

            ProfileUpdate p = awaitSent(ProfileUpdate.class, x -> x.conversation().equals(carol));
            assertThat(p.displayName()).isEqualTo("Bobby");
            assertThat(p.text()).isEqualTo("on the gateway");
            assertThat(p.avatar()).isEqualTo(green);

            bob.sendStanza(
                    bob.getStanzaFactory()
                            .buildMessageStanza()
                            .ofType(org.jivesoftware.smack.packet.Message.Type.chat)
                            .to(puppet)
                            .setBody("hello carol")
                            .build());
            ChatMessage said = awaitSent(ChatMessage.class, c -> c.text().equals("hello carol"));
            assertThat(p.who()).isEqualTo(said.sender());
            assertThat(host.gateway().sent)
                    .filteredOn(e -> e.getValue() instanceof ProfileUpdate)
                    .allMatch(e -> e.getKey().equals("bob@localhost"));
        } finally {
            bob.disconnect();
        }
    }

    @Test
    void userWithoutVCardGetsNoProfileAndNoError() throws Exception {
        session.join(account.withId("quiet")).toCompletableFuture().get(5, TimeUnit.SECONDS);
        XMPPTCPConnection carol = XmppFixture.user(prosody, "carol");
        List<Stanza> errors = new CopyOnWriteArrayList<>();
        carol.addAsyncStanzaListener(
                errors::add,
                s -> s.getError() != null || s instanceof IQ iq && iq.getType() == IQ.Type.error);
        try {
            long before = session.userProfileFetches();
            MultiUserChat quiet = join(carol, "quiet", XmppFixture.COMPONENT, "carol");
            await().atMost(WAIT).until(() -> session.userProfileFetches() > before);
            quiet.sendMessage("anyone?");
            sink.awaitMessage(m -> m.text().equals("anyone?"));
            await().during(Duration.ofMillis(800))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> profiles(sink, "carol@localhost").isEmpty() && errors.isEmpty());
        } finally {
            carol.disconnect();
        }
    }

    @Test
    void turnedOffFetchesNothing() throws Exception {
        off.join(new Address("xmpp", "off", "plain"))
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
        XMPPTCPConnection dave = XmppFixture.user(prosody, "dave");
        try {
            saveVCard(dave, "Dave", "no profile please", png(0x00ffff));
            MultiUserChat plain = join(dave, "plain", OFF, "dave");
            plain.sendMessage("marker");
            offSink.awaitMessage(m -> m.text().equals("marker"));
            await().during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(3))
                    .until(() -> profiles(offSink, "dave@localhost").isEmpty());
            assertThat(off.userProfileFetches()).isZero();
        } finally {
            dave.disconnect();
        }
    }

    private <T extends BridgeEvent> T awaitSent(Class<T> type, java.util.function.Predicate<T> p) {
        return await().atMost(WAIT)
                .until(
                        () ->
                                host.gateway().sent.stream()
                                        .map(Map.Entry::getValue)
                                        .filter(type::isInstance)
                                        .map(type::cast)
                                        .filter(p)
                                        .findFirst()
                                        .orElse(null),
                        e -> e != null);
    }
}
