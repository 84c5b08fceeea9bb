package dev.sabir.jabberft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Account keys: defaults, and errors that name the key. */
class JabberFtConfigTest {
    static Map<String, Object> base() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("server", "127.0.0.1:5347");
        s.put("domain", "ft.sabir.localhost");
        s.put("secret", "x");
        return s;
    }

    static JabberFtConfig read(Map<String, Object> s) throws InvalidConfigException {
        return JabberFtConfig.from(new AccountConfig("ft", "jabberft", true, s));
    }

    @Test
    void defaults() throws Exception {
        JabberFtConfig c = read(base());
        assertThat(c.canListen()).isFalse();
        assertThat(c.timeout().toSeconds()).isEqualTo(30);
        assertThat(c.peers()).isEmpty();
        assertThat(c.maxFileSize()).isEqualTo(1L << 30);
        assertThat(c.toString()).doesNotContain("secret=").doesNotContain("=x");
    }

    @Test
    void fullAccount() throws Exception {
        Map<String, Object> s = base();
        s.put("listen", "0.0.0.0:7777");
        s.put("advertise_ip", "192.0.2.10");
        s.put("advertise_port", 17777);
        s.put("timeout_seconds", 12);
        s.put("peers", List.of("ft.other.example"));
        JabberFtConfig c = read(s);
        assertThat(c.listen().getPort()).isEqualTo(7777);
        assertThat(c.advertiseIp()).isEqualTo("192.0.2.10");
        assertThat(c.advertisePort()).isEqualTo(17777);
        assertThat(c.peers()).containsExactly("ft.other.example");
    }

    @Test
    void errorsNameTheKey() {
        String[][] cases = {
            {"server", "nohost"},
            {"domain", "bad domain"},
            {"timeout_seconds", "0"},
            {"listen", "127.0.0.1"},
        };
        for (String[] c : cases) {
            Map<String, Object> s = base();
            s.put(c[0], c[1]);
            assertThatThrownBy(() -> read(s))
                    .as(c[0])
                    .isInstanceOfSatisfying(
                            InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo(c[0]));
        }
        Map<String, Object> wildcard = base();
        wildcard.put("listen", "0.0.0.0:1");
        assertThatThrownBy(() -> read(wildcard))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("advertise_ip"));
        Map<String, Object> missing = base();
        missing.remove("secret");
        assertThatThrownBy(() -> read(missing))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class, e -> assertThat(e.key()).isEqualTo("secret"));
    }
}
