package dev.sabir.torchat;

import dev.sabir.torchat.BuddyProfile.BuddyKind;
import io.netty.channel.Channel;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;

/** The state of one peer. Only touched on the session's event loop. */
final class Buddy {
    final String id;
    BuddyKind kind;

    /** The socket we opened: everything we send goes here. */
    Channel out;

    /** True once {@code out} is connected (through the proxy) and our ping is written. */
    boolean outReady;

    /** The socket the peer opened: we read its packets here. */
    Channel in;

    String myCookie;
    String theirCookie;
    boolean pongSent;

    /** The peer answered our cookie on its connection. */
    boolean verified;

    /** We sent our introduction (client, version, ..., status) and flushed the queue. */
    boolean online;

    long lastSeenNanos;
    ScheduledFuture<?> reconnect;
    Duration backoff = Duration.ZERO;

    String status = "";
    String client = "";
    String version = "";
    Set<String> supports = Set.of();
    String profileName = "";
    String profileText = "";
    byte[] avatarRgb = new byte[0];
    byte[] avatarAlpha = new byte[0];
    boolean typing;

    /** The last profile reported to the sink for this buddy, to skip repeats. */
    dev.sabir.api.ProfileUpdate lastProfile;

    /**
     * What we show this buddy about ourselves instead of the configured profile, set by a delivered
     * profile; null to use the configuration.
     */
    OwnProfile ownProfile;

    Duration latency;
    final Map<String, Long> latencyPings = new HashMap<>();

    /** What waits for the buddy to come online. */
    final ArrayDeque<PendingSend> queue = new ArrayDeque<>();

    final Map<String, OutgoingFile> sending = new LinkedHashMap<>();
    final Map<String, IncomingFile> receiving = new LinkedHashMap<>();

    Buddy(String id, BuddyKind kind) {
        this.id = id;
        this.kind = kind;
    }

    /** Our own profile as shown to one buddy: name, text and the avatar planes (may be empty). */
    record OwnProfile(String name, String text, byte[] rgb, byte[] alpha) {}

    String nick() {
        return profileName.isEmpty() ? id : profileName;
    }

    BuddyProfile profile() {
        return new BuddyProfile(
                id, kind, profileName, profileText, avatarRgb, avatarAlpha, client, version);
    }
}
