package dev.sabir.ipcfile;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.InvalidConfigException;
import dev.sabir.ipcfile.json.IpcJson;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * An ipcfile account's keys, checked.
 *
 * @param account the account address
 * @param rundir the folder of the libipc socket ({@code rundir}, default {@code /run/ipc})
 * @param service the libipc service name ({@code service}, default {@code filestorage}); the socket
 *     is {@code <rundir>/<service>-0-0}
 * @param unixSocket whether to open the SOCK_SEQPACKET socket ({@code unix_socket}, default true)
 * @param tcpListen where to offer the same framing over TCP ({@code tcp_listen}), or null
 * @param chunkSize the chunk size suggested to clients ({@code chunk_size}, default 1024)
 * @param maxChunk the largest chunk accepted ({@code max_chunk}, default 65536)
 * @param maxFileSize the largest file accepted ({@code max_file_size}, default 1 GiB; k/M/G
 *     suffixes)
 * @param maxFiles the most files in one authentication ({@code max_files}, default 64)
 * @param quota bytes of completed uploads allowed per user ({@code quota}, default 0 = no limit
 *     besides the host spool's)
 * @param maxClients concurrent connections per transport ({@code max_clients}, default 64)
 * @param idleTimeout idle connections are closed after this ({@code idle_timeout} seconds, default
 *     300)
 * @param defaultTag where files without a {@code room:}/{@code to:} tag are offered ({@code
 *     default_tag}), or null for the uploader's own conversation {@code user:<id>}
 * @param jwt the token checker built from the {@code jwt} section
 */
record IpcFileSettings(
        Address account,
        Path rundir,
        String service,
        boolean unixSocket,
        InetSocketAddress tcpListen,
        int chunkSize,
        int maxChunk,
        long maxFileSize,
        int maxFiles,
        long quota,
        int maxClients,
        Duration idleTimeout,
        String defaultTag,
        JwtVerifier jwt) {

    /** The libipc socket path. */
    Path socketPath() {
        return rundir.resolve(service + "-0-0");
    }

    /** The codec limits these settings imply. */
    IpcJson.Limits limits() {
        return new IpcJson.Limits(
                IpcJson.base64Length(maxChunk) + 16384 + maxFiles * 1200, maxChunk, maxFiles, 8192);
    }

    static IpcFileSettings from(AccountConfig cfg, java.time.Clock clock)
            throws InvalidConfigException {
        Path rundir = Path.of(cfg.string("rundir", "/run/ipc"));
        String service = cfg.string("service", "filestorage");
        if (!service.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new InvalidConfigException("service", "letters, digits, '.', '_' and '-' only");
        }
        int maxChunk = cfg.integer("max_chunk", 65536, 16, 1 << 20);
        int chunkSize = cfg.integer("chunk_size", Math.min(1024, maxChunk), 1, maxChunk);
        long maxFileSize = size(cfg, "max_file_size", 1L << 30);
        if (maxFileSize < 1) {
            throw new InvalidConfigException("max_file_size", "must be positive");
        }
        String defaultTag = cfg.string("default_tag", null);
        if (defaultTag != null
                && UploadService.conversationFor(cfg.address(), defaultTag) == null) {
            throw new InvalidConfigException("default_tag", "expected room:NAME or to:ADDRESS");
        }
        return new IpcFileSettings(
                cfg.address(),
                rundir,
                service,
                cfg.bool("unix_socket", true),
                cfg.hostPort("tcp_listen", null),
                chunkSize,
                maxChunk,
                maxFileSize,
                cfg.integer("max_files", 64, 1, 4096),
                size(cfg, "quota", 0),
                cfg.integer("max_clients", 64, 1, 10000),
                Duration.ofSeconds(cfg.integer("idle_timeout", 300, 1, 86400)),
                defaultTag,
                JwtVerifier.from(cfg.section("jwt"), clock));
    }

    /** A byte count: a whole number with an optional k, M or G suffix (powers of 1024). */
    static long size(AccountConfig cfg, String key, long fallback) throws InvalidConfigException {
        if (!cfg.has(key)) {
            return fallback;
        }
        String text =
                cfg.string(key).trim().toLowerCase(Locale.ROOT).replace("ib", "").replace("b", "");
        long unit = 1;
        if (text.endsWith("k")) {
            unit = 1L << 10;
        } else if (text.endsWith("m")) {
            unit = 1L << 20;
        } else if (text.endsWith("g")) {
            unit = 1L << 30;
        }
        if (unit != 1) {
            text = text.substring(0, text.length() - 1).trim();
        }
        try {
            long n = Long.parseLong(text);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new InvalidConfigException(key, "out of range");
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key, "expected a size like 1048576, 512k, 100M or 2G");
        }
    }
}
