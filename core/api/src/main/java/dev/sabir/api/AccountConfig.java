package dev.sabir.api;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One configured account: its name, protocol and the plugin-specific keys.
 *
 * <p>Values are what the YAML parser produced (strings, numbers, booleans, lists and maps) after
 * {@code ${ENV}} substitution. The typed getters throw {@link InvalidConfigException} naming the
 * key, which the host reports with the file and line.
 *
 * @param name the account name
 * @param protocol the protocol id ({@code plugin:} key)
 * @param enabled false when the operator disabled it
 * @param settings the plugin-specific keys
 */
public record AccountConfig(
        String name, String protocol, boolean enabled, Map<String, Object> settings) {

    /** Checks the parts and copies the settings. */
    public AccountConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(protocol, "protocol");
        settings = settings == null ? Map.of() : new LinkedHashMap<>(settings);
    }

    /** The account's own address. */
    public Address address() {
        return Address.ofAccount(protocol, name);
    }

    /** True when the key is present. */
    public boolean has(String key) {
        return settings.containsKey(key) && settings.get(key) != null;
    }

    /** A required string. */
    public String string(String key) throws InvalidConfigException {
        Object v = settings.get(key);
        if (v == null) {
            throw new InvalidConfigException(key, "missing required key");
        }
        if (v instanceof Map || v instanceof List) {
            throw new InvalidConfigException(key, "expected a text value");
        }
        return v.toString();
    }

    /** An optional string. */
    public String string(String key, String fallback) throws InvalidConfigException {
        return has(key) ? string(key) : fallback;
    }

    /** An optional integer within bounds. */
    public int integer(String key, int fallback, int min, int max) throws InvalidConfigException {
        if (!has(key)) {
            return fallback;
        }
        Object v = settings.get(key);
        long n;
        if (v instanceof Number num) {
            n = num.longValue();
        } else {
            try {
                n = Long.parseLong(v.toString().trim());
            } catch (NumberFormatException e) {
                throw new InvalidConfigException(key, "expected a whole number, got '" + v + "'");
            }
        }
        if (n < min || n > max) {
            throw new InvalidConfigException(
                    key, "must be between " + min + " and " + max + ", got " + n);
        }
        return (int) n;
    }

    /** An optional boolean. */
    public boolean bool(String key, boolean fallback) throws InvalidConfigException {
        if (!has(key)) {
            return fallback;
        }
        Object v = settings.get(key);
        if (v instanceof Boolean b) {
            return b;
        }
        return switch (v.toString().trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default ->
                    throw new InvalidConfigException(
                            key, "expected true or false, got '" + v + "'");
        };
    }

    /** An optional list of strings (a single value counts as a one-element list). */
    public List<String> strings(String key) throws InvalidConfigException {
        if (!has(key)) {
            return List.of();
        }
        Object v = settings.get(key);
        if (v instanceof List<?> list) {
            List<String> out = new ArrayList<>();
            for (Object o : list) {
                if (o instanceof Map || o instanceof List) {
                    throw new InvalidConfigException(key, "expected a list of text values");
                }
                out.add(String.valueOf(o));
            }
            return List.copyOf(out);
        }
        if (v instanceof Map) {
            throw new InvalidConfigException(key, "expected a list");
        }
        return List.of(v.toString());
    }

    /** An optional nested map; the keys of the returned config are prefixed for error messages. */
    @SuppressWarnings("unchecked")
    public AccountConfig section(String key) throws InvalidConfigException {
        if (!has(key)) {
            return new AccountConfig(name, protocol, enabled, Map.of());
        }
        Object v = settings.get(key);
        if (!(v instanceof Map<?, ?> m)) {
            throw new InvalidConfigException(key, "expected a map of keys");
        }
        return new AccountConfig(name, protocol, enabled, (Map<String, Object>) m);
    }

    /** An optional {@code host:port} address. */
    public InetSocketAddress hostPort(String key, InetSocketAddress fallback)
            throws InvalidConfigException {
        if (!has(key)) {
            return fallback;
        }
        return parseHostPort(key, string(key));
    }

    /** Parses {@code host:port} (IPv6 in brackets), naming the key on error. */
    public static InetSocketAddress parseHostPort(String key, String text)
            throws InvalidConfigException {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new InvalidConfigException(key, "expected host:port, got '" + text + "'");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(key, "bad port in '" + text + "'");
        }
        if (port < 0 || port > 65535) {
            throw new InvalidConfigException(key, "port out of range in '" + text + "'");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }
}
