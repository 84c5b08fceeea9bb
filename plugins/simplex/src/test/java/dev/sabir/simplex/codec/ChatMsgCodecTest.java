package dev.sabir.simplex.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ChatMsgCodecTest {
    private final ChatMsgCodec codec = new ChatMsgCodec(16 * 1024);

    static Stream<Arguments> specExamples() throws Exception {
        try (InputStream in =
                ChatMsgCodecTest.class.getResourceAsStream(
                        "testdata/message-syntax-examples.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<Arguments> out = new ArrayList<>();
            for (JsonNode v : root.get("vectors")) {
                out.add(Arguments.of(v.get("spec").asText(), v));
            }
            return out.stream();
        }
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @MethodSource("specExamples")
    void specExampleRoundTrips(String spec, JsonNode v) throws Exception {
        String wire = v.get("wire").asText();
        ChatMsg m = codec.decode(wire);
        assertThat(m.chatMsgId()).isEqualTo(v.get("id").isNull() ? null : v.get("id").asText());
        assertThat(m.event()).isEqualTo(v.get("event").asText());
        assertThat(m.params()).containsExactlyElementsOf(strings(v.get("params")));
        assertThat(m.parts().stream().map(ContentPart::toString).toList())
                .containsExactlyElementsOf(strings(v.get("parts")));
        assertThat(m.bodies().stream().map(BodyPart::asText).toList())
                .containsExactlyElementsOf(strings(v.get("bodies")));
        assertThat(codec.encodeToString(m)).isEqualTo(wire);
        assertThat(codec.decode(codec.encode(m))).isEqualTo(m);

        JsonNode err = v.get("specError");
        if (err.isNull()) {
            assertThat(codec.decode(spec)).isEqualTo(m);
        } else {
            assertThatThrownBy(() -> codec.decode(spec))
                    .isInstanceOfSatisfying(
                            SyntaxException.class,
                            e -> assertThat(e.error().name()).isEqualTo(err.asText()));
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @Test
    void bodiesAreBinarySafeAndSizeDelimited() throws Exception {
        byte[] bin = {0, ' ', ',', (byte) 0xFF, '\n', ' '};
        ChatMsg m =
                new ChatMsg(
                        "42",
                        "x.msg.file",
                        List.of("5", "1.1"),
                        List.of(
                                new ContentPart("x", "file", bin.length, "q80="),
                                ContentPart.text(0)),
                        List.of(new BodyPart(bin), new BodyPart(new byte[0])));
        byte[] wire = codec.encode(m);
        assertThat(codec.decode(wire)).isEqualTo(m);
        assertThat(new String(wire, StandardCharsets.ISO_8859_1))
                .startsWith("42 x.msg.file 5,1.1 x.file:6:q80=,x.text:0 ");
    }

    @Test
    void forwardedInvitationCarriesTheProfileWhenGiven() throws Exception {
        ChatMsg with =
                ChatMsgs.memberForward("m1", "link", "-", "probe", "{\"displayName\":\"dave\"}");
        ChatMsg decoded = codec.decode(codec.encode(with));
        assertThat(decoded.event()).isEqualTo("x.grp.mem.fwd");
        assertThat(decoded.params()).containsExactly("m1", "link", "-", "probe");
        assertThat(decoded.body(0).asText()).isEqualTo("{\"displayName\":\"dave\"}");
        ChatMsg without = ChatMsgs.memberForward("m1", "link", "-", "probe", null);
        assertThat(codec.decode(codec.encode(without)).bodies()).isEmpty();
    }

    @Test
    void fewerBodiesThanPartsIsAllowed() throws Exception {
        ChatMsg m = codec.decode("5 x.msg.new c.file,x.file:99 x.text:3,x.file:99 a b ");
        assertThat(m.bodies()).containsExactly(BodyPart.text("a b"));
        assertThat(codec.decode("5 x.msg.new c.file x.file:99").bodies()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "3x.msg.new c.text x.text:5 hello ",
                "3 x c.text x.text:5 hello ",
                "3 x.msg1.new c.text ",
                "3 .msg c.text ",
                "3 x.msg.new c.text,,b ",
                "3 x.msg.new c.text x.text:5 hell",
                "3 x.msg.new c.text x.text:5 hello there",
                "3 x.msg.new c.text x.text hello ",
                "3 x.msg.new c.text text:5 hello ",
                "3 x.msg.new c.text x.te-xt:5 hello ",
                "3 x.msg.new c.text x.text:-5 hello ",
                "3 x.msg.new c.text x.text:5:!! hello ",
                "3 x.msg.new c.text i.image:5 hello ",
                "3 x.msg.new c.text x.text:99999999999 hello ",
                "1234567890123456789 x.msg.new c.text ",
                "",
                "3",
                "3 x.msg.new",
                "3 x.msg.new c.t\u00e9xt "
            })
    void rejectsWhatTheGrammarRejects(String text) {
        assertThatThrownBy(() -> codec.decode(text)).isInstanceOf(SyntaxException.class);
    }

    @Test
    void controlBytesInHeaderAreRejectedWithPosition() {
        assertThatThrownBy(() -> codec.decode("3 x.msg.new c.\ttext "))
                .isInstanceOfSatisfying(
                        SyntaxException.class,
                        e -> {
                            assertThat(e.error()).isEqualTo(SyntaxException.Error.BAD_PARAMETER);
                            assertThat(e.position()).isEqualTo(14);
                        });
    }

    @Test
    void enforcesLengthLimit() {
        ChatMsgCodec small = new ChatMsgCodec(32);
        assertThatThrownBy(() -> small.decode("3 x.msg.new c.text x.text:20 aaaaaaaaaaaaaaaaaaaa "))
                .isInstanceOfSatisfying(
                        SyntaxException.class,
                        e -> assertThat(e.error()).isEqualTo(SyntaxException.Error.TOO_LONG));
    }

    @Test
    void recordsRefuseToBuildInvalidMessages() {
        assertThatThrownBy(
                        () -> new ChatMsg(null, "x.msg.new", List.of("a b"), List.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () ->
                                new ChatMsg(
                                        null,
                                        "x.msg.new",
                                        List.of(),
                                        List.of(ContentPart.text(3)),
                                        List.of(BodyPart.text("ab"))))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void contentPartHeadersParseOnTheirOwn() throws Exception {
        assertThat(ChatMsgCodec.parseContentPart("i.image/jpg:150000"))
                .isEqualTo(ContentPart.of("i", "image/jpg", 150000));
        assertThat(ChatMsgCodec.parseContentPart("x.file:5:q80=").hash()).isEqualTo("q80=");
        assertThatThrownBy(() -> ChatMsgCodec.parseContentPart("c.image"))
                .isInstanceOf(SyntaxException.class);
    }
}
