package dev.sabir.server.config;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.Address;
import dev.sabir.api.InvalidConfigException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads {@link SabirConfig} from one YAML file. Works on SnakeYAML's node tree so that every key
 * keeps its line; every problem becomes a {@link ConfigException} naming file, line and dotted key.
 * Values may use {@code ${NAME}} and {@code ${NAME:-default}} to take text from the environment
 * ({@code $${} writes a literal {@code ${}).
 */
public final class ConfigLoader {

    /** The largest config file accepted. */
    public static final int MAX_FILE_BYTES = 1 << 20;

    /** Default admin listener. */
    public static final String DEFAULT_ADMIN_LISTEN = "127.0.0.1:8470";

    /** Default database. */
    public static final String DEFAULT_STORAGE_URL = "jdbc:sqlite:data/sabir.db";

    /** Default nick template of a link. */
    public static final String DEFAULT_LINK_FORMAT = "<{nick}@{network}> {text}";

    private static final Pattern ENV =
            Pattern.compile("\\$(\\$?)\\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?}");
    private static final Pattern PROTOCOL = Pattern.compile("[a-z0-9_-]{1,32}");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final Set<String> TOP =
            Set.of("admin", "storage", "plugins", "spool", "router", "accounts", "links");

    private final Path file;
    private final Map<String, String> env;
    private final Path baseDir;
    private final Map<String, Integer> lines = new LinkedHashMap<>();

    private ConfigLoader(Path file, Map<String, String> env, Path baseDir) {
        this.file = file;
        this.env = env;
        this.baseDir = baseDir.toAbsolutePath().normalize();
    }

    /**
     * Loads a file with the process environment; relative paths resolve against the working dir.
     */
    public static SabirConfig load(Path file) throws ConfigException {
        return load(file, System.getenv(), Path.of(""));
    }

    /**
     * Loads a file.
     *
     * @param file the YAML file
     * @param env the environment for {@code ${NAME}} substitution
     * @param baseDir what relative paths resolve against
     */
    public static SabirConfig load(Path file, Map<String, String> env, Path baseDir)
            throws ConfigException {
        String text;
        try {
            if (!Files.isRegularFile(file)) {
                throw new ConfigException(file, -1, null, "no such config file");
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new ConfigException(
                        file, -1, null, "config file is larger than " + MAX_FILE_BYTES + " bytes");
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file, -1, null, "cannot read: " + e.getMessage());
        }
        return parse(text, file, env, baseDir);
    }

    /**
     * Parses config text.
     *
     * @param text the YAML
     * @param file the name used in error messages (may be null)
     * @param env the environment for substitution
     * @param baseDir what relative paths resolve against
     */
    public static SabirConfig parse(String text, Path file, Map<String, String> env, Path baseDir)
            throws ConfigException {
        return new ConfigLoader(file, env, baseDir).read(text);
    }

    // ---------------------------------------------------------------- the located value tree

    /** A value from the file with the key path and line it was found at. */
    private record Val(String key, int line, Object value, boolean substituted) {
        boolean isNull() {
            return value == null;
        }
    }

    private SabirConfig read(String text) throws ConfigException {
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setMaxAliasesForCollections(20);
        options.setNestingDepthLimit(30);
        options.setCodePointLimit(MAX_FILE_BYTES);
        Node root;
        try {
            root = new Yaml(options).compose(new java.io.StringReader(text));
        } catch (MarkedYAMLException e) {
            int line = e.getProblemMark() == null ? -1 : e.getProblemMark().getLine() + 1;
            String problem = e.getProblem() == null ? e.getMessage() : e.getProblem();
            String context = e.getContext() == null ? "" : " (" + e.getContext() + ")";
            throw new ConfigException(file, line, null, "bad YAML: " + problem + context);
        } catch (YAMLException e) {
            throw new ConfigException(file, -1, null, "bad YAML: " + e.getMessage());
        }
        Val top =
                root == null
                        ? new Val("", 1, new LinkedHashMap<String, Val>(), false)
                        : convert("", root);
        Map<String, Val> sections = map(top, true);
        for (Val v : sections.values()) {
            if (!TOP.contains(v.key())) {
                throw error(
                        v,
                        "unknown top-level key (expected one of "
                                + String.join(", ", sorted(TOP))
                                + ")");
            }
        }
        SabirConfig.Admin admin = admin(section(sections, "admin"));
        SabirConfig.Storage storage = storage(section(sections, "storage"));
        SabirConfig.Plugins plugins = plugins(section(sections, "plugins"));
        SabirConfig.Spool spool = spool(section(sections, "spool"));
        SabirConfig.Routing router = routing(section(sections, "router"));
        Map<String, SabirConfig.AccountEntry> accounts = accounts(section(sections, "accounts"));
        Map<String, SabirConfig.LinkEntry> links = links(section(sections, "links"), accounts);
        return new SabirConfig(
                file,
                admin,
                storage,
                plugins,
                spool,
                router,
                Collections.unmodifiableMap(accounts),
                Collections.unmodifiableMap(links),
                Collections.unmodifiableMap(lines));
    }

    private static List<String> sorted(Set<String> set) {
        List<String> list = new ArrayList<>(set);
        Collections.sort(list);
        return list;
    }

    private Val convert(String key, Node node) throws ConfigException {
        int line = node.getStartMark().getLine() + 1;
        if (node instanceof MappingNode m) {
            Map<String, Val> out = new LinkedHashMap<>();
            for (NodeTuple t : m.getValue()) {
                if (!(t.getKeyNode() instanceof ScalarNode k)) {
                    throw new ConfigException(
                            file,
                            t.getKeyNode().getStartMark().getLine() + 1,
                            key,
                            "keys must be plain text");
                }
                String name = k.getValue();
                String full = key.isEmpty() ? name : key + "." + name;
                int keyLine = k.getStartMark().getLine() + 1;
                if (out.containsKey(name)) {
                    throw new ConfigException(file, keyLine, full, "duplicate key");
                }
                lines.put(full, keyLine);
                Val child = convert(full, t.getValueNode());
                out.put(name, new Val(full, keyLine, child.value(), child.substituted()));
            }
            return new Val(key, line, out, false);
        }
        if (node instanceof SequenceNode s) {
            List<Val> out = new ArrayList<>();
            int i = 0;
            for (Node item : s.getValue()) {
                String full = key + "[" + i++ + "]";
                Val child = convert(full, item);
                lines.put(full, child.line());
                out.add(child);
            }
            return new Val(key, line, out, false);
        }
        ScalarNode scalar = (ScalarNode) node;
        String raw = scalar.getValue();
        if (raw.contains("${")) {
            return new Val(key, line, substitute(key, line, raw), true);
        }
        return new Val(key, line, scalarValue(scalar), false);
    }

    private static Object scalarValue(ScalarNode scalar) {
        String raw = scalar.getValue();
        Tag tag = scalar.getTag();
        try {
            if (Tag.NULL.equals(tag)) {
                return null;
            }
            if (Tag.BOOL.equals(tag)) {
                String v = raw.toLowerCase(Locale.ROOT);
                return v.equals("true") || v.equals("yes") || v.equals("on") || v.equals("y");
            }
            if (Tag.INT.equals(tag)) {
                return Long.parseLong(raw.replace("_", ""));
            }
            if (Tag.FLOAT.equals(tag)) {
                return Double.parseDouble(raw.replace("_", ""));
            }
        } catch (NumberFormatException e) {
            return raw; // YAML 1.1 forms such as 0x1F or 12:30 stay text
        }
        return raw;
    }

    private String substitute(String key, int line, String raw) throws ConfigException {
        Matcher m = ENV.matcher(raw);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String replacement;
            if (!m.group(1).isEmpty()) {
                replacement = m.group().substring(1); // $${X} -> ${X}
            } else {
                String value = env.get(m.group(2));
                if (value == null || (value.isEmpty() && m.group(3) != null)) {
                    if (m.group(3) == null) {
                        throw new ConfigException(
                                file,
                                line,
                                key,
                                "environment variable "
                                        + m.group(2)
                                        + " is not set (write ${"
                                        + m.group(2)
                                        + ":-default} to give a default)");
                    }
                    value = m.group(3);
                }
                replacement = value;
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    // ---------------------------------------------------------------- typed access

    private ConfigException error(Val v, String problem) {
        return new ConfigException(file, v.line(), v.key(), problem);
    }

    private Val section(Map<String, Val> sections, String name) {
        Val v = sections.get(name);
        return v == null ? new Val(name, -1, null, false) : v;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Val> map(Val v, boolean nullIsEmpty) throws ConfigException {
        if (v.isNull() && nullIsEmpty) {
            return Map.of();
        }
        if (!(v.value() instanceof Map)) {
            throw error(v, "expected a map of keys, got " + describe(v));
        }
        return (Map<String, Val>) v.value();
    }

    @SuppressWarnings("unchecked")
    private List<Val> list(Val v) throws ConfigException {
        if (!(v.value() instanceof List)) {
            throw error(v, "expected a list, got " + describe(v));
        }
        return (List<Val>) v.value();
    }

    private static String describe(Val v) {
        Object o = v.value();
        if (o == null) {
            return "nothing";
        }
        if (o instanceof Map) {
            return "a map";
        }
        if (o instanceof List) {
            return "a list";
        }
        return "'" + o + "'";
    }

    private void allowKeys(Map<String, Val> map, String section, String... allowed)
            throws ConfigException {
        Set<String> ok = new LinkedHashSet<>(List.of(allowed));
        for (Map.Entry<String, Val> e : map.entrySet()) {
            if (!ok.contains(e.getKey())) {
                throw error(
                        e.getValue(),
                        "unknown key in "
                                + section
                                + " (expected one of "
                                + String.join(", ", ok)
                                + ")");
            }
        }
    }

    private String text(Val v) throws ConfigException {
        if (v.value() instanceof Map || v.value() instanceof List || v.isNull()) {
            throw error(v, "expected a text value, got " + describe(v));
        }
        return v.value().toString();
    }

    private String text(Map<String, Val> m, String key, String fallback) throws ConfigException {
        Val v = m.get(key);
        return v == null || v.isNull() ? fallback : text(v);
    }

    private boolean bool(Map<String, Val> m, String key, boolean fallback) throws ConfigException {
        Val v = m.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        if (v.value() instanceof Boolean b) {
            return b;
        }
        String s = text(v).trim().toLowerCase(Locale.ROOT);
        return switch (s) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw error(v, "expected true or false, got '" + s + "'");
        };
    }

    private int integer(Map<String, Val> m, String key, int fallback, int min, int max)
            throws ConfigException {
        Val v = m.get(key);
        if (v == null || v.isNull()) {
            return fallback;
        }
        long n;
        if (v.value() instanceof Long l) {
            n = l;
        } else {
            try {
                n = Long.parseLong(text(v).trim());
            } catch (NumberFormatException e) {
                throw error(v, "expected a whole number, got " + describe(v));
            }
        }
        if (n < min || n > max) {
            throw error(v, "must be between " + min + " and " + max + ", got " + n);
        }
        return (int) n;
    }

    private long size(Map<String, Val> m, String key, String fallback) throws ConfigException {
        Val v = m.get(key);
        String s = v == null || v.isNull() ? fallback : text(v);
        long bytes;
        try {
            bytes = Sizes.parse(s);
        } catch (IllegalArgumentException e) {
            throw error(v, e.getMessage());
        }
        if (bytes <= 0) {
            throw error(v, "must be more than 0 bytes");
        }
        return bytes;
    }

    private Path path(Map<String, Val> m, String key, String fallback) throws ConfigException {
        Val v = m.get(key);
        String s = v == null || v.isNull() ? fallback : text(v).trim();
        if (s.isEmpty()) {
            throw error(v, "expected a folder path");
        }
        try {
            return baseDir.resolve(s).normalize();
        } catch (java.nio.file.InvalidPathException e) {
            throw error(v, "bad path: " + e.getMessage());
        }
    }

    // ---------------------------------------------------------------- sections

    private SabirConfig.Admin admin(Val section) throws ConfigException {
        Map<String, Val> m = map(section, true);
        allowKeys(m, "admin", "listen", "token", "public_url");
        Val listenVal = m.getOrDefault("listen", section);
        String listenText = text(m, "listen", DEFAULT_ADMIN_LISTEN).trim();
        InetSocketAddress listen = hostPort(listenVal, listenText);
        String token = text(m, "token", "");
        if (token.isBlank()) {
            token = "";
        }
        if (token.isEmpty() && !listen.getAddress().isLoopbackAddress()) {
            throw error(
                    listenVal,
                    "admin.listen is not a loopback address, so admin.token must be set"
                            + " (the admin API would be open to the network)");
        }
        String publicUrl = null;
        Val pu = m.get("public_url");
        if (pu != null && !pu.isNull() && !text(pu).isBlank()) {
            String s = text(pu).trim();
            try {
                URI uri = new URI(s);
                if (!uri.isAbsolute()
                        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
                        || uri.getHost() == null) {
                    throw error(pu, "expected an http:// or https:// URL, got '" + s + "'");
                }
            } catch (URISyntaxException e) {
                throw error(pu, "bad URL: " + e.getMessage());
            }
            publicUrl = s.endsWith("/") ? s : s + "/";
        }
        return new SabirConfig.Admin(listen, token, publicUrl);
    }

    private InetSocketAddress hostPort(Val v, String text) throws ConfigException {
        InetSocketAddress unresolved;
        try {
            unresolved = AccountConfig.parseHostPort(v.key(), text);
        } catch (InvalidConfigException e) {
            throw error(v, e.getMessage());
        }
        try {
            InetAddress address = InetAddress.getByName(unresolved.getHostString());
            return new InetSocketAddress(address, unresolved.getPort());
        } catch (IOException e) {
            throw error(v, "cannot resolve host '" + unresolved.getHostString() + "'");
        }
    }

    private SabirConfig.Storage storage(Val section) throws ConfigException {
        Map<String, Val> m = map(section, true);
        allowKeys(m, "storage", "url", "user", "password");
        String url = text(m, "url", DEFAULT_STORAGE_URL).trim();
        if (!url.startsWith("jdbc:")) {
            throw error(
                    m.getOrDefault("url", section),
                    "expected a JDBC URL (jdbc:sqlite:... or jdbc:postgresql://...)");
        }
        if (url.startsWith("jdbc:sqlite:")) {
            url = absoluteSqlite(url);
        }
        String user = emptyToNull(text(m, "user", null));
        String password = emptyToNull(text(m, "password", null));
        return new SabirConfig.Storage(url, user, password);
    }

    private String absoluteSqlite(String url) {
        String rest = url.substring("jdbc:sqlite:".length());
        int q = rest.indexOf('?');
        String filePart = q < 0 ? rest : rest.substring(0, q);
        String query = q < 0 ? "" : rest.substring(q);
        if (filePart.isEmpty() || filePart.startsWith(":") || filePart.startsWith("file:")) {
            return url;
        }
        Path p = Path.of(filePart);
        if (p.isAbsolute()) {
            return url;
        }
        return "jdbc:sqlite:" + baseDir.resolve(p).normalize() + query;
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private SabirConfig.Plugins plugins(Val section) throws ConfigException {
        Map<String, Val> m = map(section, true);
        allowKeys(m, "plugins", "dir", "watch");
        return new SabirConfig.Plugins(path(m, "dir", "dist/plugins"), bool(m, "watch", true));
    }

    private SabirConfig.Spool spool(Val section) throws ConfigException {
        Map<String, Val> m = map(section, true);
        allowKeys(
                m,
                "spool",
                "dir",
                "max_file_size",
                "quota_per_source",
                "quota_total",
                "keep_hours",
                "keep_partial_hours");
        return new SabirConfig.Spool(
                path(m, "dir", "data/spool"),
                size(m, "max_file_size", "100MB"),
                size(m, "quota_per_source", "1GB"),
                size(m, "quota_total", "10GB"),
                java.time.Duration.ofHours(integer(m, "keep_hours", 7 * 24, 0, 100 * 365 * 24)),
                java.time.Duration.ofHours(
                        integer(m, "keep_partial_hours", 2 * 24, 0, 100 * 365 * 24)));
    }

    private SabirConfig.Routing routing(Val section) throws ConfigException {
        Map<String, Val> m = map(section, true);
        allowKeys(m, "router", "max_queue_per_destination", "when_full", "history_on_join");
        int queue = integer(m, "max_queue_per_destination", 10_000, 1, 10_000_000);
        String whenFull = text(m, "when_full", "drop-oldest").trim();
        if (!whenFull.equals("drop-oldest") && !whenFull.equals("drop-newest")) {
            throw error(
                    m.get("when_full"),
                    "expected drop-oldest or drop-newest, got '" + whenFull + "'");
        }
        int history = integer(m, "history_on_join", 20, 0, 1000);
        return new SabirConfig.Routing(queue, whenFull, history);
    }

    private Map<String, SabirConfig.AccountEntry> accounts(Val section) throws ConfigException {
        Map<String, SabirConfig.AccountEntry> out = new LinkedHashMap<>();
        for (Map.Entry<String, Val> e : map(section, true).entrySet()) {
            String name = e.getKey();
            Val v = e.getValue();
            if (!NAME.matcher(name).matches()) {
                throw error(
                        v,
                        "bad account name (letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64)");
            }
            Map<String, Val> m = map(v, false);
            Val pluginVal = m.get("plugin");
            if (pluginVal == null || pluginVal.isNull()) {
                throw error(v, "missing required key 'plugin' (the protocol id, e.g. plugin: irc)");
            }
            String plugin = text(pluginVal).trim();
            if (!PROTOCOL.matcher(plugin).matches()) {
                throw error(
                        pluginVal,
                        "bad protocol id '"
                                + plugin
                                + "' (lower-case letters, digits, '-' and '_')");
            }
            boolean enabled = bool(m, "enabled", true);
            Map<String, Object> settings = new LinkedHashMap<>();
            for (Map.Entry<String, Val> s : m.entrySet()) {
                if (!s.getKey().equals("plugin") && !s.getKey().equals("enabled")) {
                    settings.put(s.getKey(), plain(s.getValue()));
                }
            }
            out.put(
                    name,
                    new SabirConfig.AccountEntry(
                            name, plugin, enabled, Collections.unmodifiableMap(settings)));
        }
        return out;
    }

    /** The YAML value as plain Java values (maps, lists, strings, numbers, booleans). */
    @SuppressWarnings("unchecked")
    private static Object plain(Val v) {
        Object o = v.value();
        if (o instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<String, Val> e : ((Map<String, Val>) m).entrySet()) {
                out.put(e.getKey(), plain(e.getValue()));
            }
            return Collections.unmodifiableMap(out);
        }
        if (o instanceof List<?> l) {
            List<Object> out = new ArrayList<>();
            for (Val item : (List<Val>) l) {
                out.add(plain(item));
            }
            return Collections.unmodifiableList(out);
        }
        return o;
    }

    private Map<String, SabirConfig.LinkEntry> links(
            Val section, Map<String, SabirConfig.AccountEntry> accounts) throws ConfigException {
        Map<String, SabirConfig.LinkEntry> out = new LinkedHashMap<>();
        for (Map.Entry<String, Val> e : map(section, true).entrySet()) {
            String name = e.getKey();
            Val v = e.getValue();
            if (!NAME.matcher(name).matches()) {
                throw error(v, "bad link name (letters, digits, '.', '_' and '-', at most 64)");
            }
            Map<String, Val> m = map(v, false);
            Val membersVal = m.get("members");
            if (membersVal == null) {
                throw error(
                        v,
                        "missing required key 'members' (a list of protocol:account/conversation)");
            }
            List<Address> members = new ArrayList<>();
            for (Val item : list(membersVal)) {
                Address address = member(item, accounts);
                if (members.contains(address)) {
                    throw error(item, "'" + address + "' is listed twice");
                }
                members.add(address);
            }
            if (members.size() < 2) {
                throw error(membersVal, "a link needs at least two members");
            }
            String format = text(m, "format", DEFAULT_LINK_FORMAT);
            Map<String, Object> options = new LinkedHashMap<>();
            for (Map.Entry<String, Val> o : m.entrySet()) {
                if (!o.getKey().equals("members") && !o.getKey().equals("format")) {
                    options.put(o.getKey(), plain(o.getValue()));
                }
            }
            out.put(
                    name,
                    new SabirConfig.LinkEntry(
                            name,
                            List.copyOf(members),
                            format,
                            Collections.unmodifiableMap(options)));
        }
        return out;
    }

    private Address member(Val item, Map<String, SabirConfig.AccountEntry> accounts)
            throws ConfigException {
        String s = text(item).trim();
        Address address;
        try {
            address = Address.parse(s);
        } catch (IllegalArgumentException ex) {
            throw error(item, "bad address: " + ex.getMessage());
        }
        if (address.id().isEmpty()) {
            throw error(
                    item,
                    "'" + s + "' names no conversation (expected protocol:account/conversation)");
        }
        SabirConfig.AccountEntry account = accounts.get(address.account());
        if (account == null) {
            throw error(item, "no account named '" + address.account() + "' in accounts");
        }
        if (!account.plugin().equals(address.protocol())) {
            throw error(
                    item,
                    "account '"
                            + address.account()
                            + "' uses plugin '"
                            + account.plugin()
                            + "', not '"
                            + address.protocol()
                            + "'");
        }
        return address;
    }
}
