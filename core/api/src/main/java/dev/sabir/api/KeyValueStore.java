package dev.sabir.api;

import java.util.Map;
import java.util.Optional;

/** A small persistent map private to one account (buddy lists, keys, room state). Thread-safe. */
public interface KeyValueStore {

    /** The value stored under the key. */
    Optional<String> get(String key);

    /** Stores a value (durable when this returns). */
    void put(String key, String value);

    /** Removes a key; no error when absent. */
    void remove(String key);

    /** All keys starting with the prefix, with their values, in key order. */
    Map<String, String> list(String prefix);
}
