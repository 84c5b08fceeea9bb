package dev.sabir.server.router;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sabir.api.Address;
import dev.sabir.api.Sender;
import org.junit.jupiter.api.Test;

class TemplatesTest {
    private static final Address SRC = Address.parse("soulseek:local/room:indie");

    @Test
    void theDefaultNamesNickAndNetwork() {
        assertThat(Templates.render(null, Sender.of("u1", "ann"), SRC, "hi"))
                .isEqualTo("<ann@soulseek> hi");
        assertThat(Templates.render("  ", Sender.of("u1", "ann"), SRC, "hi"))
                .isEqualTo("<ann@soulseek> hi");
    }

    @Test
    void everyPlaceholderAndUnknownOnesStay() {
        assertThat(
                        Templates.render(
                                "{account}:{network}:{nick}:{text}:{other}:{",
                                Sender.of("u1", "ann"),
                                SRC,
                                "{text}"))
                .isEqualTo("local:soulseek:ann:{text}:{other}:{");
    }

    @Test
    void excerptsAreShortAndSingleLine() {
        assertThat(MessageMap.excerpt("one\ntwo")).isEqualTo("one …");
        String longLine = "x".repeat(99) + "😀" + "y".repeat(50);
        String e = MessageMap.excerpt(longLine);
        assertThat(e).endsWith("…").hasSizeLessThanOrEqualTo(101);
        assertThat(Character.isHighSurrogate(e.charAt(e.length() - 2))).isFalse();
        assertThat(Degrader.humanSize(512)).isEqualTo("512 B");
        assertThat(Degrader.humanSize(5L * 1024 * 1024)).isEqualTo("5.0 MiB");
    }
}
