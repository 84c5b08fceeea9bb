package dev.sabir.irc;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * The keys of an {@code irc} account, checked once when the session is opened.
 *
 * @param server the IRC server
 * @param tls true for TLS from the first byte
 * @param tlsTrust a PEM file of certificates to trust instead of the system's, or null
 * @param tlsVerify false turns certificate and host name checks off (tests only)
 * @param tlsCert a PEM client certificate (for SASL EXTERNAL / CertFP), or null
 * @param tlsKey the PEM PKCS#8 key of the client certificate, or null
 * @param proxy a SOCKS5 proxy, or null
 * @param nick the wanted nick
 * @param user the user name (ident)
 * @param realName the real name
 * @param password the server password ({@code PASS}), or null
 * @param sasl SASL login, or null
 * @param channels channels joined at start
 * @param puppetMode true for {@code mode: puppet}
 * @param puppet puppet settings
 * @param flood per-connection limiter
 * @param serverFlood limiter shared by all connections of this account to its server
 * @param queueSize most lines waiting per connection
 * @param maxLines most lines one message becomes before the rest is sent as a link
 * @param zeroWidthNick true inserts a zero-width space into relayed nicks
 * @param pingInterval silence after which the client sends a PING (and twice that closes)
 * @param reconnectMin first reconnect delay
 * @param reconnectMax longest reconnect delay
 * @param presence true bridges away status (AWAY) both ways ({@code presence}, default true)
 * @param presencePoll how often channels are polled with WHO for away flags when the server lacks
 *     {@code away-notify} ({@code presence_poll}, default 3 minutes)
 * @param awayInterval shortest time between two AWAY lines of one puppet ({@code away_interval},
 *     default 5 seconds); changes in between are merged, the last one winning
 */
