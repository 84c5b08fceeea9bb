package dev.sabir.irc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Text helpers and the token bucket. */
class IrcTextTest {

    @Test
    void stripsMircFormatting() {
        assertThat(IrcText.stripFormatting("\u0002bold\u0002 \u001Dit\u001D \u001Fu\u001F \u000F"))
                .isEqualTo("bold it u ");
        assertThat(IrcText.stripFormatting("\u000304red\u0003 \u00034,12x\u0003 \u000399y"))
                .isEqualTo("red x y");
        assertThat(IrcText.stripFormatting("\u0003,5keeps comma")).isEqualTo(",5keeps comma");
        assertThat(IrcText.stripFormatting("\u0004FF0000hex\u0004 plain")).isEqualTo("hex plain");
        assertThat(IrcText.stripFormatting("plain")).isSameAs("plain");
    }

    @Test
    void splitsOnCodePointsAndPrefersSpaces() {
        String s = "ab 😀😀😀 cd";
        for (int max = 4; max < 20; max++) {
            List<String> parts = IrcText.splitBytes(s, max);
            for (String p : parts) {
                assertThat(p.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(max);
                assertThat(new String(p.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                        .isEqualTo(p);
            }
            assertThat(String.join("", parts).replace(" ", "")).isEqualTo(s.replace(" ", ""));
        }
        assertThat(IrcText.splitBytes("hello world again", 12))
                .containsExactly("hello world", "again");
        assertThat(IrcText.splitBytes("日本語", 4)).containsExactly("日", "本", "語");
    }

    @Test
    void sanitisesNicks() {
        assertThat(IrcText.sanitiseNick("Dr. Who[main]", 30)).isEqualTo("Dr__Who[main]");
        assertThat(IrcText.sanitiseNick("9lives", 30)).isEqualTo("_9lives");
        assertThat(IrcText.sanitiseNick("日本", 30)).isEqualTo("_");
        assertThat(IrcText.sanitiseNick("averyveryverylongnickname", 9)).isEqualTo("averyvery");
    }

    @Test
    void breaksHighlightsAndFoldsCase() {
        assertThat(IrcText.breakHighlight("<bob@x> ", "bob")).isEqualTo("<b\u200Bob@x> ");
        assertThat(IrcText.breakHighlight("<b@x> ", "b")).isEqualTo("<b@x> ");
        assertThat(IrcText.fold("Nick[A]")).isEqualTo(IrcText.fold("nick{a}"));
        assertThat(IrcText.lines("a\r\nb\nc\n")).containsExactly("a", "b", "c");
    }

    @Test
    void tokenBucketAllowsBurstThenPaces() {
        AtomicLong now = new AtomicLong();
        TokenBucket b = new TokenBucket(2, 4, now::get);
        assertThat(b.waitNanos()).isZero();
        b.take();
        b.take();
        assertThat(b.waitNanos()).isEqualTo(250_000_000L);
        now.addAndGet(250_000_000L);
        assertThat(b.waitNanos()).isZero();
        now.addAndGet(10_000_000_000L);
        assertThat(b.available()).isEqualTo(2.0);
    }
}
