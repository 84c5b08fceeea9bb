package dev.sabir.server.router;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.api.Address;
import dev.sabir.server.config.SabirConfig;
import dev.sabir.server.store.Database;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runtime links in the {@code links} and {@code link_members} tables. */
final class LinkStore {
    private static final Logger LOG = LoggerFactory.getLogger(LinkStore.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Database db;

    LinkStore(Database db) {
        this.db = db;
    }

    /** All stored links, by name in creation order. */
    Map<String, SabirConfig.LinkEntry> loadAll() {
        return db.read(
                c -> {
                    Map<String, String[]> heads = new LinkedHashMap<>();
                    try (PreparedStatement ps =
                                    c.prepareStatement(
                                            "SELECT name, format, options FROM links"
                                                    + " ORDER BY created_at, name");
                            ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            heads.put(
                                    rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                        }
                    }
                    Map<String, List<Address>> members = new LinkedHashMap<>();
                    try (PreparedStatement ps =
                                    c.prepareStatement(
                                            "SELECT link_name, address FROM link_members"
                                                    + " ORDER BY link_name, position");
                            ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            members.computeIfAbsent(rs.getString(1), k -> new ArrayList<>())
                                    .add(Address.parse(rs.getString(2)));
                        }
                    }
                    Map<String, SabirConfig.LinkEntry> out = new LinkedHashMap<>();
                    heads.forEach(
                            (name, h) ->
                                    out.put(
                                            name,
                                            new SabirConfig.LinkEntry(
                                                    name,
                                                    List.copyOf(members.getOrDefault(name, List.of())),
                                                    h[0],
                                                    options(name, h[1]))));
                    return out;
                });
    }

    /** Stores a link (the name must be new). */
    void insert(SabirConfig.LinkEntry link) {
        String options;
        try {
            options = JSON.writeValueAsString(link.options() == null ? Map.of() : link.options());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("link options cannot be stored: " + e.getMessage(), e);
        }
        long now = System.currentTimeMillis();
        db.write(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "INSERT INTO links (name, format, options, created_at)"
                                            + " VALUES (?, ?, ?, ?)")) {
                        ps.setString(1, link.name());
                        ps.setString(2, link.format());
                        ps.setString(3, options);
                        ps.setLong(4, now);
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "INSERT INTO link_members (link_name, position, address)"
                                            + " VALUES (?, ?, ?)")) {
                        int pos = 0;
                        for (Address a : link.members()) {
                            ps.setString(1, link.name());
                            ps.setInt(2, pos++);
                            ps.setString(3, a.toString());
                            ps.addBatch();
                        }
                        ps.executeBatch();
                    }
                    return null;
                });
    }

    /** Deletes a stored link; false when there was none. */
    boolean delete(String name) {
        return db.write(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("DELETE FROM link_members WHERE link_name = ?")) {
                        ps.setString(1, name);
                        ps.executeUpdate();
                    }
                    try (PreparedStatement ps =
                            c.prepareStatement("DELETE FROM links WHERE name = ?")) {
                        ps.setString(1, name);
                        return ps.executeUpdate() > 0;
                    }
                });
    }

    private static Map<String, Object> options(String name, String json) {
        if (json == null || json.isBlank()) {
            return Map.of();
        }
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() {});
        } catch (JsonProcessingException e) {
            LOG.warn("link {}: stored options unreadable, ignoring them", name);
            return Map.of();
        }
    }
}
