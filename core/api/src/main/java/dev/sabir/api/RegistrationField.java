package dev.sabir.api;

import java.util.Objects;

/**
 * A field of the registration form for a personal account on a network.
 *
 * @param key the account setting it fills, e.g. {@code nick}
 * @param label what the user sees
 * @param required true when it must be filled
 * @param secret true for passwords (never logged, shown masked)
 */
public record RegistrationField(String key, String label, boolean required, boolean secret) {
    /** Checks the parts. */
    public RegistrationField {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(label, "label");
    }
}
