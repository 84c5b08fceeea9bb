package dev.sabir.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.KeyValueStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite database: folder creation, pragmas, migrations, transactions and the kv store. */
class DatabaseTest {
    @TempDir Path dir;

    private Database open() {
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
    void opensWithWalForeignKeysAndBusyTimeoutAndMigrates() {
        try (Database db = open()) {
            assertThat(Files.exists(dir.resolve("deep/er/sabir.db"))).isTrue();
            assertThat(db.isSqlite()).isTrue();
            assertThat(pragma(db, "journal_mode")).isEqualToIgnoringCase("wal");
            assertThat(pragma(db, "foreign_keys")).isEqualTo("1");
            assertThat(Integer.parseInt(pragma(db, "busy_timeout"))).isGreaterThanOrEqualTo(1000);
            List<String> tables =
                    db.read(
                            c -> {
                                List<String> out = new ArrayList<>();
                                try (Statement s = c.createStatement();
                                        ResultSet rs =
                                                s.executeQuery(
                                                        "SELECT name FROM sqlite_master WHERE type = 'table'")) {
                                    while (rs.next()) {
                                        out.add(rs.getString(1));
                                    }
                                }
                                return out;
                            });
            assertThat(tables)
                    .contains(
                            "kv", "sequences", "links", "link_members", "deliveries", "message_map",
                            "flyway_schema_history");
        }
        // Opening again finds the schema current and keeps the data.
        try (Database db = open()) {
            db.keyValueStore("s").put("k", "v");
        }
        try (Database db = open()) {
            assertThat(db.keyValueStore("s").get("k")).contains("v");
        }
    }

    @Test
    void theMigrationIsPortableSql() throws Exception {
        String sql;
        try (var in = Database.class.getResourceAsStream("/db/migration/V1__router_and_store.sql")) {
            assertThat(in).isNotNull();
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8).toUpperCase(Locale.ROOT);
        }
        assertThat(sql)
                .doesNotContain("AUTOINCREMENT")
                .doesNotContain("WITHOUT ROWID")
                .doesNotContain("PRAGMA")
                .doesNotContain("DATETIME")
                .doesNotContain("INSERT OR ")
                .doesNotContain("SERIAL");
    }

    @Test
    void aFailedWriteRollsBack() {
        try (Database db = open()) {
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
                                                            "INSERT INTO link_members VALUES ('nope', 0, 'irc:a/b')");
                                                }
                                                return null;
                                            }))
                    .isInstanceOf(StoreException.class); // foreign key enforced
        }
    }

    @Test
    void keyValueStoreBasics() {
        try (Database db = open()) {
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
            assertThat(a.list("buddy/")).containsExactly(Map.entry("buddy/x", "1"), Map.entry("buddy/y", "2"));
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

    @Test
    void concurrentWritersAreSerialised() throws Exception {
        try (Database db = open()) {
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
            assertThat(kv.list("")).hasSize(240);
        }
    }

    @Test
    void unsupportedUrlsAreRefused() {
        assertThatThrownBy(() -> Database.open("jdbc:mysql://localhost/x", null, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anInMemoryDatabaseWorks() {
        try (Database db = Database.open("jdbc:sqlite::memory:", null, null)) {
            db.keyValueStore("m").put("a", "b");
            assertThat(db.keyValueStore("m").get("a")).contains("b");
        }
    }
}
