package dev.sabir.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.Address;
import dev.sabir.api.InvalidConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir Path dir;

    private static final String FULL =
            """
            admin:
              listen: 127.0.0.1:0
              token: ${TOKEN:-}
            storage:
              url: jdbc:sqlite:data/test.db
            plugins:
              dir: dist/plugins
              watch: false
            spool:
              dir: data/spool
              max_file_size: 10MB
              quota_per_source: 2GiB
              quota_total: 512k
            router:
              max_queue_per_destination: 50
              when_full: drop-newest
              history_on_join: 5
            accounts:
              lobby:
                plugin: loopback
                listen: 127.0.0.1:9000
                nested:
                  depth: 3
              other:
                plugin: loopback
                enabled: false
                password: ${SECRET}
            links:
              hall:
                members: ["loopback:lobby/#hall", "loopback:other/#hall"]
                format: "[{nick}] {text}"
                zero_width_nick: true
            """;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("sabir.yml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return file;
    }

    private SabirConfig load(String yaml, Map<String, String> env) throws Exception {
        return ConfigLoader.load(write(yaml), env, dir);
    }

    private ConfigException failure(String yaml, Map<String, String> env) throws Exception {
        Path file = write(yaml);
        try {
            ConfigLoader.load(file, env, dir);
        } catch (ConfigException e) {
            assertThat(e.file()).isEqualTo(file);
            assertThat(e.getMessage()).startsWith(file.toString());
            return e;
        }
        throw new AssertionError("expected a config error");
    }

    @Test
    void readsEverySectionWithEnvAndUnits() throws Exception {
        SabirConfig c = load(FULL, Map.of("SECRET", "s3cret", "TOKEN", "tok"));

        assertThat(c.admin().listen().getPort()).isZero();
        assertThat(c.admin().listen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(c.admin().token()).isEqualTo("tok");
        assertThat(c.admin().publicUrl()).isNull();
        assertThat(c.storage().url()).isEqualTo("jdbc:sqlite:" + dir.resolve("data/test.db"));
        assertThat(c.plugins().dir()).isEqualTo(dir.resolve("dist/plugins"));
        assertThat(c.plugins().watch()).isFalse();
        assertThat(c.spool().dir()).isEqualTo(dir.resolve("data/spool"));
        assertThat(c.spool().maxFileSize()).isEqualTo(10_000_000L);
        assertThat(c.spool().quotaPerSource()).isEqualTo(2L << 30);
        assertThat(c.spool().quotaTotal()).isEqualTo(512L * 1024);
        assertThat(c.router()).isEqualTo(new SabirConfig.Routing(50, "drop-newest", 5));

        assertThat(c.accounts()).containsOnlyKeys("lobby", "other");
        SabirConfig.AccountEntry lobby = c.accounts().get("lobby");
        assertThat(lobby.plugin()).isEqualTo("loopback");
        assertThat(lobby.enabled()).isTrue();
        assertThat(lobby.settings()).containsEntry("listen", "127.0.0.1:9000");
        assertThat(lobby.settings().get("nested")).isEqualTo(Map.of("depth", 3L));
        assertThat(c.accounts().get("other").enabled()).isFalse();
        assertThat(c.accounts().get("other").settings()).containsEntry("password", "s3cret");

        SabirConfig.LinkEntry hall = c.links().get("hall");
        assertThat(hall.members())
                .containsExactly(
                        Address.parse("loopback:lobby/#hall"),
                        Address.parse("loopback:other/#hall"));
        assertThat(hall.format()).isEqualTo("[{nick}] {text}");
        assertThat(hall.options()).containsEntry("zero_width_nick", true);

        assertThat(c.lineOf("admin.listen")).isEqualTo(2);
        assertThat(c.lineOf("accounts.lobby.listen")).isEqualTo(21);
        assertThat(c.lineOf("accounts.lobby.nested.depth")).isEqualTo(23);
        assertThat(c.lineOf("accounts.other.password")).isEqualTo(27);
        assertThat(c.lineOf("links.hall.format")).isEqualTo(31);
        assertThat(c.lineOf("nope")).isEqualTo(-1);
    }

    @Test
    void emptyFileGivesDefaults() throws Exception {
        SabirConfig c = load("", Map.of());
        assertThat(c.admin().listen().getPort()).isEqualTo(8470);
        assertThat(c.admin().token()).isEmpty();
        assertThat(c.storage().url()).isEqualTo("jdbc:sqlite:" + dir.resolve("data/sabir.db"));
        assertThat(c.plugins().watch()).isTrue();
        assertThat(c.spool().maxFileSize()).isEqualTo(100_000_000L);
        assertThat(c.router()).isEqualTo(new SabirConfig.Routing(10_000, "drop-oldest", 20));
        assertThat(c.accounts()).isEmpty();
        assertThat(c.links()).isEmpty();
    }

    @Test
    void envDefaultsAndEscapes() throws Exception {
        SabirConfig c =
                load(
                        """
                        accounts:
                          a:
                            plugin: loopback
                            host: ${HOST:-localhost}
                            empty: ${EMPTY:-fallback}
                            joined: pre-${NAME}-post
                            literal: $${NOT_A_VAR}
                            port: ${PORT:-6667}
                        """,
                        Map.of("NAME", "mid", "EMPTY", ""));
        Map<String, Object> s = c.accounts().get("a").settings();
        assertThat(s)
                .containsEntry("host", "localhost")
                .containsEntry("empty", "fallback")
                .containsEntry("joined", "pre-mid-post")
                .containsEntry("literal", "${NOT_A_VAR}")
                .containsEntry("port", "6667");
        assertThat(c.accounts().get("a").toAccountConfig().integer("port", 0, 1, 65535))
                .isEqualTo(6667);
    }

    @Test
    void unsetEnvWithoutDefaultNamesKeyAndLine() throws Exception {
        ConfigException e =
                failure(
                        """
                        accounts:
                          a:
                            plugin: loopback
                            password: ${SABIR_TEST_UNSET_VAR}
                        """,
                        Map.of());
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.key()).isEqualTo("accounts.a.password");
        assertThat(e.getMessage())
                .contains(":4: accounts.a.password: ")
                .contains("SABIR_TEST_UNSET_VAR");
    }

    @Test
    void badYamlNamesLine() throws Exception {
        ConfigException e = failure("admin:\n  listen: [127.0.0.1\nrouter: {\n", Map.of());
        assertThat(e.line()).isGreaterThan(1);
        assertThat(e.getMessage()).contains("bad YAML");
    }

    @Test
    void duplicateKeyIsAnError() throws Exception {
        ConfigException e =
                failure("router:\n  history_on_join: 1\n  history_on_join: 2\n", Map.of());
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.key()).isEqualTo("router.history_on_join");
    }

    @Test
    void unknownTopLevelKey() throws Exception {
        ConfigException e = failure("admin:\n  listen: 127.0.0.1:1\nrouters:\n  x: 1\n", Map.of());
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.key()).isEqualTo("routers");
        assertThat(e.getMessage()).contains("unknown top-level key");
    }

    @Test
    void unknownKeyInSection() throws Exception {
        ConfigException e = failure("spool:\n  dir: x\n  max_size: 1MB\n", Map.of());
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.key()).isEqualTo("spool.max_size");
        assertThat(e.getMessage()).contains("max_file_size");
    }

    @Test
    void wrongTypes() throws Exception {
        ConfigException e = failure("router:\n  max_queue_per_destination: lots\n", Map.of());
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.key()).isEqualTo("router.max_queue_per_destination");
        assertThat(e.getMessage()).contains("whole number");

        e = failure("plugins:\n  watch: maybe\n", Map.of());
        assertThat(e.key()).isEqualTo("plugins.watch");
        assertThat(e.line()).isEqualTo(2);

        e = failure("spool:\n  max_file_size: 12 parsecs\n", Map.of());
        assertThat(e.key()).isEqualTo("spool.max_file_size");

        e = failure("router:\n  when_full: explode\n", Map.of());
        assertThat(e.key()).isEqualTo("router.when_full");

        e = failure("admin: [1, 2]\n", Map.of());
        assertThat(e.key()).isEqualTo("admin");
        assertThat(e.getMessage()).contains("expected a map");

        e = failure("admin:\n  listen: localhost\n", Map.of());
        assertThat(e.key()).isEqualTo("admin.listen");
        assertThat(e.getMessage()).contains("host:port");
    }

    @Test
    void adminOnPublicAddressNeedsToken() throws Exception {
        ConfigException e = failure("admin:\n  listen: 0.0.0.0:8470\n", Map.of());
        assertThat(e.key()).isEqualTo("admin.listen");
        assertThat(e.getMessage()).contains("admin.token");
        SabirConfig ok =
                load(
                        "admin:\n  listen: 0.0.0.0:8470\n  token: ${T}\n",
                        Map.of("T", "secret-token"));
        assertThat(ok.admin().token()).isEqualTo("secret-token");
    }

    @Test
    void badLinkMembers() throws Exception {
        String accounts = "accounts:\n  a:\n    plugin: loopback\n  b:\n    plugin: loopback\n";
        ConfigException e =
                failure(
                        accounts
                                + "links:\n  l:\n    members:\n      - loopback:a/#x\n      - not an address\n",
                        Map.of());
        assertThat(e.line()).isEqualTo(10);
        assertThat(e.key()).isEqualTo("links.l.members[1]");
        assertThat(e.getMessage()).contains("bad address");

        e =
                failure(
                        accounts
                                + "links:\n  l:\n    members: [loopback:a/#x, loopback:ghost/#x]\n",
                        Map.of());
        assertThat(e.key()).isEqualTo("links.l.members[1]");
        assertThat(e.getMessage()).contains("no account named 'ghost'");

        e = failure(accounts + "links:\n  l:\n    members: [loopback:a/#x, irc:b/#x]\n", Map.of());
        assertThat(e.getMessage()).contains("uses plugin 'loopback'");

        e = failure(accounts + "links:\n  l:\n    members: [loopback:a/#x]\n", Map.of());
        assertThat(e.key()).isEqualTo("links.l.members");
        assertThat(e.getMessage()).contains("at least two");

        e = failure(accounts + "links:\n  l:\n    format: x\n", Map.of());
        assertThat(e.key()).isEqualTo("links.l");
    }

    @Test
    void accountNeedsPlugin() throws Exception {
        ConfigException e = failure("accounts:\n  a:\n    listen: 127.0.0.1:1\n", Map.of());
        assertThat(e.key()).isEqualTo("accounts.a");
        assertThat(e.line()).isEqualTo(2);
        e = failure("accounts:\n  a/b:\n    plugin: loopback\n", Map.of());
        assertThat(e.getMessage()).contains("bad account name");
    }

    @Test
    void pluginComplaintsAreLocated() throws Exception {
        SabirConfig c =
                load("accounts:\n  a:\n    plugin: loopback\n    listen: nowhere\n", Map.of());
        ConfigException e =
                c.accountError("a", new InvalidConfigException("listen", "expected host:port"));
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.key()).isEqualTo("accounts.a.listen");
        ConfigException missing =
                c.accountError("a", new InvalidConfigException("server", "missing required key"));
        assertThat(missing.line()).isEqualTo(2);
        assertThat(missing.key()).isEqualTo("accounts.a.server");
    }

    @Test
    void shippedConfigsAreValid() throws Exception {
        Path root = Path.of(System.getProperty("sabir.root", "../..")).toAbsolutePath().normalize();
        Map<String, String> env =
                Map.of(
                        "SABIR_ADMIN_TOKEN",
                        "t0ken",
                        "SABIR_DB_PASSWORD",
                        "pw",
                        "LIBERA_PASSWORD",
                        "pw");
        SabirConfig shipped = ConfigLoader.load(root.resolve("config/sabir.yml"), Map.of(), dir);
        assertThat(shipped.admin().listen().getPort()).isEqualTo(8470);
        assertThat(shipped.admin().listen().getAddress().isLoopbackAddress()).isTrue();
        assertThat(shipped.storage().url()).startsWith("jdbc:sqlite:");
        assertThat(shipped.accounts().get("lobby-net").plugin()).isEqualTo("loopback");
        assertThat(shipped.accounts().get("lobby-net").settings())
                .containsEntry("listen", "127.0.0.1:8471");
        try (var examples = Files.list(root.resolve("config/examples"))) {
            for (Path example : examples.filter(p -> p.toString().endsWith(".yml")).toList()) {
                assertThat(ConfigLoader.load(example, env, dir).source()).isEqualTo(example);
            }
        }
    }

    @Test
    void missingFile() {
        Path nowhere = dir.resolve("nope.yml");
        assertThatThrownBy(() -> ConfigLoader.load(nowhere, Map.of(), dir))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("nope.yml")
                .hasMessageContaining("no such config file");
    }

    @Test
    void sizes() {
        assertThat(Sizes.parse("100MB")).isEqualTo(100_000_000L);
        assertThat(Sizes.parse("1.5 KiB")).isEqualTo(1536L);
        assertThat(Sizes.parse("42")).isEqualTo(42L);
        assertThatThrownBy(() -> Sizes.parse("-3MB")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Sizes.parse("3 XB")).hasMessageContaining("unknown size unit");
    }
}
