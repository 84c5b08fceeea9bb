package dev.sabir.it;

import dev.sabir.testkit.servers.Prosody;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
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
    private final LinkedBlockingQueue<Message> incoming = new LinkedBlockingQueue<>();
    private final List<Message> seen = new ArrayList<>();
    private MultiUserChat muc;

    private XmppUser(XMPPTCPConnection connection, String nick) {
        this.connection = connection;
        this.nick = nick;
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
        muc.addMessageListener(incoming::add);
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
        synchronized (seen) {
            for (int i = 0; i < seen.size(); i++) {
                if (match.test(seen.get(i))) {
                    return seen.remove(i);
                }
            }
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Message m;
            try {
                m = incoming.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
            synchronized (seen) {
                if (m == null) {
                    throw new AssertionError(
                            nick
                                    + ": nothing matching within "
                                    + WAIT
                                    + "; saw "
                                    + seen.stream()
                                            .map(x -> fromNick(x) + ": " + x.getBody())
                                            .toList());
                }
                if (match.test(m)) {
                    return m;
                }
                seen.add(m);
            }
        }
    }

    /** Everything received within a short time that no wait has taken yet. */
    List<Message> drain(Duration quiet) {
        long deadline = System.nanoTime() + quiet.toNanos();
        try {
            Message m;
            while ((m =
                            incoming.poll(
                                    Math.max(0, deadline - System.nanoTime()),
                                    TimeUnit.NANOSECONDS))
                    != null) {
                synchronized (seen) {
                    seen.add(m);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (seen) {
            return List.copyOf(seen);
        }
    }

    @Override
    public void close() {
        connection.disconnect();
    }
}
