/**
 * Persistence: {@link dev.sabir.server.store.Database} (SQLite or PostgreSQL through a HikariCP
 * pool, Flyway migrations from {@code db/migration}) and the key-value stores handed to sessions.
 */
package dev.sabir.server.store;
