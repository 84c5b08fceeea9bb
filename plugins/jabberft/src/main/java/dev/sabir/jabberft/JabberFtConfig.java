package dev.sabir.jabberft;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * One jabberft account: its own XEP-0114 component and its data port.
 *
 * @param server the XMPP server's component port ({@code server: host:port})
 * @param domain the component's domain ({@code domain})
 * @param secret the component secret ({@code secret})
 * @param listen where to accept data connections, or null when this side cannot listen ({@code
 *     listen: host:port}; port 0 picks a free one)
 * @param advertiseIp the address put into {@code <ip/>} ({@code advertise_ip}; defaults to the
 *     listen host)
 * @param advertisePort the port put into {@code <port/>} ({@code advertise_port}; defaults to the
 *     bound port — set it behind a port forward)
 * @param timeout how long a listening side waits for the connection, and an IQ for its answer
 *     ({@code timeout_seconds}, default 30)
 * @param peers JIDs (other Sabir gateways' component domains) whose proposals are accepted; empty
 *     accepts proposals from anyone ({@code peers})
 * @param maxFileSize the largest file accepted, in bytes ({@code max_file_size}, default 1 GiB)
 * @param resumeDelay how long after a cut the receiver asks for the rest with a get proposal; zero
 *     disables it ({@code resume_seconds}, default 5)
 */
public record JabberFtConfig(
        InetSocketAddress server,
        String domain,
        String secret,
        InetSocketAddress listen,
        String advertiseIp,
        int advertisePort,
        Duration timeout,
        List<String> peers,
        long maxFileSize,
        Duration resumeDelay) {

    private static final Pattern DOMAIN = Pattern.compile("[A-Za-z0-9.-]{1,253}");

    /** Copies the peer list. */
    public JabberFtConfig {
        peers = List.copyOf(peers);
    }

    /** True when this side can accept data connections. */
    public boolean canListen() {
        return listen != null;
    }

    /** Reads and checks the account's keys. */
    public static JabberFtConfig from(AccountConfig a) throws InvalidConfigException {
        InetSocketAddress server = a.hostPort("server", null);
        if (server == null) {
            throw new InvalidConfigException(
                    "server",
                    "missing required key (host:port of the XMPP server's component port)");
        }
        String domain = a.string("domain");
        if (!DOMAIN.matcher(domain).matches()) {
            throw new InvalidConfigException("domain", "not a domain name: '" + domain + "'");
        }
        String secret = a.string("secret");
        if (secret.isEmpty()) {
            throw new InvalidConfigException("secret", "must not be empty");
        }
        InetSocketAddress listen = a.hostPort("listen", null);
        String ip = a.string("advertise_ip", listen == null ? null : listen.getHostString());
        if (ip != null && (ip.isBlank() || ip.length() > 64)) {
            throw new InvalidConfigException("advertise_ip", "not an address");
        }
        if (listen != null && ("0.0.0.0".equals(ip) || "::".equals(ip))) {
            throw new InvalidConfigException(
                    "advertise_ip", "needed when listening on a wildcard address");
        }
        int advertisePort = a.integer("advertise_port", 0, 0, 65535);
        int timeout = a.integer("timeout_seconds", 30, 1, 3600);
        List<String> peers = a.strings("peers");
        for (String p : peers) {
            if (p.isBlank() || p.length() > 1024) {
                throw new InvalidConfigException("peers", "bad JID '" + p + "'");
            }
        }
        long maxSize = a.integer("max_file_size", 1 << 30, 1, Integer.MAX_VALUE);
        int resume = a.integer("resume_seconds", 5, 0, 3600);
        return new JabberFtConfig(
                server,
                domain,
                secret,
                listen,
                ip,
                advertisePort,
                Duration.ofSeconds(timeout),
                peers,
                maxSize,
                Duration.ofSeconds(resume));
    }

    @Override
    public String toString() {
        return "JabberFtConfig[" + server + ", domain=" + domain + ", listen=" + listen + "]";
    }
}
