package dev.sabir.torchat;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The keys of a TorChat account, checked once when the session is opened.
 *
 * @param id own id, or null when the hidden service provides it
 * @param listen where the listener binds (the hidden service's target)
 * @param transport how peers are dialled
 * @param socks the Tor SOCKS5 proxy ({@code transport: tor})
 * @param torControl Tor's control port for {@code ADD_ONION}, or null
 * @param torControlPassword the control port password, or null (cookie or no authentication)
 * @param hiddenServiceDir a HiddenServiceDir whose {@code hostname} gives the id, or null
 * @param remotePort the port peers' hidden services listen on (11009)
 * @param peers id to address, for {@code transport: direct}
 * @param buddies permanent buddies from the config
 * @param profileName own profile name
 * @param profileText own profile text
 * @param avatar own avatar ({@code avatar}: an image file scaled to 64x64), or null
 * @param status own status ({@code available}, {@code away}, {@code xa})
 * @param broadcastEnabled whether broadcast messages are shown and relayed
 * @param broadcastConversation the conversation id broadcasts appear in
 * @param fileWindow unacknowledged blocks in flight per transfer
 * @param fileBlock block size of outgoing transfers
 * @param keepalive interval of the {@code status} keepalive
 * @param silence a peer silent for this long is considered gone
 * @param handshakeTimeout unverified connections are closed after this
 * @param reconnectMin first reconnect delay
 * @param reconnectMax longest reconnect delay
 * @param sendTimeout how long a delivery waits for an offline buddy
 * @param fileTimeout an outgoing transfer without acknowledgements for this long restarts
 * @param maxLine the longest line accepted
 */
public record TorChatConfig(
        String id,
        InetSocketAddress listen,
        Transport transport,
        InetSocketAddress socks,
        InetSocketAddress torControl,
        String torControlPassword,
        Path hiddenServiceDir,
        int remotePort,
        Map<String, InetSocketAddress> peers,
        Set<String> buddies,
        String profileName,
        String profileText,
        Avatars.Planes avatar,
        String status,
        boolean broadcastEnabled,
        String broadcastConversation,
        int fileWindow,
        int fileBlock,
        Duration keepalive,
        Duration silence,
        Duration handshakeTimeout,
        Duration reconnectMin,
        Duration reconnectMax,
        Duration sendTimeout,
        Duration fileTimeout,
        int maxLine) {

    /** The default TorChat port (what deployed clients use; the spec text says 11109). */
    public static final int DEFAULT_PORT = 11009;

    /** How peers are reached. */
    public enum Transport {
        /** Plain TCP to addresses from {@code peers} (LANs and tests). */
        DIRECT,
        /** SOCKS5 to {@code <id>.onion:11009} through Tor. */
        TOR
    }

    /** Reads and checks the account's keys. */
    public static TorChatConfig from(AccountConfig a) throws InvalidConfigException {
        String id = null;
        if (a.has("id")) {
            id = OnionId.normalise(a.string("id"));
            if (id == null) {
                throw new InvalidConfigException(
                        "id", OnionId.rule() + ", got '" + a.string("id") + "'");
            }
        }
        Transport transport =
                switch (a.string("transport", "tor").trim().toLowerCase(Locale.ROOT)) {
                    case "tor" -> Transport.TOR;
                    case "direct" -> Transport.DIRECT;
                    default ->
                            throw new InvalidConfigException(
                                    "transport",
                                    "expected 'tor' or 'direct', got '"
                                            + a.string("transport")
                                            + "'");
                };
        InetSocketAddress listen =
                a.hostPort("listen", InetSocketAddress.createUnresolved("127.0.0.1", DEFAULT_PORT));
        InetSocketAddress socks =
                a.hostPort("socks", InetSocketAddress.createUnresolved("127.0.0.1", 9050));
        InetSocketAddress control = a.hostPort("tor_control", null);
        Path hsDir = a.has("hidden_service_dir") ? Path.of(a.string("hidden_service_dir")) : null;
        if (control != null && hsDir != null) {
            throw new InvalidConfigException(
                    "tor_control", "use either tor_control or hidden_service_dir, not both");
        }
        if (id == null && control == null && hsDir == null) {
            throw new InvalidConfigException(
                    "id",
                    "missing: set id, or tor_control / hidden_service_dir so that Tor provides it");
        }
        Map<String, InetSocketAddress> peers = new LinkedHashMap<>();
        AccountConfig peerSection = a.section("peers");
        for (String key : peerSection.settings().keySet()) {
            String pid = OnionId.normalise(key);
            if (pid == null) {
                throw new InvalidConfigException("peers." + key, OnionId.rule());
            }
            try {
                peers.put(pid, peerSection.hostPort(key, null));
            } catch (InvalidConfigException e) {
                throw new InvalidConfigException("peers." + key, e.getMessage());
            }
        }
        if (transport == Transport.DIRECT && id == null) {
            throw new InvalidConfigException("id", "transport: direct needs an id");
        }
        Set<String> buddies = new LinkedHashSet<>();
        for (String b : a.strings("buddies")) {
            String bid = OnionId.normalise(b);
            if (bid == null) {
                throw new InvalidConfigException("buddies", OnionId.rule() + ", got '" + b + "'");
            }
            buddies.add(bid);
        }
        String status = a.string("status", "available").trim().toLowerCase(Locale.ROOT);
        if (!Set.of("available", "away", "xa").contains(status)) {
            throw new InvalidConfigException("status", "expected available, away or xa");
        }
        AccountConfig bc = a.section("broadcast");
        String conv = bc.string("conversation", "broadcast");
        if (conv.startsWith("group:") || OnionId.isValid(conv) || conv.isBlank()) {
            throw new InvalidConfigException(
                    "broadcast.conversation",
                    "must not be empty, an onion id or start with group:");
        }
        return new TorChatConfig(
                id,
                listen,
                transport,
                socks,
                control,
                a.has("tor_control_password") ? a.string("tor_control_password") : null,
                hsDir,
                a.integer("remote_port", DEFAULT_PORT, 1, 65535),
                Map.copyOf(peers),
                Set.copyOf(buddies),
                a.string("name", ""),
                a.string("text", ""),
                avatar(a),
                status,
                bc.bool("enabled", false),
                conv,
                a.integer("file_window", 16, 16, 1024),
                a.integer("file_block", 8192, 512, 65536),
                Duration.ofMillis(a.integer("keepalive_ms", 120_000, 50, 3_600_000)),
                Duration.ofMillis(a.integer("silence_ms", 360_000, 100, 86_400_000)),
                Duration.ofMillis(a.integer("handshake_timeout_ms", 60_000, 100, 3_600_000)),
                Duration.ofMillis(a.integer("reconnect_min_ms", 5_000, 10, 3_600_000)),
                Duration.ofMillis(a.integer("reconnect_max_ms", 300_000, 10, 86_400_000)),
                Duration.ofMillis(a.integer("send_timeout_ms", 120_000, 100, 86_400_000)),
                Duration.ofMillis(a.integer("file_timeout_ms", 30_000, 100, 3_600_000)),
                a.integer(
                        "max_line",
                        TorChatPacketLimit.DEFAULT,
                        1024,
                        TorChatPacketLimit.DEFAULT * 4));
    }

    /** Largest avatar file read from disk. */
    static final int MAX_AVATAR_FILE = 1 << 20;

    private static Avatars.Planes avatar(AccountConfig a) throws InvalidConfigException {
        if (!a.has("avatar")) {
            return null;
        }
        Path file = Path.of(a.string("avatar"));
        try {
            long size = java.nio.file.Files.size(file);
            if (size > MAX_AVATAR_FILE) {
                throw new InvalidConfigException(
                        "avatar", file + " is " + size + " bytes, at most " + MAX_AVATAR_FILE);
            }
            return Avatars.fromImage(java.nio.file.Files.readAllBytes(file));
        } catch (java.io.IOException e) {
            throw new InvalidConfigException("avatar", "cannot read " + file + ": " + e);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(
                    "avatar", file + " is not a usable image: " + e.getMessage());
        }
    }
}
