package dev.sabir.xmpp.component;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code user_profiles} key of component accounts. */
class UserProfilesConfigTest {
    private static AccountConfig account(Object value) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("mode", "component");
        s.put("server", "127.0.0.1:5347");
        s.put("domain", "sabir.example.org");
        s.put("secret", "x");
        if (value != null) {
            s.put("user_profiles", value);
        }
        return new AccountConfig("comp", "xmpp", true, s);
    }

    @Test
    void onByDefaultAndTurnedOffByFalse() throws Exception {
        assertThat(ComponentConfig.from(account(null)).userProfiles()).isTrue();
        assertThat(ComponentConfig.from(account(false)).userProfiles()).isFalse();
        assertThat(ComponentConfig.from(account("false")).userProfiles()).isFalse();
    }

    @Test
    void badValueNamesTheKey() {
        assertThatThrownBy(() -> ComponentConfig.from(account("maybe")))
                .isInstanceOfSatisfying(
                        InvalidConfigException.class,
                        e -> assertThat(e.key()).isEqualTo("user_profiles"));
    }
}
