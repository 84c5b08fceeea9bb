package dev.sabir.testkit;

import dev.sabir.api.KeyValueStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** An in-memory {@link KeyValueStore} for tests; survives session restarts within one TestHost. */
public final class MemoryKeyValueStore implements KeyValueStore {
    private final ConcurrentSkipListMap<String, String> map = new ConcurrentSkipListMap<>();

    @Override
    public Optional<String> get(String key) {
        return Optional.ofNullable(map.get(key));
    }

    @Override
    public void put(String key, String value) {
        map.put(key, value);
    }

    @Override
    public void remove(String key) {
        map.remove(key);
    }

    @Override
    public Map<String, String> list(String prefix) {
        return Map.copyOf(map.subMap(prefix, true, prefix + Character.MAX_VALUE, false));
    }

    /** Number of keys. */
    public int size() {
        return map.size();
    }
}
