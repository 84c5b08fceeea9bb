package dev.sabir.server.store;

import dev.sabir.testkit.servers.Postgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Hands out empty databases to tests, on SQLite or PostgreSQL. Register it as a static field with
 * {@code @RegisterExtension}: the PostgreSQL server is started on first use and shared by the test
 * class's tests (each gets its own database in it), then stopped after the class.
 */
public final class TestDatabases implements AfterAllCallback {
    private Postgres server;
    private int created;

    /**
     * Where a database lives and how to log in.
     *
     * @param backend the kind of database
     * @param url its JDBC URL
     * @param user null for SQLite
     * @param password null for SQLite
     */
    public record Target(Backend backend, String url, String user, String password) {
        /** Opens (and migrates) the database; call again after close to simulate a restart. */
        public Database open() {
            return Database.open(url, user, password);
        }
    }

    /**
     * A new empty database.
     *
     * @param backend which kind
     * @param dir the test's temporary folder (holds the SQLite file)
     */
    public synchronized Target create(Backend backend, Path dir) {
        switch (backend) {
            case SQLITE:
                return new Target(
                        backend, "jdbc:sqlite:" + dir.resolve("data/sabir.db"), null, null);
            case POSTGRESQL:
                try {
                    if (server == null || !server.running()) {
                        if (server != null) {
                            server.close();
                        }
                        server = Postgres.start();
                    }
                    String url = server.createDatabase("test_" + (++created));
                    return new Target(backend, url, server.user(), server.password());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            default:
                throw new IllegalArgumentException(backend.toString());
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }
}
