package dev.sabir.xmpp.client;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.xmpp.files.FileSettings;
import java.net.InetSocketAddress;
import java.util.Locale;
import org.jxmpp.jid.EntityBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * The keys of a client-mode account ({@code mode: client}).
 *
 * @param jid the account's JID ({@code jid})
 * @param password its password ({@code password})
 * @param server where to connect ({@code server: host:port}; default: the JID's domain, port 5222)
 * @param nick the nick in rooms ({@code nick}, default: the JID's local part)
 * @param tls {@code required} (default), {@code ifpossible} or {@code disabled} ({@code tls})
 * @param timeoutMillis reply timeout ({@code timeout_ms}, default 10000)
 * @param files file transfer keys ({@code upload_service}, {@code download_hosts}, {@code
 *     max_download_bytes}, {@code http_timeout_seconds}, {@code transfer_timeout_seconds}, {@code
 *     download_concurrency}); the upload service is looked for on the JID's domain
 */
public record ClientConfig(
        EntityBareJid jid,
        String password,
        InetSocketAddress server,
        String nick,
        String tls,
        int timeoutMillis,
        FileSettings files) {

    /** Reads and checks the account's keys. */
    public static ClientConfig from(AccountConfig a) throws InvalidConfigException {
        EntityBareJid jid;
        try {
            jid = JidCreate.entityBareFrom(a.string("jid"));
        } catch (XmppStringprepException e) {
            throw new InvalidConfigException("jid", "not a bare JID (user@domain)");
        }
        String password = a.string("password");
        InetSocketAddress server =
                a.hostPort(
                        "server",
                        InetSocketAddress.createUnresolved(jid.getDomain().toString(), 5222));
        String tls = a.string("tls", "required").toLowerCase(Locale.ROOT);
        if (!tls.equals("required") && !tls.equals("ifpossible") && !tls.equals("disabled")) {
            throw new InvalidConfigException("tls", "expected required, ifpossible or disabled");
        }
        return new ClientConfig(
                jid,
                password,
                server,
                a.string("nick", jid.getLocalpart().toString()),
                tls,
                a.integer("timeout_ms", 10_000, 100, 120_000),
                FileSettings.from(a, jid.getDomain().toString()));
    }

    @Override
    public String toString() {
        return "ClientConfig[" + jid + " via " + server + "]"; // never the password
    }
}
