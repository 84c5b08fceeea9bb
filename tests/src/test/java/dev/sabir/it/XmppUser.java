package dev.sabir.it;

import dev.sabir.testkit.servers.Prosody;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smack.xml.SmackXmlParser;
import org.jivesoftware.smack.xml.xpp3.Xpp3XmlPullParserFactory;
import org.jivesoftware.smackx.muc.MultiUserChat;
import org.jivesoftware.smackx.muc.MultiUserChatManager;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.jid.parts.Resourcepart;

/**
 * A person on XMPP: a Smack client logged in to a real Prosody, in one multi-user chat room. The
 * groupchat messages it receives are queued for the test's waits.
 */
final class XmppUser implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(15);

    final String nick;
    private final XMPPTCPConnection connection;
    private final Inbox<Message> inbox;
    private MultiUserChat muc;

    private XmppUser(XMPPTCPConnection connection, String nick) {
        this.connection = connection;
        this.nick = nick;
        this.inbox = new Inbox<>(nick, m -> fromNick(m) + ": " + m.getBody());
    }

    /** Logs in as {@code user@localhost} (already registered, password {@code pw}). */
    static XmppUser login(Prosody prosody, String user) throws Exception {
        // the parser is set explicitly, as the plugin does (see LIBRARY-NOTES)
        SmackXmlParser.setXmlPullParserFactory(new Xpp3XmlPullParserFactory());
        XMPPTCPConnection c =
                new XMPPTCPConnection(
                        XMPPTCPConnectionConfiguration.builder()
                                .setXmppAddressAndPassword(user + "@" + Prosody.DOMAIN, "pw")
                                .setHost("127.0.0.1")
                                .setPort(prosody.c2sPort())
                                .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled)
                                .setResource("it")
                                .setConnectTimeout(5000)
                                .build());
        c.setReplyTimeout(10_000);
        c.connect().login();
        return new XmppUser(c, user);
    }

    /** Joins a room under this user's nick, without history. */
    void join(String roomJid) throws Exception {
        muc =
                MultiUserChatManager.getInstanceFor(connection)
                        .getMultiUserChat(JidCreate.entityBareFrom(roomJid));
        muc.addMessageListener(inbox::add);
        muc.join(
                muc.getEnterConfigurationBuilder(Resourcepart.from(nick))
                        .requestNoHistory()
                        .build());
    }

    /** The nicks currently in the room (occupant resources). */
    /** The vCard (XEP-0054) of a JID (a MUC occupant's full JID too), as XML. */
    String vcardXml(String jid) throws Exception {
        org.jivesoftware.smackx.vcardtemp.packet.VCard request =
                new org.jivesoftware.smackx.vcardtemp.packet.VCard();
        request.setTo(org.jxmpp.jid.impl.JidCreate.from(jid));
        request.setType(org.jivesoftware.smack.packet.IQ.Type.get);
        org.jivesoftware.smack.packet.IQ answer =
                connection.createStanzaCollectorAndSend(request).nextResultOrThrow();
        return answer.toXML().toString();
    }

    List<String> occupants() {
        return muc.getOccupants().stream().map(j -> j.getResourceOrEmpty().toString()).toList();
    }

    void say(String text) throws Exception {
        muc.sendMessage(text);
    }

    /** The occupant nick a message came from. */
    static String fromNick(Message m) {
        return m.getFrom().getResourceOrEmpty().toString();
    }

    /** Waits for a room message not taken before; skipped ones stay for later waits. */
    Message await(Predicate<Message> match) {
        return inbox.await(match, WAIT);
    }

    /** Everything received within a short time that no wait has taken yet. */
    List<Message> drain(Duration quiet) {
        return inbox.drain(quiet);
    }

    @Override
    public void close() {
        connection.disconnect();
    }
}
