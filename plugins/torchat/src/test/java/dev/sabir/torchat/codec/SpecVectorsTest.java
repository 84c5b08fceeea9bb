package dev.sabir.torchat.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every example of the TorChat specs (copied into {@code testdata/}, one file per spec section) is
 * parsed into a known record, serialised back byte for byte, and parsed again to an equal record.
 */
class SpecVectorsTest {

    static Stream<Arguments> vectors() throws IOException {
        List<Arguments> out = new ArrayList<>();
        String index;
        try (InputStream in = SpecVectorsTest.class.getResourceAsStream("testdata/index.txt")) {
            index = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        for (String file : index.split("\n")) {
            if (file.isBlank()) {
                continue;
            }
            try (InputStream in = SpecVectorsTest.class.getResourceAsStream("testdata/" + file)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                for (String line : text.split("\n")) {
                    if (line.startsWith("> ") || line.startsWith("< ")) {
                        out.add(Arguments.of(file, line.substring(2)));
                    }
                }
            }
        }
        assertThat(out).hasSizeGreaterThan(40);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("vectors")
    void parsesAndSerialisesBack(String file, String line) {
        byte[] wire = line.getBytes(StandardCharsets.UTF_8);
        TorChatPacket packet = TorChatPackets.parse(wire);

        assertThat(packet).isNotInstanceOf(TorChatPacket.Unknown.class);
        assertThat(packet.name()).isEqualTo(line.split(" ", 2)[0]);
        byte[] encoded = TorChatPackets.encode(packet);
        assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo(line + "\n");
        assertThat(TorChatPackets.parse(java.util.Arrays.copyOf(encoded, encoded.length - 1)))
                .isEqualTo(packet);
    }
}
