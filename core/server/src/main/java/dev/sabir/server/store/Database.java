package dev.sabir.server.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.sabir.api.KeyValueStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/**
 * The server's database: SQLite (WAL, busy_timeout, one writer at a time) by default, PostgreSQL by
 * JDBC URL. Migrations (Flyway, portable SQL under {@code db/migration}) run on open.
 *
 * <p>Connections come from a HikariCP pool built on the driver's own {@link DataSource} class (no
 * {@code DriverManager} lookup through the context class loader). For SQLite every {@link #write}
 * holds one process-wide lock, so there is a single writer lane and no {@code SQLITE_BUSY} between
 * the server's own threads; reads run in parallel thanks to WAL.
 *
 * <p>PostgreSQL (tested with 15) needs an existing database; Flyway creates the tables in the
 * user's default schema. Writers are not serialised there (row locks and {@code ON CONFLICT} do the
 * work). PostgreSQL refuses the NUL character in text, which SQLite stores: connections handed to
 * {@link #read} and {@link #write} escape it in string parameters and unescape strings read back
 * (see {@link #storedForm}), so both databases return exactly what they were given. This is the one
 * place where the two databases are treated differently after opening.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Database.class);
    private static final String SQLITE_PREFIX = "jdbc:sqlite:";
    private static final int BUSY_TIMEOUT_MS = 10_000;

    /** Work done on one connection inside a transaction. */
    @FunctionalInterface
    public interface SqlWork<T> {
        /** Runs the work. */
        T run(Connection connection) throws SQLException;
    }

    private final HikariDataSource pool;
    private final boolean sqlite;
    private final ReentrantLock writeLane = new ReentrantLock();

    private Database(HikariDataSource pool, boolean sqlite) {
        this.pool = pool;
        this.sqlite = sqlite;
    }

    /**
     * Opens the database and migrates it. For SQLite the parent folder of the file is created.
     *
     * @param url a JDBC URL
     * @param user may be null
     * @param password may be null
     * @throws StoreException when the database cannot be opened or migrated
     * @throws IllegalArgumentException when the URL is neither SQLite nor PostgreSQL
     */
    public static Database open(String url, String user, String password) {
        Objects.requireNonNull(url, "url");
        boolean sqlite = url.startsWith(SQLITE_PREFIX);
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("sabir-db");
        if (sqlite) {
            boolean memory = createParentFolder(url);
            SQLiteConfig cfg = new SQLiteConfig();
            cfg.setJournalMode(SQLiteConfig.JournalMode.WAL);
            cfg.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            cfg.setBusyTimeout(BUSY_TIMEOUT_MS);
            cfg.enforceForeignKeys(true);
            cfg.setTransactionMode(SQLiteConfig.TransactionMode.IMMEDIATE);
            SQLiteDataSource ds = new SQLiteDataSource(cfg);
            ds.setUrl(url);
            hc.setDataSource(ds);
            // An in-memory database exists once per connection: keep exactly one.
            hc.setMaximumPoolSize(memory ? 1 : 4);
            hc.setMinimumIdle(1);
        } else if (url.startsWith("jdbc:postgresql:")) {
            PGSimpleDataSource ds = new PGSimpleDataSource();
            ds.setURL(url);
            if (user != null) {
                ds.setUser(user);
            }
            if (password != null) {
                ds.setPassword(password);
            }
            ds.setApplicationName("sabir");
            ds.setTcpKeepAlive(true);
            hc.setDataSource(ds);
            hc.setMaximumPoolSize(10);
            hc.setMinimumIdle(2);
        } else {
            throw new IllegalArgumentException(
                    "unsupported database URL (expected jdbc:sqlite:... or jdbc:postgresql:...)");
        }
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new StoreException("cannot open the database: " + e.getMessage(), e);
        }
        Database db = new Database(pool, sqlite);
        try {
            db.migrate();
        } catch (RuntimeException e) {
            pool.close();
            throw new StoreException("database migration failed: " + e.getMessage(), e);
        }
        LOG.info("database open ({})", sqlite ? "sqlite" : "postgresql");
        return db;
    }

    /** Creates the folder of a SQLite file; true when the URL names an in-memory database. */
    private static boolean createParentFolder(String url) {
        String rest = url.substring(SQLITE_PREFIX.length());
        int query = rest.indexOf('?');
        String params = query >= 0 ? rest.substring(query + 1) : "";
        String file = query >= 0 ? rest.substring(0, query) : rest;
        if (file.isEmpty()
                || file.equals(":memory:")
                || params.toLowerCase(Locale.ROOT).contains("mode=memory")) {
            return true;
        }
        if (file.startsWith("file:")) {
            file = file.substring("file:".length());
        }
        Path parent = Paths.get(file).toAbsolutePath().getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (IOException e) {
                throw new StoreException("cannot create the database folder " + parent, e);
            }
        }
        return false;
    }

    private void migrate() {
        Flyway.configure(getClass().getClassLoader())
                .dataSource(pool)
                .locations("classpath:db/migration")
                .load()
                .migrate();
    }

    /** The pooled data source (raw connections: no NUL escaping on PostgreSQL). */
    public DataSource dataSource() {
        return pool;
    }

    /** True when the database is SQLite. */
    public boolean isSqlite() {
        return sqlite;
    }

    /**
     * The form in which the database stores a string: itself on SQLite; on PostgreSQL, NUL and the
     * escape character U+0001 are escaped (two characters each). SQL that measures stored text
     * (lengths, {@code substr}) must measure this form. Parameters set and strings read through the
     * connections of {@link #read} and {@link #write} are converted automatically.
     */
    public String storedForm(String text) {
        return sqlite ? text : PostgresText.encode(text);
    }

    private Connection connection() throws SQLException {
        Connection c = pool.getConnection();
        return sqlite ? c : PostgresText.wrap(c);
    }

    /**
     * Runs work in a write transaction (serialised for SQLite): committed when the work returns,
     * rolled back when it throws.
     *
     * @throws StoreException when the database reports an error
     */
    public <T> T write(SqlWork<T> work) {
        if (sqlite) {
            writeLane.lock();
        }
        try (Connection c = connection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("database write failed: " + e.getMessage(), e);
        } finally {
            if (sqlite) {
                writeLane.unlock();
            }
        }
    }

    /**
     * Runs read-only work outside an explicit transaction.
     *
     * @throws StoreException when the database reports an error
     */
    public <T> T read(SqlWork<T> work) {
        try (Connection c = connection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("database read failed: " + e.getMessage(), e);
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    /** A key-value store for one scope (e.g. {@code account:irc1}). */
    public KeyValueStore keyValueStore(String scope) {
        return new SqlKeyValueStore(this, scope);
    }

    @Override
    public void close() {
        pool.close();
    }
}
