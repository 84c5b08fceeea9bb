package dev.sabir.server.store;

import dev.sabir.api.KeyValueStore;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The server's database: SQLite (WAL, busy_timeout, one writer at a time) by default, PostgreSQL by
 * JDBC URL. Migrations (Flyway, portable SQL under {@code db/migration}) run on open.
 */
public final class Database implements AutoCloseable {

    /** Work done on one connection inside a transaction. */
    @FunctionalInterface
    public interface SqlWork<T> {
        /** Runs the work. */
        T run(Connection connection) throws SQLException;
    }

    private Database() {}

    /**
     * Opens the database and migrates it. For SQLite the parent folder of the file is created.
     *
     * @param url a JDBC URL
     * @param user may be null
     * @param password may be null
     */
    public static Database open(String url, String user, String password) {
        throw new UnsupportedOperationException("TODO(router helper)");
    }

    /** The pooled data source. */
    public DataSource dataSource() {
        throw new UnsupportedOperationException();
    }

    /** True when the database is SQLite. */
    public boolean isSqlite() {
        throw new UnsupportedOperationException();
    }

    /** Runs work in a write transaction (serialised for SQLite). */
    public <T> T write(SqlWork<T> work) {
        throw new UnsupportedOperationException();
    }

    /** Runs read-only work. */
    public <T> T read(SqlWork<T> work) {
        throw new UnsupportedOperationException();
    }

    /** A key-value store for one scope (e.g. {@code account:irc1}). */
    public KeyValueStore keyValueStore(String scope) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void close() {}
}
