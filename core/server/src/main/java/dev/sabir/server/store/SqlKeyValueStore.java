package dev.sabir.server.store;

import dev.sabir.api.KeyValueStore;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A {@link KeyValueStore} over the {@code kv} table, one scope per instance.
 *
 * <p>Keys are limited to {@value #MAX_KEY} characters and {@value #MAX_KEY_BYTES} bytes of UTF-8,
 * counted in the form the database stores (see {@link Database#storedForm}): PostgreSQL indexes
 * cannot hold longer primary keys, and the same limit applies on SQLite so that a plugin behaves
 * alike on both.
 */
final class SqlKeyValueStore implements KeyValueStore {
    static final int MAX_SCOPE = 200;
    static final int MAX_KEY = 1000;
    static final int MAX_KEY_BYTES = 2000;

    private final Database db;
    private final String scope;

    SqlKeyValueStore(Database db, String scope) {
        Objects.requireNonNull(scope, "scope");
        if (scope.isEmpty() || db.storedForm(scope).length() > MAX_SCOPE) {
            throw new IllegalArgumentException("scope must have 1 to " + MAX_SCOPE + " characters");
        }
        this.db = db;
        this.scope = scope;
    }

    @Override
    public Optional<String> get(String key) {
        checkKey(db, key);
        return db.read(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("SELECT v FROM kv WHERE scope = ? AND k = ?")) {
                        ps.setString(1, scope);
                        ps.setString(2, key);
                        try (ResultSet rs = ps.executeQuery()) {
                            return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                        }
                    }
                });
    }

    @Override
    public void put(String key, String value) {
        checkKey(db, key);
        Objects.requireNonNull(value, "value");
        db.write(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    "INSERT INTO kv (scope, k, v) VALUES (?, ?, ?)"
                                            + " ON CONFLICT (scope, k) DO UPDATE SET v = excluded.v")) {
                        ps.setString(1, scope);
                        ps.setString(2, key);
                        ps.setString(3, value);
                        ps.executeUpdate();
                    }
                    return null;
                });
    }

    @Override
    public void remove(String key) {
        checkKey(db, key);
        db.write(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement("DELETE FROM kv WHERE scope = ? AND k = ?")) {
                        ps.setString(1, scope);
                        ps.setString(2, key);
                        ps.executeUpdate();
                    }
                    return null;
                });
    }

    @Override
    public Map<String, String> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        // substr counts characters (code points) of the stored form in both SQLite and
        // PostgreSQL; LIKE is avoided because SQLite's LIKE ignores ASCII case. SQLite's string
        // functions stop at a NUL, so the database only narrows by the part of the prefix before
        // the first NUL and the exact test happens here. Sorting happens here too, so the order
        // does not depend on the database's collation.
        int nul = prefix.indexOf('\u0000');
        String narrow = nul >= 0 ? prefix.substring(0, nul) : prefix;
        String stored = db.storedForm(narrow);
        TreeMap<String, String> out = new TreeMap<>();
        db.read(
                c -> {
                    try (PreparedStatement ps =
                            c.prepareStatement(
                                    narrow.isEmpty()
                                            ? "SELECT k, v FROM kv WHERE scope = ?"
                                            : "SELECT k, v FROM kv WHERE scope = ?"
                                                    + " AND substr(k, 1, ?) = ?")) {
                        ps.setString(1, scope);
                        if (!narrow.isEmpty()) {
                            ps.setInt(2, stored.codePointCount(0, stored.length()));
                            ps.setString(3, narrow); // stored form made by the connection
                        }
                        try (ResultSet rs = ps.executeQuery()) {
                            while (rs.next()) {
                                String k = rs.getString(1);
                                if (k.startsWith(prefix)) {
                                    out.put(k, rs.getString(2));
                                }
                            }
                        }
                    }
                    return null;
                });
        return Collections.unmodifiableMap(out);
    }

    private static void checkKey(Database db, String key) {
        Objects.requireNonNull(key, "key");
        if (key.length() > MAX_KEY) {
            throw new IllegalArgumentException("key longer than " + MAX_KEY + " characters");
        }
        String stored = db.storedForm(key);
        if (stored.length() > MAX_KEY
                || stored.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "key longer than " + MAX_KEY + " characters or " + MAX_KEY_BYTES + " bytes");
        }
    }
}
