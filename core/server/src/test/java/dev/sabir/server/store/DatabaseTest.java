package dev.sabir.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.KeyValueStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The database on SQLite and on a real PostgreSQL: migrations, restarts, transactions and the kv
 * store; then what is particular to each (SQLite pragmas and files, PostgreSQL credentials).
 */
class DatabaseTest {
    @RegisterExtension static final TestDatabases DATABASES = new TestDatabases();

    @TempDir Path dir;

    private TestDatabases.Target target(Backend backend) {
        return DATABASES.create(backend, dir);
    }

    private static List<String> tables(Database db) {
        return db.read(
                c -> {
                    List<String> out = new ArrayList<>();
                    DatabaseMetaData meta = c.getMetaData();
                    try (ResultSet rs = meta.getTables(null, null, "%", new String[] {"TABLE"})) {
                        while (rs.next()) {
                            out.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
                        }
                    }
                    return out;
                });
    }

    private static long count(Database db, String sql) {
        return db.read(
                c -> {
                    try (Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery(sql)) {
                        rs.next();
                        return rs.getLong(1);
                    }
                });
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void migratesOnceAndKeepsDataAcrossARestart(Backend backend) {
        TestDatabases.Target t = target(backend);
        try (Database db = t.open()) {
            assertThat(db.isSqlite()).isEqualTo(backend == Backend.SQLITE);
            assertThat(tables(db))
                    .contains(
                            "kv",
                            "sequences",
                            "links",
                            "link_members",
                            "deliveries",
                            "message_map",
                            "flyway_schema_history");
            assertThat(count(db, "SELECT next_value FROM sequences WHERE name = 'delivery'"))
                    .isEqualTo(1);
            db.keyValueStore("s").put("k", "v");
        }
        // Opening again finds the schema current (no second run of V1) and keeps the data.
        try (Database db = t.open()) {
            assertThat(db.keyValueStore("s").get("k")).contains("v");
            assertThat(count(db, "SELECT COUNT(*) FROM sequences")).isEqualTo(1);
            assertThat(
                            count(
                                    db,
                                    "SELECT COUNT(*) FROM flyway_schema_history"
                                            + " WHERE success = "
                                            + (backend == Backend.SQLITE ? "1" : "TRUE")))
                    .isGreaterThanOrEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aFailedWriteRollsBack(Backend backend) {
        try (Database db = target(backend).open()) {
            assertThatThrownBy(
                            () ->
                                    db.write(
                                            c -> {
                                                try (PreparedStatement ps =
                                                        c.prepareStatement(
                                                                "INSERT INTO kv (scope, k, v) VALUES ('s', 'a', '1')")) {
                                                    ps.executeUpdate();
                                                }
                                                throw new IllegalStateException("boom");
                                            }))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(db.keyValueStore("s").get("a")).isEmpty();

            assertThatThrownBy(
                            () ->
                                    db.write(
                                            c -> {
                                                try (Statement s = c.createStatement()) {
                                                    s.executeUpdate(
                                                            "INSERT INTO kv (scope, k, v) VALUES ('s', 'b', '2')");
                                                    s.executeUpdate(
                                                            "INSERT INTO link_members (link_name, member_index, address) VALUES ('nope', 0, 'irc:a/b')");
                                                }
                                                return null;
                                            }))
                    .isInstanceOf(StoreException.class); // foreign key enforced
            assertThat(db.keyValueStore("s").get("b")).isEmpty();

            // The pooled connections are healthy afterwards.
            for (int i = 0; i < 12; i++) {
                db.keyValueStore("s").put("after" + i, "ok");
            }
            assertThat(db.keyValueStore("s").list("after")).hasSize(12);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void keyValueStoreBasics(Backend backend) {
        try (Database db = target(backend).open()) {
            KeyValueStore a = db.keyValueStore("account:a");
            KeyValueStore b = db.keyValueStore("account:b");
            a.put("buddy/x", "1");
            a.put("buddy/y", "2");
            a.put("Buddy/z", "3");
            a.put("key", "old");
            a.put("key", "new");
            b.put("buddy/x", "other scope");

            assertThat(a.get("key")).contains("new");
            assertThat(a.get("missing")).isEqualTo(Optional.empty());
            assertThat(a.list("buddy/"))
                    .containsExactly(Map.entry("buddy/x", "1"), Map.entry("buddy/y", "2"));
            assertThat(a.list("")).containsOnlyKeys("Buddy/z", "buddy/x", "buddy/y", "key");
            assertThat(b.list("buddy/")).containsExactly(Map.entry("buddy/x", "other scope"));

            a.remove("buddy/x");
            a.remove("never-there");
            assertThat(a.get("buddy/x")).isEmpty();
            assertThat(b.get("buddy/x")).contains("other scope");

            a.put("emoji/😀", "smile");
            assertThat(a.list("emoji/😀")).containsOnlyKeys("emoji/😀");
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void keyValueStoreKeepsAwkwardTextExactly(Backend backend) {
        try (Database db = target(backend).open()) {
            // the widest scope and key: 600 and 1998 bytes of UTF-8 fit one PostgreSQL index row
            KeyValueStore kv = db.keyValueStore("國".repeat(SqlKeyValueStore.MAX_SCOPE));
            String wideKey = "字".repeat(666);
            kv.put(wideKey, "");
            kv.put("a%", "percent");
            kv.put("a_", "underscore");
            kv.put("ab", "plain");
            kv.put("quote'\"\\", "line\nbreak\ttab 'quoted' \\ ünïcödé 😀 \u200b");
            kv.put("nul", "before\u0000after\u0001\u00010");
            kv.put("k\u0000", "nul in key");
            kv.put("k\u00010", "escape in key");

            assertThat(kv.get(wideKey)).contains("");
            assertThat(kv.list("字")).containsOnlyKeys(wideKey);
            assertThat(kv.list("a%")).containsOnlyKeys("a%");
            assertThat(kv.list("a_")).containsOnlyKeys("a_");
            assertThat(kv.list("a")).containsOnlyKeys("a%", "a_", "ab");
            assertThat(kv.get("quote'\"\\"))
                    .contains("line\nbreak\ttab 'quoted' \\ ünïcödé 😀 \u200b");
            assertThat(kv.get("nul")).contains("before\u0000after\u0001\u00010");
            assertThat(kv.get("k\u0000")).contains("nul in key");
            assertThat(kv.list("k\u0000")).containsOnlyKeys("k\u0000");
            assertThat(kv.list("k\u0001")).containsOnlyKeys("k\u00010");
            assertThat(kv.list("k")).containsOnlyKeys("k\u0000", "k\u00010");

            // Limits are the same on every database.
            assertThatThrownBy(() -> kv.put("k".repeat(SqlKeyValueStore.MAX_KEY + 1), "v"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> kv.put("字".repeat(667), "v"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> db.keyValueStore("s".repeat(SqlKeyValueStore.MAX_SCOPE + 1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void anUpgradeFromVersion1KeepsTheRows(Backend backend) throws Exception {
        TestDatabases.Target t = target(backend);
        Files.createDirectories(dir.resolve("data"));
        Flyway v1 =
                Flyway.configure()
                        .dataSource(t.url(), t.user(), t.password())
                        .locations("classpath:db/migration")
                        .target("1")
                        .load();
        v1.migrate();
        try (Connection c = v1.getConfiguration().getDataSource().getConnection();
                Statement s = c.createStatement()) {
            s.executeUpdate(
                    "INSERT INTO message_map (origin, dst, rev, src_key, src_id, dst_key, dst_id,"
                            + " nick, excerpt, created_at) VALUES ('o', 'd', 'r', 'irc:a/#x', 'i1',"
                            + " 'xmpp:b/r', 'x1', 'ian', 'hello', 7)");
            s.executeUpdate(
                    "INSERT INTO links (name, format, options, created_at)"
                            + " VALUES ('l', NULL, '{}', 1)");
            s.executeUpdate("INSERT INTO link_members VALUES ('l', 0, 'irc:a/#x')");
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
        String longId = "i".repeat(5000);
        try (Database db = t.open()) {
            db.write(
                    c -> {
                        try (Statement s = c.createStatement()) {
                            s.executeUpdate(
                                    "UPDATE message_map SET src_id = '"
                                            + longId
                                            + "', nick = '"
                                            + "n".repeat(1000)
                                            + "' WHERE origin = 'o'");
                        }
                        return null;
                    });
            db.read(
                    c -> {
                        try (Statement s = c.createStatement();
                                ResultSet rs =
                                        s.executeQuery(
                                                "SELECT src_id, dst_id, nick, excerpt, created_at"
                                                        + " FROM message_map")) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getString("src_id")).isEqualTo(longId);
                            assertThat(rs.getString("dst_id")).isEqualTo("x1");
                            assertThat(rs.getString("nick")).hasSize(1000);
                            assertThat(rs.getString("excerpt")).isEqualTo("hello");
                            assertThat(rs.getLong("created_at")).isEqualTo(7);
                            assertThat(rs.next()).isFalse();
                        }
                        try (Statement s = c.createStatement();
                                ResultSet rs =
                                        s.executeQuery(
                                                "SELECT link_name, member_index, address"
                                                        + " FROM link_members")) {
                            assertThat(rs.next()).isTrue();
                            assertThat(rs.getString(3)).isEqualTo("irc:a/#x");
                        }
                        return null;
                    });
        }
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentWritersDoNotLoseOrCollide(Backend backend) throws Exception {
        try (Database db = target(backend).open()) {
            KeyValueStore kv = db.keyValueStore("load");
            ExecutorService pool = Executors.newFixedThreadPool(6);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    int thread = t;
                    futures.add(
                            pool.submit(
                                    () -> {
                                        for (int i = 0; i < 40; i++) {
                                            kv.put("t" + thread + "-" + i, "v");
                                            // every thread upserts the same key too
                                            kv.put("shared", "t" + thread);
                                            kv.list("t" + thread);
                                        }
                                    }));
                }
                for (Future<?> f : futures) {
                    f.get(30, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(kv.list("t")).hasSize(240);
            assertThat(kv.get("shared")).hasValueSatisfying(v -> assertThat(v).startsWith("t"));
        }
    }

    // --- SQLite only

    private Database openSqlite() {
        return Database.open("jdbc:sqlite:" + dir.resolve("deep/er/sabir.db"), null, null);
    }

    private static String pragma(Database db, String name) {
        return db.read(
                c -> {
                    try (Statement s = c.createStatement();
                            ResultSet rs = s.executeQuery("PRAGMA " + name)) {
                        rs.next();
                        return rs.getString(1);
                    }
                });
    }

    @Test
    void sqliteMakesItsFolderAndUsesWalForeignKeysAndBusyTimeout() {
        try (Database db = openSqlite()) {
            assertThat(Files.exists(dir.resolve("deep/er/sabir.db"))).isTrue();
            assertThat(db.isSqlite()).isTrue();
            assertThat(pragma(db, "journal_mode")).isEqualToIgnoringCase("wal");
            assertThat(pragma(db, "foreign_keys")).isEqualTo("1");
            assertThat(Integer.parseInt(pragma(db, "busy_timeout"))).isGreaterThanOrEqualTo(1000);
        }
    }

    @Test
    void anInMemorySqliteDatabaseWorks() {
        try (Database db = Database.open("jdbc:sqlite::memory:", null, null)) {
            db.keyValueStore("m").put("a", "b");
            assertThat(db.keyValueStore("m").get("a")).contains("b");
        }
    }

    @Test
    void theMigrationsArePortableSql() throws Exception {
        for (String name : List.of("V1__router_and_store.sql", "V2__unbounded_network_text.sql")) {
            String sql;
            try (var in = Database.class.getResourceAsStream("/db/migration/" + name)) {
                assertThat(in).as(name).isNotNull();
                sql =
                        new String(in.readAllBytes(), StandardCharsets.UTF_8)
                                .toUpperCase(Locale.ROOT);
            }
            assertThat(sql)
                    .as(name)
                    .doesNotContain("AUTOINCREMENT")
                    .doesNotContain("WITHOUT ROWID")
                    .doesNotContain("PRAGMA")
                    .doesNotContain("DATETIME")
                    .doesNotContain("INSERT OR ")
                    .doesNotContain("SERIAL")
                    .doesNotContain("ALTER COLUMN")
                    .doesNotContain("MODIFY");
        }
    }

    @Test
    void unsupportedUrlsAreRefused() {
        assertThatThrownBy(() -> Database.open("jdbc:mysql://localhost/x", null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- PostgreSQL only

    @Test
    void postgresqlRefusesAWrongPasswordWithoutLeakingIt() {
        TestDatabases.Target t = target(Backend.POSTGRESQL);
        String wrong = "not-" + t.password();
        assertThatThrownBy(() -> Database.open(t.url(), t.user(), wrong))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("password authentication failed")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(wrong));
        assertThatThrownBy(() -> Database.open(t.url() + "_missing", t.user(), t.password()))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("does not exist");
    }
}
