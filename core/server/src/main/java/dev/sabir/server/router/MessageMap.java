package dev.sabir.server.router;

import dev.sabir.server.store.Database;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The cross-network message id map ({@code message_map} table): the message {@code (source
 * endpoint, source id)} was delivered to a destination endpoint, where the network calls it {@code
 * remote id}.
 *
 * <p>An endpoint is a conversation address as text, or for the gateway view of a personal account's
 * conversation {@code <gateway account> ">" <conversation>}. Every id seen in any endpoint can be
 * traced to its origin: either it came back from one of our deliveries (then the row names the
 * origin), or it is the endpoint's own message. From the origin, the id in any other endpoint is one
 * lookup away.
 */
final class MessageMap {
    private static final int EXCERPT = 100;

    private final Database db;

    /** Where a message was first written. */
    record Origin(String key, String id) {}

    /** What a quoted reply shows of the replied-to message. */
    record Quote(String nick, String excerpt) {}

    MessageMap(Database db) {
        this.db = db;
    }

    /** True when the id in that endpoint is one that a delivery of ours produced (an echo). */
    boolean isOurs(String endpoint, String id) {
        return db.read(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("SELECT 1 FROM message_map WHERE rev = ?")) {
                        ps.setString(1, Hashes.of(endpoint, id));
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next();
                        }
                    }
                });
    }

    /** The origin of the message known as {@code id} in {@code endpoint}. */
    Origin origin(String endpoint, String id) {
        return db.read(c -> origin(c, endpoint, id));
    }

    private static Origin origin(Connection c, String endpoint, String id) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT src_key, src_id FROM message_map WHERE rev = ?")) {
            ps.setString(1, Hashes.of(endpoint, id));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Origin(rs.getString(1), rs.getString(2)) : new Origin(endpoint, id);
            }
        }
    }

    /**
     * The id in {@code target} of the message known as {@code id} in {@code endpoint}, or null when
     * it never reached the target.
     */
    String translate(String endpoint, String id, String target) {
        return db.read(
                c -> {
                    Origin o = origin(c, endpoint, id);
                    if (o.key().equals(target)) {
                        return o.id();
                    }
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT dst_id FROM message_map WHERE origin = ? AND dst = ?")) {
                        ps.setString(1, Hashes.of(o.key(), o.id()));
                        ps.setString(2, Hashes.of(target));
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getString(1) : null;
                        }
                    }
                });
    }

    /** The sender and a short excerpt of the message known as {@code id} in {@code endpoint}. */
    Optional<Quote> quote(String endpoint, String id) {
        return db.read(
                c -> {
                    Origin o = origin(c, endpoint, id);
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "SELECT nick, excerpt FROM message_map WHERE origin = ?")) {
                        ps.setString(1, Hashes.of(o.key(), o.id()));
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next()
                                    ? Optional.of(new Quote(rs.getString(1), rs.getString(2)))
                                    : Optional.<Quote>empty();
                        }
                    }
                });
    }

    /** Records a delivered message, inside the caller's write transaction. */
    static void record(
            Connection c,
            String srcKey,
            String srcId,
            String dstKey,
            String dstId,
            String nick,
            String text,
            long now)
            throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement(
                        "INSERT INTO message_map (origin, dst, rev, src_key, src_id, dst_key, dst_id,"
                                + " nick, excerpt, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                + " ON CONFLICT (origin, dst) DO UPDATE SET rev = excluded.rev,"
                                + " dst_id = excluded.dst_id")) {
            ps.setString(1, Hashes.of(srcKey, srcId));
            ps.setString(2, Hashes.of(dstKey));
            ps.setString(3, Hashes.of(dstKey, dstId));
            ps.setString(4, srcKey);
            ps.setString(5, srcId);
            ps.setString(6, dstKey);
            ps.setString(7, dstId);
            ps.setString(8, nick);
            ps.setString(9, excerpt(text));
            ps.setLong(10, now);
            ps.executeUpdate();
        }
    }

    /** Removes rows older than the cutoff (epoch millis). */
    int prune(long before) {
        return db.write(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("DELETE FROM message_map WHERE created_at < ?")) {
                        ps.setLong(1, before);
                        return ps.executeUpdate();
                    }
                });
    }

    /** The first line of a text, at most {@value #EXCERPT} characters. */
    static String excerpt(String text) {
        int nl = text.indexOf('\n');
        String line = nl >= 0 ? text.substring(0, nl) : text;
        if (line.length() > EXCERPT) {
            return line.substring(0, EXCERPT) + "…";
        }
        return nl >= 0 ? line + " …" : line;
    }
}
