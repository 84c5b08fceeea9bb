package dev.sabir.api;

/**
 * An account's configuration is wrong. The host turns it into an error naming the config file, the
 * line and the full key.
 */
public class InvalidConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final String key;

    /**
     * @param key the key within the account's settings, e.g. {@code server} or {@code sasl.user}
     * @param message what is wrong with it
     */
    public InvalidConfigException(String key, String message) {
        super(message);
        this.key = key;
    }

    /** The key within the account's settings. */
    public String key() {
        return key;
    }
}
