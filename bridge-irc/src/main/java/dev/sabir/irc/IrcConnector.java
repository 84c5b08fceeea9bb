package dev.sabir.irc;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Capability;
import dev.sabir.api.Connector;
import dev.sabir.api.EventSink;
import dev.sabir.api.HostContext;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.api.RegistrationField;
import dev.sabir.api.Session;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.pf4j.Extension;

/**
 * IRC: a relay bot per account, optionally with one puppet connection per remote user, written
 * directly on Netty (IRCv3 tags, CAP 302, SASL, TLS, SOCKS5, flood control).
 */
@Extension
public final class IrcConnector implements Connector {

    /** Creates the connector; it keeps no state. */
    public IrcConnector() {}

    @Override
    public String protocol() {
        return "irc";
    }

    @Override
    public Set<Capability> capabilities() {
        return EnumSet.of(
                Capability.ROOMS,
                Capability.DIRECT_MESSAGES,
                Capability.ACTIONS,
                Capability.PUPPETS,
                Capability.ECHOES,
                Capability.TOPICS);
    }

    /**
     * The default capabilities, plus {@link Capability#PRESENCE} for a puppet-mode account with
     * {@code presence} on: its puppets show remote users' away status. A relay-mode account only
     * reports presence (its channel members' away changes) and takes none: one relay bot cannot be
     * away for many people, and a line per status change would be noise.
     */
    @Override
    public Set<Capability> capabilities(AccountConfig account) throws InvalidConfigException {
        IrcSettings s = IrcSettings.from(account);
        Set<Capability> caps = EnumSet.copyOf(capabilities());
        if (s.puppetMode() && s.presence()) {
            caps.add(Capability.PRESENCE);
        }
        return caps;
    }

    @Override
    public Session open(AccountConfig account, HostContext host, EventSink sink)
            throws InvalidConfigException {
        IrcSettings settings = IrcSettings.from(account);
        return new IrcSession(account, settings, host, sink, sslContext(settings));
    }

    @Override
    public List<RegistrationField> registrationFields() {
        return List.of(
                new RegistrationField("nick", "Nick", true, false),
                new RegistrationField("password", "Server password", false, true));
    }

    private static SslContext sslContext(IrcSettings s) throws InvalidConfigException {
        if (!s.tls()) {
            return null;
        }
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (!s.tlsVerify()) {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            } else if (s.tlsTrust() != null) {
                b.trustManager(s.tlsTrust().toFile());
            }
            if (s.tlsCert() != null) {
                b.keyManager(s.tlsCert().toFile(), s.tlsKey().toFile());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new InvalidConfigException(
                    s.tlsCert() != null ? "tls_cert" : "tls_trust",
                    "cannot set up TLS: " + e.getMessage());
        }
    }
}
