package dev.sabir.server.store;

/** The databases the store's tests run on. */
public enum Backend {
    /** An SQLite file in the test's temporary folder. */
    SQLITE,
    /** A fresh database on a real PostgreSQL started for the test class. */
    POSTGRESQL
}
