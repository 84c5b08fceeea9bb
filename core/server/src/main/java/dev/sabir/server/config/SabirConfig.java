package dev.sabir.server.config;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.InvalidConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The whole configuration, as read from one YAML file. Owned by the config loader; every other part
 * of the server reads it, none writes it.
 *
 * @param source the file it came from (for error messages), or null when built in code
 * @param admin the admin HTTP listener
 * @param storage the database
 * @param plugins where plugin JARs are loaded from
 * @param spool file spool limits
 * @param router routing limits
 * @param accounts the accounts, by name, in file order
 * @param links the links, by name, in file order
 * @param lines where each key was found: full dotted key ({@code accounts.irc1.server}) to line
 */
public record SabirConfig(
        Path source,
        Admin admin,
        Storage storage,
        Plugins plugins,
        Spool spool,
        Routing router,
        Map<String, AccountEntry> accounts,
        Map<String, LinkEntry> links,
        Map<String, Integer> lines) {

    /** Admin HTTP: {@code /health}, {@code /metrics}, files, admin API. */
    public record Admin(InetSocketAddress listen, String token, String publicUrl) {}

    /** Storage: a JDBC URL ({@code jdbc:sqlite:data/sabir.db} or {@code jdbc:postgresql://...}). */
    public record Storage(String url, String user, String password) {}

    /** The runtime plugin folder, and whether it is watched for drop-ins. */
    public record Plugins(Path dir, boolean watch) {}

    /**
     * Spool folder, limits (bytes) and how long files are kept.
     *
     * @param keepFiles how long a finished file stays after it arrived (zero keeps it for ever)
     * @param keepPartial how long an unfinished file stays after its last write (zero: for ever)
     */
    public record Spool(
            Path dir,
            long maxFileSize,
            long quotaPerSource,
            long quotaTotal,
            java.time.Duration keepFiles,
            java.time.Duration keepPartial) {

        /** Limits with the default retention (7 days for files, 2 days for partial ones). */
        public Spool(Path dir, long maxFileSize, long quotaPerSource, long quotaTotal) {
            this(
                    dir,
                    maxFileSize,
                    quotaPerSource,
                    quotaTotal,
                    java.time.Duration.ofDays(7),
                    java.time.Duration.ofDays(2));
        }
    }

    /** Router limits: bounded per-destination queues and what happens when one is full. */
    public record Routing(int maxQueuePerDestination, String whenFull, int historyOnJoin) {}

    /**
     * One account.
     *
     * @param name the account name
     * @param plugin the protocol id
     * @param enabled whether to start it
     * @param settings plugin-specific keys (everything but {@code plugin} and {@code enabled})
     */
    public record AccountEntry(
            String name, String plugin, boolean enabled, Map<String, Object> settings) {

        /** The account as the plugin API sees it. */
        public AccountConfig toAccountConfig() {
            return new AccountConfig(name, plugin, enabled, settings);
        }
    }

    /**
     * One link: a named set of conversations on different accounts.
     *
     * @param name the link name
     * @param members the conversations
     * @param format the nick template, e.g. {@code <{nick}@{network}> {text}}
     * @param options other per-link keys (e.g. {@code zero_width_nick: true})
     */
    public record LinkEntry(
            String name, List<Address> members, String format, Map<String, Object> options) {}

    /** The line a dotted key was found on, or -1. */
    public int lineOf(String dottedKey) {
        return lines.getOrDefault(dottedKey, -1);
    }

    /**
     * Reads and checks a config file (environment from the process, relative paths against the
     * working directory).
     */
    public static SabirConfig load(Path file) throws ConfigException {
        return ConfigLoader.load(file);
    }

    /**
     * Turns a plugin's complaint about an account key into an error naming this file, the line and
     * the full key ({@code accounts.<name>.<key>}). When the key is absent from the file (a missing
     * required key), the line of the account itself is used.
     */
    public ConfigException accountError(String account, InvalidConfigException problem) {
        String key =
                "accounts."
                        + account
                        + (problem.key() == null || problem.key().isEmpty()
                                ? ""
                                : "." + problem.key());
        int line = lineOf(key);
        if (line < 0) {
            line = lineOf("accounts." + account);
        }
        return new ConfigException(source, line, key, problem.getMessage());
    }
}
