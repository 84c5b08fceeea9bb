package dev.sabir.server.router;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.FileOffer;
import dev.sabir.server.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code deliveries} table: every durable delivery is inserted (state {@code pending}) before
 * it is attempted, and becomes {@code done} or {@code dropped} afterwards. The unique {@code
 * dedupe} column (hash of source endpoint, source message id and destination endpoint) keeps a
 * replayed source message from being stored twice. Finished rows are kept for a while so that
 * dedupe still works, and pruned by age.
 */
final class DeliveryStore {
    private static final Logger LOG = LoggerFactory.getLogger(DeliveryStore.class);
    private static final int ID_BLOCK = 100;

    static final String PENDING = "pending";
    static final String DONE = "done";
    static final String DROPPED = "dropped";

    private final Database db;
    private long nextId;
    private long idLimit;

    DeliveryStore(Database db) {
        this.db = db;
    }

    /**
     * A durable event and where it goes.
     *
     * @param source {@code Delivery.source}
     * @param sourceKey the source endpoint
     * @param event a {@link ChatMessage} or {@link FileOffer}
     * @param targets the destinations
     */
    record Outgoing(Address source, String sourceKey, BridgeEvent event, List<Target> targets) {}

    /**
     * Stores one delivery per target of each event, all in one transaction; a target that already
     * has that source message is skipped. Returns what was stored, in order.
     */
    List<Pending> insert(List<Outgoing> batch) {
        int rows = batch.stream().mapToInt(o -> o.targets().size()).sum();
        if (rows == 0) {
            return List.of();
        }
        long firstId = reserveIds(rows);
        long now = System.currentTimeMillis();
        return db.write(
                c -> {
                    List<Pending> stored = new ArrayList<>(rows);
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "INSERT INTO deliveries (id, dedupe, target, dest_account,"
                                            + " destination, source, source_key, source_id, link_name,"
                                            + " format, event, state, created_at, updated_at)"
                                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                                            + " ON CONFLICT (dedupe) DO NOTHING")) {
                        long id = firstId;
                        for (Outgoing o : batch) {
                            String sourceId = EventCodec.sourceId(o.event());
                            String json = EventCodec.encode(o.event());
                            for (Target t : o.targets()) {
                                ps.setLong(1, id);
                                ps.setString(2, Hashes.of(o.sourceKey(), sourceId, t.key()));
                                ps.setString(3, t.key());
                                ps.setString(4, t.account().toString());
                                ps.setString(5, t.destination().toString());
                                ps.setString(6, o.source().toString());
                                ps.setString(7, o.sourceKey());
                                ps.setString(8, sourceId);
                                ps.setString(9, t.link());
                                ps.setString(10, t.format());
                                ps.setString(11, json);
                                ps.setString(12, PENDING);
                                ps.setLong(13, now);
                                ps.setLong(14, now);
                                if (ps.executeUpdate() == 1) {
                                    stored.add(
                                            new Pending(
                                                    id,
                                                    t,
                                                    o.source(),
                                                    o.sourceKey(),
                                                    sourceId,
                                                    o.event()));
                                }
                                id++;
                            }
                        }
                    }
                    return stored;
                });
    }

    /** Hands out {@code n} consecutive ids, reserving blocks from the {@code sequences} table. */
    private synchronized long reserveIds(int n) {
        if (nextId + n > idLimit) {
            int block = Math.max(ID_BLOCK, n);
            long start =
                    db.write(
                            c -> {
                                // bump first, then read: the row lock held from the update on
                                // makes the block ours even with another writer on the database
                                try (PreparedStatement ps =
                                        c.prepareStatement(
                                                "UPDATE sequences SET next_value = next_value + ?"
                                                        + " WHERE name = ?")) {
                                    ps.setLong(1, block);
                                    ps.setString(2, "delivery");
                                    if (ps.executeUpdate() != 1) {
                                        throw new java.sql.SQLException(
                                                "sequence 'delivery' missing");
                                    }
                                }
                                try (PreparedStatement ps =
                                        c.prepareStatement(
                                                "SELECT next_value FROM sequences WHERE name = ?")) {
                                    ps.setString(1, "delivery");
                                    try (ResultSet rs = ps.executeQuery()) {
                                        rs.next();
                                        return rs.getLong(1) - block;
                                    }
                                }
                            });
            nextId = start;
            idLimit = start + block;
        }
        long first = nextId;
        nextId += n;
        return first;
    }

    /**
     * A finished delivery.
     *
     * @param pending the delivery
     * @param remoteId the destination network's id, or null
     */
    record Done(Pending pending, String remoteId) {}

    /** Marks a delivery done and records the destination's id for it, in one transaction. */
    void markDone(Pending p, String remoteId) {
        markDone(List.of(new Done(p, remoteId)));
    }

    /** Marks deliveries done and records the destinations' ids, all in one transaction. */
    void markDone(List<Done> batch) {
        long now = System.currentTimeMillis();
        db.write(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "UPDATE deliveries SET state = ?, updated_at = ? WHERE id = ?")) {
                        for (Done d : batch) {
                            ps.setString(1, DONE);
                            ps.setLong(2, now);
                            ps.setLong(3, d.pending().id());
                            ps.executeUpdate();
                        }
                    }
                    for (Done d : batch) {
                        Pending p = d.pending();
                        String remoteId = d.remoteId();
                        if (remoteId == null || remoteId.isEmpty()) {
                            continue;
                        }
                        String nick;
                        String text;
                        if (p.event() instanceof ChatMessage m) {
                            nick = m.sender().nick();
                            text = m.text();
                        } else if (p.event() instanceof FileOffer f) {
                            nick = f.sender().nick();
                            text = f.name();
                        } else {
                            continue;
                        }
                        MessageMap.record(
                                c,
                                p.sourceKey(),
                                p.sourceId(),
                                p.target().key(),
                                remoteId,
                                nick,
                                text,
                                now);
                    }
                    return null;
                });
    }

    /** Marks a delivery dropped (it will not be attempted again). */
    void markDropped(long id) {
        long now = System.currentTimeMillis();
        db.write(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "UPDATE deliveries SET state = ?, updated_at = ? WHERE id = ?")) {
                        ps.setString(1, DROPPED);
                        ps.setLong(2, now);
                        ps.setLong(3, id);
                        ps.executeUpdate();
                    }
                    return null;
                });
    }

    /** Every pending delivery, oldest first. Rows that cannot be read any more are dropped. */
    List<Pending> loadPending() {
        List<Long> broken = new ArrayList<>();
        List<Pending> out =
                db.read(
                        c -> {
                            List<Pending> list = new ArrayList<>();
                            try (PreparedStatement ps =
                                    c.prepareStatement(
                                            "SELECT id, target, dest_account, destination, source,"
                                                    + " source_key, source_id, link_name, format, event"
                                                    + " FROM deliveries WHERE state = ? ORDER BY id")) {
                                ps.setString(1, PENDING);
                                try (ResultSet rs = ps.executeQuery()) {
                                    while (rs.next()) {
                                        long id = rs.getLong(1);
                                        try {
                                            Target t =
                                                    new Target(
                                                            rs.getString(2),
                                                            Address.parse(rs.getString(3)),
                                                            Address.parse(rs.getString(4)),
                                                            rs.getString(8),
                                                            rs.getString(9));
                                            list.add(
                                                    new Pending(
                                                            id,
                                                            t,
                                                            Address.parse(rs.getString(5)),
                                                            rs.getString(6),
                                                            rs.getString(7),
                                                            EventCodec.decode(rs.getString(10))));
                                        } catch (RuntimeException e) {
                                            LOG.warn(
                                                    "dropping unreadable delivery {}: {}",
                                                    id,
                                                    e.toString());
                                            broken.add(id);
                                        }
                                    }
                                }
                            }
                            return list;
                        });
        broken.forEach(this::markDropped);
        return out;
    }

    /** The number of pending deliveries. */
    long countPending() {
        return db.read(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("SELECT COUNT(*) FROM deliveries WHERE state = ?")) {
                        ps.setString(1, PENDING);
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            return rs.getLong(1);
                        }
                    }
                });
    }

    /** The state of a delivery, or null when unknown (for tests and the admin surface). */
    String state(long id) {
        return db.read(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("SELECT state FROM deliveries WHERE id = ?")) {
                        ps.setLong(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? rs.getString(1) : null;
                        }
                    }
                });
    }

    /** Deletes finished rows last changed before the cutoff (epoch millis). */
    int prune(long before) {
        return db.write(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "DELETE FROM deliveries WHERE state <> ? AND updated_at < ?")) {
                        ps.setString(1, PENDING);
                        ps.setLong(2, before);
                        return ps.executeUpdate();
                    }
                });
    }
}