record IrcSettings(
        InetSocketAddress server,
        boolean tls,
        Path tlsTrust,
        boolean tlsVerify,
        Path tlsCert,
        Path tlsKey,
        InetSocketAddress proxy,
        String nick,
        String user,
        String realName,
        String password,
        Sasl sasl,
        List<String> channels,
        boolean puppetMode,
        Puppet puppet,
        Flood flood,
        Flood serverFlood,
        int queueSize,
        int maxLines,
        boolean zeroWidthNick,
        Duration pingInterval,
        Duration reconnectMin,
        Duration reconnectMax,
        boolean presence,
        Duration presencePoll,
        Duration awayInterval) {

    /**
     * SASL login.
     *
     * @param mechanism PLAIN or EXTERNAL
     * @param user the account name (PLAIN)
     * @param password the password (PLAIN); never logged
     */
    record Sasl(String mechanism, String user, String password) {
        @Override
        public String toString() {
            return "Sasl[" + mechanism + ", " + user + "]";
        }
    }

    /**
     * Puppet settings.
     *
     * @param nickTemplate nick of a puppet, with {@code {nick}}, {@code {network}} and {@code
     *     {protocol}}
     * @param max most puppets on the server at once
     * @param idleTimeout a puppet silent for this long disconnects
     */
    record Puppet(String nickTemplate, int max, Duration idleTimeout) {}

    /**
     * A token bucket.
     *
     * @param burst lines sent at once after a quiet time
     * @param perSecond lines per second after the burst
     */
    record Flood(int burst, double perSecond) {}

    @Override
    public String toString() {
        return "IrcSettings[" + server + ", nick=" + nick + ", tls=" + tls + "]";
    }

    /** Reads and checks the account's keys. */
    static IrcSettings from(AccountConfig c) throws InvalidConfigException {
        InetSocketAddress server = AccountConfig.parseHostPort("server", c.string("server"));
        boolean tls = c.bool("tls", false);
        Path trust = file(c, "tls_trust");
        boolean verify = c.bool("tls_verify", true);
        Path cert = file(c, "tls_cert");
        Path key = file(c, "tls_key");
        if ((cert == null) != (key == null)) {
            throw new InvalidConfigException("tls_cert", "tls_cert and tls_key go together");
        }
        InetSocketAddress proxy = c.hostPort("proxy", null);
        String nick = c.string("nick");
        if (!nick.equals(IrcText.sanitiseNick(nick, 64)) || nick.length() > 64) {
            throw new InvalidConfigException("nick", "not a valid IRC nick: '" + nick + "'");
        }
        String user =
                c.string(
                        "user",
                        nick.replaceAll("[^A-Za-z0-9_-]", "").isEmpty()
                                ? "sabir"
                                : nick.replaceAll("[^A-Za-z0-9_-]", ""));
        String realName = c.string("realname", "Sabir bridge");
        String password = c.has("password") ? c.string("password") : null;
        Sasl sasl = null;
        if (c.has("sasl")) {
            AccountConfig s = c.section("sasl");
            String mech = s.string("mechanism", "PLAIN").toUpperCase(Locale.ROOT);
            if (mech.equals("PLAIN")) {
                sasl =
                        new Sasl(
                                mech,
                                sub(s, "sasl.user", "user"),
                                sub(s, "sasl.password", "password"));
            } else if (mech.equals("EXTERNAL")) {
                if (cert == null) {
                    throw new InvalidConfigException(
                            "sasl.mechanism", "EXTERNAL needs tls_cert and tls_key");
                }
                sasl = new Sasl(mech, s.string("user", ""), "");
            } else {
                throw new InvalidConfigException(
                        "sasl.mechanism", "PLAIN or EXTERNAL, got '" + mech + "'");
            }
        }
        List<String> channels = c.strings("channels");
        for (String ch : channels) {
            if (!IrcText.isChannel(ch) || ch.indexOf(' ') >= 0 || ch.indexOf(',') >= 0) {
                throw new InvalidConfigException("channels", "not a channel name: '" + ch + "'");
            }
        }
        String mode = c.string("mode", "relay").toLowerCase(Locale.ROOT);
        if (!mode.equals("relay") && !mode.equals("puppet")) {
            throw new InvalidConfigException("mode", "relay or puppet, got '" + mode + "'");
        }
        AccountConfig p = c.section("puppet");
        String template = p.string("nick_template", "{nick}[{network}]");
        if (!template.contains("{nick}")) {
            throw new InvalidConfigException("puppet.nick_template", "must contain {nick}");
        }
        Puppet puppet =
                new Puppet(
                        template,
                        intIn(p, "puppet.max", "max", 50, 0, 10_000),
                        duration(p, "puppet.idle_timeout", "idle_timeout", Duration.ofHours(1)));
        AccountConfig f = c.section("flood");
        Flood flood =
                new Flood(
                        intIn(f, "flood.burst", "burst", 5, 1, 1000),
                        rate(f, "flood.per_second", "per_second", 2.0));
        Flood serverFlood =
                new Flood(
                        intIn(f, "flood.server_burst", "server_burst", 20, 1, 100_000),
                        rate(f, "flood.server_per_second", "server_per_second", 10.0));
        int queue = c.integer("queue_size", 500, 1, 100_000);
        int maxLines = c.integer("max_lines", 5, 1, 100);
        boolean zwsp = c.bool("zero_width_nick", true);
        Duration ping = duration(c, "ping_interval", "ping_interval", Duration.ofSeconds(90));
        Duration rmin = duration(c, "reconnect_min", "reconnect_min", Duration.ofSeconds(2));
        Duration rmax = duration(c, "reconnect_max", "reconnect_max", Duration.ofMinutes(5));
        if (rmax.compareTo(rmin) < 0) {
            throw new InvalidConfigException("reconnect_max", "shorter than reconnect_min");
        }
        boolean presence = c.bool("presence", true);
        Duration presencePoll =
                duration(c, "presence_poll", "presence_poll", Duration.ofMinutes(3));
        if (presencePoll.toMillis() < 200) {
            throw new InvalidConfigException("presence_poll", "must be at least 200ms");
        }
        Duration awayInterval =
                duration(c, "away_interval", "away_interval", Duration.ofSeconds(5));
        return new IrcSettings(
                server,
                tls,
                trust,
                verify,
                cert,
                key,
                proxy,
                nick,
                user,
                realName,
                password,
                sasl,
                channels,
                mode.equals("puppet"),
                puppet,
                flood,
                serverFlood,
                queue,
                maxLines,
                zwsp,
                ping,
                rmin,
                rmax,
                presence,
                presencePoll,
                awayInterval);
    }

    private static String sub(AccountConfig s, String full, String key)
            throws InvalidConfigException {
        if (!s.has(key)) {
            throw new InvalidConfigException(full, "missing required key");
        }
        return s.string(key);
    }

    private static int intIn(AccountConfig s, String full, String key, int def, int min, int max)
            throws InvalidConfigException {
        try {
            return s.integer(key, def, min, max);
        } catch (InvalidConfigException e) {
            throw new InvalidConfigException(full, e.getMessage());
        }
    }

    private static double rate(AccountConfig s, String full, String key, double def)
            throws InvalidConfigException {
        if (!s.has(key)) {
            return def;
        }
        try {
            double d = Double.parseDouble(s.string(key).trim());
            if (!(d > 0) || d > 10_000) {
                throw new InvalidConfigException(full, "must be above 0 and at most 10000");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(
                    full, "expected a number, got '" + s.string(key) + "'");
        }
    }

    private static Path file(AccountConfig c, String key) throws InvalidConfigException {
        if (!c.has(key)) {
            return null;
        }
        Path p = Path.of(c.string(key));
        if (!Files.isReadable(p)) {
            throw new InvalidConfigException(key, "cannot read " + p);
        }
        return p;
    }

    /**
     * Reads a duration: a number of seconds or text like {@code 500ms}, {@code 30s}, {@code 5m},
     * {@code 2h}.
     */
    static Duration duration(AccountConfig s, String full, String key, Duration def)
            throws InvalidConfigException {
        if (!s.has(key)) {
            return def;
        }
        String t = s.string(key).trim().toLowerCase(Locale.ROOT);
        try {
            Duration d;
            if (t.endsWith("ms")) {
                d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            } else if (t.endsWith("s")) {
                d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            } else if (t.endsWith("m")) {
                d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            } else if (t.endsWith("h")) {
                d = Duration.ofHours(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            } else {
                d = Duration.ofSeconds(Long.parseLong(t));
            }
            if (d.isNegative() || d.isZero()) {
                throw new InvalidConfigException(full, "must be positive");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(
                    full, "expected a duration like 30s, 5m or 1h, got '" + t + "'");
        }
    }
}
