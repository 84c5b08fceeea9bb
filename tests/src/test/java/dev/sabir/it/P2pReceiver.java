package dev.sabir.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.XmlEnvironment;
import org.jivesoftware.smack.provider.IQProvider;
import org.jivesoftware.smack.provider.ProviderManager;
import org.jivesoftware.smack.xml.XmlPullParser;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;

/**
 * The receiving half of Sabir's p2p file transfer ({@code urn:sabir:p2pft:0}) as an XMPP client
 * would carry it: advertises the namespace in disco, answers a send proposal with {@code
 * <listening/>} on a port of its own, reads the data connection ({@code SABIRFT/0 <sid> <offset>}
 * line, then the bytes) and confirms with {@code OK}.
 */
final class P2pReceiver implements AutoCloseable {
    static final String NS = "urn:sabir:p2pft:0";

    /** One received file. */
    record Received(String from, Map<String, String> proposal, byte[] bytes) {}

    private final ServerSocket server;
    private final LinkedBlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final Map<String, Map<String, String>> pending =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, String> senders = new java.util.concurrent.ConcurrentHashMap<>();
    private final Thread acceptor;

    P2pReceiver(XMPPConnection connection) throws IOException {
        ProviderManager.addIQProvider("query", NS, new Provider());
        ServiceDiscoveryManager.getInstanceFor(connection).addFeature(NS);
        server = new ServerSocket(0, 8, InetAddress.getLoopbackAddress());
        connection.registerIQRequestHandler(
                new AbstractIqRequestHandler(
                        "query", NS, IQ.Type.set, IQRequestHandler.Mode.async) {
                    @Override
                    public IQ handleIQRequest(IQ request) {
                        Query q = (Query) request;
                        String sid = q.fields.get("@sid");
                        pending.put(sid, q.fields);
                        senders.put(sid, request.getFrom().toString());
                        Map<String, String> answer = new LinkedHashMap<>();
                        answer.put("ip", "127.0.0.1");
                        answer.put("port", Integer.toString(server.getLocalPort()));
                        Query reply = new Query(sid, Set.of("listening"), answer);
                        reply.setType(IQ.Type.result);
                        reply.setTo(request.getFrom());
                        reply.setStanzaId(request.getStanzaId());
                        return reply;
                    }
                });
        acceptor = new Thread(this::accept, "p2p-receiver");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private void accept() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                s.setSoTimeout(15_000);
                InputStream in = s.getInputStream();
                String header = line(in);
                String[] h = header.split(" ");
                Map<String, String> p = pending.get(h[1]);
                long size = Long.parseLong(p.get("filesize"));
                ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                byte[] buf = new byte[8192];
                while (bytes.size() < size) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, size - bytes.size()));
                    if (n < 0) {
                        break;
                    }
                    bytes.write(buf, 0, n);
                }
                OutputStream out = s.getOutputStream();
                out.write("OK\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                received.add(new Received(senders.get(h[1]), p, bytes.toByteArray()));
            } catch (IOException | RuntimeException e) {
                if (!server.isClosed()) {
                    System.out.println("p2p receiver: " + e);
                }
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (b.length() > 128) {
                throw new IOException("header too long");
            }
            b.append((char) c);
        }
        return b.toString();
    }

    /** The next file received, or an AssertionError after the wait. */
    Received next(java.time.Duration wait) throws InterruptedException {
        Received r = received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no file received by p2p transfer within " + wait);
        }
        return r;
    }

    /** Proposals seen so far (sid to fields), received or not. */
    Map<String, Map<String, String>> proposals() {
        return Map.copyOf(pending);
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    /** The query element: flags are empty children, fields are text children. */
    static final class Query extends IQ {
        final Set<String> flags;
        final Map<String, String> fields;

        Query(String sid, Set<String> flags, Map<String, String> fields) {
            super("query", NS);
            this.flags = new LinkedHashSet<>(flags);
            this.fields = new LinkedHashMap<>(fields);
            this.fields.put("@sid", sid);
        }

        @Override
        protected IQChildElementXmlStringBuilder getIQChildElementBuilder(
                IQChildElementXmlStringBuilder xml) {
            xml.attribute("sid", fields.get("@sid"));
            xml.rightAngleBracket();
            for (String f : flags) {
                xml.emptyElement(f);
            }
            for (Map.Entry<String, String> e : fields.entrySet()) {
                if (!e.getKey().startsWith("@")) {
                    xml.element(e.getKey(), e.getValue());
                }
            }
            return xml;
        }
    }

    static final class Provider extends IQProvider<Query> {
        @Override
        public Query parse(XmlPullParser parser, int initialDepth, XmlEnvironment env)
                throws org.jivesoftware.smack.xml.XmlPullParserException, IOException {
            String sid = parser.getAttributeValue("", "sid");
            Set<String> flags = new LinkedHashSet<>();
            Map<String, String> fields = new LinkedHashMap<>();
            while (true) {
                XmlPullParser.Event ev = parser.next();
                if (ev == XmlPullParser.Event.START_ELEMENT) {
                    String name = parser.getName();
                    String text = parser.nextText();
                    if (text == null || text.isEmpty()) {
                        flags.add(name);
                    } else {
                        fields.put(name, text);
                    }
                } else if (ev == XmlPullParser.Event.END_ELEMENT
                        && parser.getDepth() == initialDepth) {
                    break;
                }
            }
            return new Query(sid == null ? "none" : sid, flags, fields);
        }
    }
}
