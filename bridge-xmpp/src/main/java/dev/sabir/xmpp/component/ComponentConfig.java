package dev.sabir.xmpp.component;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.xmpp.files.FileSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jxmpp.jid.BareJid;
import org.jxmpp.jid.DomainBareJid;
import org.jxmpp.jid.impl.JidCreate;
import org.jxmpp.stringprep.XmppStringprepException;

/**
 * The keys of a component-mode account ({@code mode: component}).
 *
 * @param server the XMPP server's component port ({@code server: host:port})
 * @param domain the component's domain ({@code domain})
 * @param secret the shared secret ({@code secret})
 * @param admins JIDs allowed to use the admin commands ({@code admins})
 * @param allow JIDs or domains allowed to register personal accounts ({@code allow}); default: the
 *     server's domain
 * @param historyOnJoin room messages replayed on join ({@code history_on_join}, default 20)
 * @param pingTarget where keepalive pings go ({@code ping_target}, default: the domain without its
 *     first label)
 * @param pingInterval quiet time before a keepalive ping ({@code ping_interval_seconds}, default
 *     60)
 * @param maxStanza largest stanza accepted from the server ({@code max_stanza_bytes}, default 512
 *     KiB: a vCard answer with an avatar of the largest accepted size is about 350 KiB)
 * @param backoffMin first reconnect delay ({@code reconnect_min_ms}, default 1000)
 * @param backoffMax longest reconnect delay ({@code reconnect_max_seconds}, default 60)
 * @param rooms rooms opened at start in addition to those the host joins ({@code rooms})
 * @param files file transfer settings ({@code upload_service}, {@code max_download_bytes}, {@code
 *     http_timeout_seconds}, {@code transfer_timeout_seconds}, {@code download_hosts})
 * @param directFiles whether files for gateway users go first by a direct transfer that another
 *     plugin offers for XMPP addresses (such as jabberft), when one of the user's resources can
 *     take it ({@code direct_files}, default true); off, or when no resource can, files are
 *     uploaded and sent as links
 * @param userProfiles whether the own vCards of the XMPP users the component serves (gateway users,
 *     room occupants) are fetched and passed on to the other networks as their profiles ({@code
 *     user_profiles}, default true)
 */
public record ComponentConfig(
        InetSocketAddress server,
        DomainBareJid domain,
        String secret,
        List<String> admins,
        List<String> allow,
        int historyOnJoin,
        String pingTarget,
        Duration pingInterval,
        int maxStanza,
        Duration backoffMin,
        Duration backoffMax,
        List<String> rooms,
        FileSettings files,
        boolean directFiles,
        boolean userProfiles) {

    /** Reads and checks the account's keys. */
    public static ComponentConfig from(AccountConfig a) throws InvalidConfigException {
        InetSocketAddress server = a.hostPort("server", null);
        if (server == null) {
            throw new InvalidConfigException(
                    "server", "missing required key (host:port of the server's component port)");
        }
        DomainBareJid domain;
        try {
            domain = JidCreate.domainBareFrom(a.string("domain"));
        } catch (XmppStringprepException e) {
            throw new InvalidConfigException("domain", "not a valid XMPP domain");
        }
        String secret = a.string("secret");
        if (secret.isEmpty()) {
            throw new InvalidConfigException("secret", "must not be empty");
        }
        String d = domain.toString();
        String parent = d.indexOf('.') > 0 ? d.substring(d.indexOf('.') + 1) : d;
        List<String> admins = normalise(a, "admins");
        List<String> allow = a.has("allow") ? normalise(a, "allow") : List.of(parent);
        return new ComponentConfig(
                server,
                domain,
                secret,
                admins,
                allow,
                a.integer("history_on_join", 20, 0, 1000),
                a.string("ping_target", parent),
                Duration.ofSeconds(a.integer("ping_interval_seconds", 60, 1, 3600)),
                a.integer("max_stanza_bytes", 512 * 1024, 4096, 16 * 1024 * 1024),
                Duration.ofMillis(a.integer("reconnect_min_ms", 1000, 10, 600_000)),
                Duration.ofSeconds(a.integer("reconnect_max_seconds", 60, 1, 3600)),
                a.strings("rooms"),
                FileSettings.from(a, parent),
                a.bool("direct_files", true),
                a.bool("user_profiles", true));
    }

    private static List<String> normalise(AccountConfig a, String key)
            throws InvalidConfigException {
        List<String> out = new java.util.ArrayList<>();
        for (String s : a.strings(key)) {
            try {
                out.add(JidCreate.from(s.trim()).asBareJid().toString().toLowerCase(Locale.ROOT));
            } catch (XmppStringprepException e) {
                throw new InvalidConfigException(key, "'" + s + "' is not a JID or domain");
            }
        }
        return List.copyOf(out);
    }

    /** True when the JID is listed in {@code allow}, itself or by its domain. */
    public boolean allowed(BareJid jid) {
        String bare = jid.toString().toLowerCase(Locale.ROOT);
        String dom = jid.getDomain().toString().toLowerCase(Locale.ROOT);
        return allow.contains(bare) || allow.contains(dom);
    }

    /** True when the JID is an admin. */
    public boolean admin(BareJid jid) {
        return admins.contains(jid.toString().toLowerCase(Locale.ROOT));
    }

    @Override
    public String toString() {
        return "ComponentConfig[" + server + ", domain=" + domain + "]"; // never the secret
    }
}
