package dev.sabir.xmpp;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.Session;
import dev.sabir.testkit.servers.Prosody;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jivesoftware.smack.ConnectionConfiguration;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smack.tcp.XMPPTCPConnectionConfiguration;

/** Helpers shared by the tests that run against a real Prosody. */
final class XmppFixture {
    static final String COMPONENT = "sabir.localhost";
    static final String SECRET = "s3cret-for-tests";

    private XmppFixture() {}

    static Prosody prosody() throws Exception {
        return Prosody.builder().component(COMPONENT, SECRET).uploadSizeLimit(1024 * 1024).start();
    }

    static AccountConfig componentAccount(
            String name, Prosody p, String secret, Map<String, Object> extra) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mode", "component");
        s.put("server", p.componentAddress());
        s.put("domain", COMPONENT);
        s.put("secret", secret);
        s.put("ping_interval_seconds", 5);
        s.put("reconnect_min_ms", 100);
        s.put("reconnect_max_seconds", 1);
        s.putAll(extra);
        return new AccountConfig(name, "xmpp", true, s);
    }

    static AccountConfig clientAccount(String name, Prosody p, String user, String nick) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mode", "client");
        s.put("jid", user + "@" + Prosody.DOMAIN);
        s.put("password", "pw");
        s.put("server", "127.0.0.1:" + p.c2sPort());
        s.put("tls", "disabled");
        s.put("nick", nick);
        return new AccountConfig(name, "xmpp", true, s);
    }

    static Session open(AccountConfig a, HostContext host, EventSink sink) throws Exception {
        return new XmppConnector().open(a, host, sink);
    }

    /** A logged-in Smack user (the XMPP user's client). */
    static XMPPTCPConnection user(Prosody p, String name) throws Exception {
        return user(p, name, "test");
    }

    /** A logged-in Smack user with a chosen resource. */
    static XMPPTCPConnection user(Prosody p, String name, String resource) throws Exception {
        XMPPTCPConnection c =
                new XMPPTCPConnection(
                        XMPPTCPConnectionConfiguration.builder()
                                .setXmppAddressAndPassword(name + "@" + Prosody.DOMAIN, "pw")
                                .setHost("127.0.0.1")
                                .setPort(p.c2sPort())
                                .setSecurityMode(ConnectionConfiguration.SecurityMode.disabled)
                                .setResource(resource)
                                .setConnectTimeout(5000)
                                .build());
        c.setReplyTimeout(5000);
        c.connect().login();
        return c;
    }

    /** Downloads a link (checking for 200) and returns its bytes. */
    static byte[] fetch(String url) throws Exception {
        java.net.http.HttpResponse<byte[]> r =
                java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                                        .timeout(java.time.Duration.ofSeconds(15))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        org.assertj.core.api.Assertions.assertThat(r.statusCode()).as("GET " + url).isEqualTo(200);
        return r.body();
    }
}
