package dev.sabir.irc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.AccountConfig;
import dev.sabir.api.InvalidConfigException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Account keys and their errors. */
class IrcSettingsTest {

    private static AccountConfig cfg(Map<String, Object> s) {
        return new AccountConfig("libera", "irc", true, s);
    }

    @Test
    void readsAFullAccount() throws Exception {
        IrcSettings s =
                IrcSettings.from(
                        cfg(
                                Map.of(
                                        "server",
                                        "irc.libera.chat:6697",
                                        "tls",
                                        true,
                                        "nick",
                                        "sabir",
                                        "sasl",
                                        Map.of(
                                                "mechanism",
                                                "plain",
                                                "user",
                                                "sabir",
                                                "password",
                                                "pw"),
                                        "channels",
                                        List.of("#sabir", "#test"),
                                        "mode",
                                        "puppet",
                                        "puppet",
                                        Map.of(
                                                "nick_template",
                                                "{nick}|{network}",
                                                "max",
                                                10,
                                                "idle_timeout",
                                                "30m"),
                                        "flood",
                                        Map.of("burst", 4, "per_second", "0.5"),
                                        "max_lines",
                                        3,
                                        "zero_width_nick",
                                        false)));
        assertThat(s.server().getHostString()).isEqualTo("irc.libera.chat");
        assertThat(s.tls()).isTrue();
        assertThat(s.sasl().mechanism()).isEqualTo("PLAIN");
        assertThat(s.sasl().toString()).doesNotContain("pw");
        assertThat(s.channels()).containsExactly("#sabir", "#test");
        assertThat(s.puppetMode()).isTrue();
        assertThat(s.puppet().idleTimeout()).isEqualTo(Duration.ofMinutes(30));
        assertThat(s.flood().perSecond()).isEqualTo(0.5);
        assertThat(s.maxLines()).isEqualTo(3);
        assertThat(s.zeroWidthNick()).isFalse();
        // presence keys left out: on, polled every 3 minutes, one AWAY per 5 seconds
        assertThat(s.presence()).isTrue();
        assertThat(s.presencePoll()).isEqualTo(Duration.ofMinutes(3));
        assertThat(s.awayInterval()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void readsPresenceKeys() throws Exception {
        IrcSettings s =
                IrcSettings.from(
                        cfg(
                                Map.of(
                                        "server",
                                        "h:1",
                                        "nick",
                                        "x",
                                        "presence",
                                        false,
                                        "presence_poll",
                                        "30s",
                                        "away_interval",
                                        "2s")));
        assertThat(s.presence()).isFalse();
        assertThat(s.presencePoll()).isEqualTo(Duration.ofSeconds(30));
        assertThat(s.awayInterval()).isEqualTo(Duration.ofSeconds(2));
        assertThatThrownBy(
                        () ->
                                IrcSettings.from(
                                        cfg(
                                                Map.of(
                                                        "server",
                                                        "h:1",
                                                        "nick",
                                                        "x",
                                                        "presence_poll",
                                                        "100ms"))))
                .extracting(e -> ((InvalidConfigException) e).key())
                .isEqualTo("presence_poll");
    }

    @Test
    void namesTheBadKey() {
        assertThatThrownBy(() -> IrcSettings.from(cfg(Map.of("server", "nope", "nick", "x"))))
                .isInstanceOf(InvalidConfigException.class)
                .extracting(e -> ((InvalidConfigException) e).key())
                .isEqualTo("server");
        assertThatThrownBy(
                        () ->
                                IrcSettings.from(
                                        cfg(
                                                Map.of(
                                                        "server",
                                                        "h:1",
                                                        "nick",
                                                        "x",
                                                        "channels",
                                                        List.of("nochan")))))
                .extracting(e -> ((InvalidConfigException) e).key())
                .isEqualTo("channels");
        assertThatThrownBy(
                        () ->
                                IrcSettings.from(
                                        cfg(
                                                Map.of(
                                                        "server",
                                                        "h:1",
                                                        "nick",
                                                        "x",
                                                        "sasl",
                                                        Map.of("user", "u")))))
                .extracting(e -> ((InvalidConfigException) e).key())
                .isEqualTo("sasl.password");
        assertThatThrownBy(
                        () ->
                                IrcSettings.from(
                                        cfg(Map.of("server", "h:1", "nick", "x", "mode", "bot"))))
                .extracting(e -> ((InvalidConfigException) e).key())
                .isEqualTo("mode");
        assertThatThrownBy(() -> IrcSettings.from(cfg(Map.of("server", "h:1", "nick", "bad nick"))))
                .extracting(e -> ((InvalidConfigException) e).key())
                .isEqualTo("nick");
        assertThatThrownBy(
                        () ->
                                IrcSettings.from(
                                        cfg(
                                                Map.of(
                                                        "server",
                                                        "h:1",
                                                        "nick",
                                                        "x",
                                                        "puppet",
                                                        Map.of("idle_timeout", "soon")))))
                .extracting(e -> ((InvalidConfigException) e).key())
                .isEqualTo("puppet.idle_timeout");
    }
}
