package dev.sabir.soulseek.client;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.soulseek.Texts;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Keys of a {@code mode: client} account.
 *
 * @param server {@code server}: the Soulseek server, host:port (required)
 * @param user {@code user} (required)
 * @param password {@code password} (required)
 * @param rooms {@code rooms}: rooms joined at every login
 * @param peerListen {@code peer-listen}: where peers connect to us (default {@code 0.0.0.0:0}, an
 *     ephemeral port announced with SetListenPort)
 * @param pingSeconds {@code ping-interval}: seconds between keepalive pings (default 300)
 * @param reconnectMinMillis {@code reconnect-min}: first reconnect delay in ms (default 1000)
 * @param reconnectMaxMillis {@code reconnect-max}: largest reconnect delay in ms (default 300000)
 * @param maxFrame {@code max-frame}: largest frame accepted from the server, bytes
 * @param description {@code description}: what peers see when they ask for our user info
 */
public record ClientSettings(
        InetSocketAddress server,
        String user,
        String password,
        List<String> rooms,
        InetSocketAddress peerListen,
        int pingSeconds,
        int reconnectMinMillis,
        int reconnectMaxMillis,
        int maxFrame,
        String description) {

    /** Reads the keys. */
    public static ClientSettings from(AccountConfig c) throws InvalidConfigException {
        InetSocketAddress server = AccountConfig.parseHostPort("server", c.string("server"));
        String user = c.string("user");
        if (Texts.userNameProblem(user) != null) {
            throw new InvalidConfigException("user", "not a valid Soulseek user name");
        }
        String password = c.string("password");
        if (password.isEmpty()) {
            throw new InvalidConfigException("password", "must not be empty");
        }
        List<String> rooms = c.strings("rooms");
        for (String r : rooms) {
            String p = Texts.roomNameProblem(r);
            if (p != null) {
                throw new InvalidConfigException("rooms", "'" + r + "': " + p);
            }
        }
        int min = c.integer("reconnect-min", 1000, 10, 3_600_000);
        return new ClientSettings(
                server,
                user,
                password,
                rooms,
                c.hostPort("peer-listen", InetSocketAddress.createUnresolved("0.0.0.0", 0)),
                c.integer("ping-interval", 300, 1, 3600),
                min,
                c.integer("reconnect-max", 300_000, min, 3_600_000),
                c.integer("max-frame", 4 << 20, 1024, 64 << 20),
                c.string("description", "Sabir bridge"));
    }
}
