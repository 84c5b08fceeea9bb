package dev.sabir.soulseek.server;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.soulseek.Texts;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Keys of a {@code mode: server} account.
 *
 * @param listen {@code listen}: where Soulseek clients connect (default {@code 0.0.0.0:2242})
 * @param rooms {@code rooms}: public rooms that always exist
 * @param greeting {@code greeting}: the login greeting
 * @param registration {@code registration}: true to register unknown names at first login
 * @param iterations {@code pbkdf2-iterations}: PBKDF2 iterations for new passwords
 * @param puppetFormat {@code puppet-format}: name of a remote participant, {@code {nick}} and
 *     {@code {protocol}} replaced
 * @param maxFrame {@code max-frame}: largest frame accepted from a client, bytes
 * @param idleSeconds {@code idle-timeout}: seconds of silence before a client is dropped
 */
public record ServerSettings(
        InetSocketAddress listen,
        List<String> rooms,
        String greeting,
        boolean registration,
        int iterations,
        String puppetFormat,
        int maxFrame,
        int idleSeconds) {

    /** Reads the keys. */
    public static ServerSettings from(AccountConfig c) throws InvalidConfigException {
        InetSocketAddress listen =
                c.hostPort("listen", InetSocketAddress.createUnresolved("0.0.0.0", 2242));
        List<String> rooms = c.strings("rooms");
        for (String r : rooms) {
            String p = Texts.roomNameProblem(r);
            if (p != null) {
                throw new InvalidConfigException("rooms", "'" + r + "': " + p);
            }
        }
        String format = c.string("puppet-format", "{nick}@{protocol}");
        if (!format.contains("{nick}")) {
            throw new InvalidConfigException("puppet-format", "must contain {nick}");
        }
        return new ServerSettings(
                listen,
                rooms,
                c.string("greeting", "Welcome to Sabir"),
                c.bool("registration", true),
                c.integer("pbkdf2-iterations", 600_000, 1_000, 10_000_000),
                format,
                c.integer("max-frame", 64 * 1024, 1024, 16 << 20),
                c.integer("idle-timeout", 900, 5, 86_400));
    }
}
