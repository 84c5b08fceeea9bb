package dev.sabir.jabberft;

import dev.sabir.jabberft.codec.FtQuery;
import dev.sabir.testkit.servers.Prosody;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.xml.parsers.DocumentBuilderFactory;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.AbstractIqBuilder;
import org.jivesoftware.smack.packet.ErrorIQ;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.packet.UnparsedIQ;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.w3c.dom.Element;

/**
 * A test XMPP user on Smack whose client may speak the proposal's receiving side: it advertises
 * {@link FtQuery#NAMESPACE} in disco, answers a send proposal with {@code <listening/>} and a port
 * of its own (or {@code <abort/>}), and reads the data connection: the header line, the bytes, then
 * {@code OK}. In {@link Mode#STALL} it takes the connection but never reads or answers.
 */
final class FtClient implements AutoCloseable {
    enum Mode {
        /** Listen and read the file. */
        ACCEPT,
        /** Answer {@code <abort/>}. */
        DECLINE,
        /** Answer with an IQ error {@code forbidden}. */
        REFUSE,
        /** Listen, take the connection, never read or answer. */
        STALL
    }

    /** A send proposal as the client saw it. */
    record Proposal(String sid, String filename, long size, String desc) {}

    final XMPPTCPConnection connection;
    final List<Proposal> proposals = new CopyOnWriteArrayList<>();
    final List<String> aborts = new CopyOnWriteArrayList<>();
    final List<String> headers = new CopyOnWriteArrayList<>();
    final Map<String, byte[]> received = new ConcurrentHashMap<>();
    volatile Mode mode = Mode.ACCEPT;

    private final List<ServerSocket> servers = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    /**
     * Logs the user in; with {@code speaksFt} the client advertises the namespace and answers
     * proposals, otherwise it is a plain client that answers the proposal with {@code
     * service-unavailable}, as clients do for a namespace they do not know. (Smack's own automatic
     * answer to an unknown IQ echoes the request's payload malformed and gets its stream closed, so
     * the error is sent explicitly here.)
     */
    FtClient(Prosody prosody, String user, String resource, boolean speaksFt) throws Exception {
        connection =
                new XMPPTCPConnection(
                        XMPPTCPConnectionConfiguration.builder()
                                .setXmppAddressAndPassword(user + "@" + Prosody.DOMAIN, "pw")
                                .setHost("127.0.0.1")
                                .setPort(prosody.c2sPort())
                                .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled)
                                .setResource(resource)
                                .setConnectTimeout(5000)
                                .build());
        connection.setReplyTimeout(5000);
        if (speaksFt) {
            ServiceDiscoveryManager.getInstanceFor(connection).addFeature(FtQuery.NAMESPACE);
        }
        connection.registerIQRequestHandler(
                new AbstractIqRequestHandler(
                        "query", FtQuery.NAMESPACE, IQ.Type.set, IQRequestHandler.Mode.async) {
                    @Override
                    public IQ handleIQRequest(IQ request) {
                        return speaksFt
                                ? answer(request)
                                : error(request, StanzaError.Condition.service_unavailable);
                    }
                });
        connection.connect().login();
    }

    /** The full JID the server bound. */
    String jid() {
        return connection.getUser().toString();
    }

    private IQ answer(IQ request) {
        try {
            Element q = parse(((UnparsedIQ) request).getContent().toString());
            String sid = q.getAttribute("sid");
            if (has(q, "abort")) {
                aborts.add(sid);
                return IQ.createResultIQ(request);
            }
            Proposal p =
                    new Proposal(
                            sid,
                            text(q, "filename"),
                            Long.parseLong(text(q, "filesize")),
                            text(q, "desc"));
            proposals.add(p);
            if (mode == Mode.DECLINE) {
                return reply(request, sid, "<abort/>");
            }
            if (mode == Mode.REFUSE) {
                return error(request, StanzaError.Condition.forbidden);
            }
            ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            servers.add(server);
            spawn(() -> serve(server, p));
            return reply(
                    request,
                    sid,
                    "<listening/><ip>127.0.0.1</ip><port>" + server.getLocalPort() + "</port>");
        } catch (Exception e) {
            throw new IllegalStateException("test client cannot answer: " + e, e);
        }
    }

    private void serve(ServerSocket server, Proposal p) {
        try {
            Socket s = server.accept();
            sockets.add(s);
            if (mode == Mode.STALL) {
                return; // hold the connection, never read, never answer
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) >= 0 && b != '\n') {
                line.write(b);
            }
            String header = line.toString(StandardCharsets.US_ASCII);
            headers.add(header);
            long offset = Long.parseLong(header.split(" ")[2]);
            byte[] data = in.readNBytes((int) (p.size() - offset));
            received.put(p.sid(), data);
            s.getOutputStream().write("OK\n".getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            s.close();
        } catch (IOException | RuntimeException e) {
            // closed by the test or by the sender
        }
    }

    private void spawn(Runnable r) {
        Thread t = new Thread(r, "test-ft-client");
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private static IQ reply(IQ request, String sid, String inner) {
        IQ answer =
                new IQ("query", FtQuery.NAMESPACE) {
                    @Override
                    protected IQChildElementXmlStringBuilder getIQChildElementBuilder(
                            IQChildElementXmlStringBuilder xml) {
                        xml.attribute("sid", sid);
                        xml.rightAngleBracket();
                        xml.append(inner);
                        return xml;
                    }
                };
        answer.setType(IQ.Type.result);
        answer.setStanzaId(request.getStanzaId());
        answer.setTo(request.getFrom());
        return answer;
    }

    private static IQ error(IQ request, StanzaError.Condition condition) {
        // without the request's payload (Smack would echo it malformed)
        return ErrorIQ.builder(
                        StanzaError.getBuilder(condition).build(),
                        AbstractIqBuilder.createErrorResponse(request))
                .build();
    }

    private static Element parse(String xml) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder()
                .parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
    }

    private static boolean has(Element q, String name) {
        return q.getElementsByTagNameNS(FtQuery.NAMESPACE, name).getLength() > 0;
    }

    private static String text(Element q, String name) {
        var list = q.getElementsByTagNameNS(FtQuery.NAMESPACE, name);
        return list.getLength() == 0 ? null : list.item(0).getTextContent();
    }

    @Override
    public void close() throws Exception {
        connection.disconnect();
        for (ServerSocket s : servers) {
            s.close();
        }
        for (Socket s : sockets) {
            s.close();
        }
        for (Thread t : threads) {
            t.join(2000);
        }
    }
}
