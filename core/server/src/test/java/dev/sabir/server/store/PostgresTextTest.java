package dev.sabir.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The NUL escape used on PostgreSQL: lossless, prefix-preserving, free of NUL. */
class PostgresTextTest {
    private static final List<String> SAMPLES =
            List.of(
                    "",
                    "plain",
                    "\u0000",
                    "\u0001",
                    "\u00010",
                    "\u0001\u0001",
                    "a\u0000b\u0001c\u0000\u0000",
                    "0\u0000",
                    "😀\u0000😀");

    @Test
    void roundTripsAndNeverStoresNul() {
        for (String s : SAMPLES) {
            String stored = PostgresText.encode(s);
            assertThat(stored).as("%s", s).doesNotContain("\u0000");
            assertThat(PostgresText.decode(stored)).as("%s", s).isEqualTo(s);
        }
        assertThat(PostgresText.encode("plain")).isSameAs("plain");
        assertThat(PostgresText.encode(null)).isNull();
    }

    @Test
    void aStoredPrefixMatchesExactlyWhenTheOriginalDoes() {
        for (String a : SAMPLES) {
            for (String b : SAMPLES) {
                assertThat(PostgresText.encode(a).startsWith(PostgresText.encode(b)))
                        .as("'%s' starts with '%s'", a, b)
                        .isEqualTo(a.startsWith(b));
            }
        }
    }

    @Test
    void escapesWrittenByOthersAreReadAsIs() {
        assertThat(PostgresText.decode("a\u0001x")).isEqualTo("a\u0001x");
        assertThat(PostgresText.decode("end\u0001")).isEqualTo("end\u0001");
    }
}
