package dev.sabir.api;

/** A delivery could not be carried out. */
public class DeliveryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final boolean retryable;

    /**
     * @param message what went wrong, for operators
     * @param retryable true when trying again later may succeed (offline, rate limited)
     */
    public DeliveryException(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    /** The network is not reachable now; keep the delivery queued. */
    public static DeliveryException offline(String message) {
        return new DeliveryException(message, true);
    }

    /** The delivery can never succeed (unknown room, refused); drop it and count it. */
    public static DeliveryException permanent(String message) {
        return new DeliveryException(message, false);
    }

    /** True when trying again later may succeed. */
    public boolean retryable() {
        return retryable;
    }
}
