package dev.sabir.server.store;

/** A database operation failed (connection, constraint, migration). Unchecked. */
public class StoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what was being done
     * @param cause the driver's error
     */
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
