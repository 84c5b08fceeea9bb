package dev.sabir.irc.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Runs the vectors in {@code testdata/message-tags-examples.json}: parse, compare, serialise. */
class IrcMessageVectorsTest {

    private static JsonNode load() throws IOException {
        try (InputStream in =
                IrcMessageVectorsTest.class.getResourceAsStream(
                        "testdata/message-tags-examples.json")) {
            return new ObjectMapper().readTree(in);
        }
    }

    static Stream<Arguments> valid() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode v : load().get("vectors")) {
            out.add(Arguments.of(v.get("name").asText(), v));
        }
        return out.stream();
    }

    static Stream<Arguments> invalid() throws IOException {
        List<Arguments> out = new ArrayList<>();
        for (JsonNode v : load().get("invalid")) {
            out.add(Arguments.of(v.get("name").asText(), v.get("line").asText()));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesAndSerialises(String name, JsonNode v) {
        IrcMessage m = IrcMessage.parse(v.get("line").asText());
        Map<String, String> tags = new LinkedHashMap<>();
        v.get("tags").fields().forEachRemaining(e -> tags.put(e.getKey(), e.getValue().asText()));
        assertThat(m.tags()).containsExactlyEntriesOf(tags);
        assertThat(m.prefix())
                .isEqualTo(v.get("prefix").isNull() ? null : v.get("prefix").asText());
        assertThat(m.command()).isEqualTo(v.get("command").asText());
        List<String> params = new ArrayList<>();
        v.get("params").forEach(p -> params.add(p.asText()));
        assertThat(m.params()).containsExactlyElementsOf(params);
        String canonical =
                v.has("canonical") ? v.get("canonical").asText() : v.get("line").asText();
        assertThat(m.encode()).isEqualTo(canonical);
        assertThat(IrcMessage.parse(m.encode())).isEqualTo(m);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalid")
    void rejectsMalformedLines(String name, String line) {
        assertThatThrownBy(() -> IrcMessage.parse(line))
                .isInstanceOf(IrcCodecException.class)
                .extracting(e -> ((IrcCodecException) e).kind())
                .isEqualTo(IrcCodecException.Kind.MALFORMED);
    }
}
