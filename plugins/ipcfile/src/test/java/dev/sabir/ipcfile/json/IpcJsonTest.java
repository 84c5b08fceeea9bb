package dev.sabir.ipcfile.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sabir.ipcfile.codec.IpcCodecException;
import dev.sabir.ipcfile.codec.IpcCodecException.Kind;
import dev.sabir.ipcfile.codec.IpcFrame;
import dev.sabir.ipcfile.codec.IpcMessage;
import dev.sabir.ipcfile.codec.IpcMessage.Authentication;
import dev.sabir.ipcfile.codec.IpcMessage.FileEntry;
import dev.sabir.ipcfile.codec.IpcMessage.IdKey;
import dev.sabir.ipcfile.codec.IpcMessage.Response;
import dev.sabir.ipcfile.codec.IpcMessage.Transfer;
import dev.sabir.ipcfile.codec.IpcMessages;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The JSON messages: the spec's examples as vectors, both id keys, and the limits. */
class IpcJsonTest {
    private final IpcJson json = new IpcJson(new IpcJson.Limits(4096, 16, 4, 256));

    static Stream<JsonNode> specVectors() throws Exception {
        try (InputStream in =
                IpcJsonTest.class.getResourceAsStream("testdata/spec-messages.json")) {
            JsonNode root = new ObjectMapper().readTree(in);
            List<JsonNode> out = new ArrayList<>();
            root.get("vectors").forEach(out::add);
            return out.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("specVectors")
    void specExamplesParseAndRoundTrip(JsonNode v) throws Exception {
        byte[] payload = new ObjectMapper().writeValueAsBytes(v.get("json"));
        IpcMessage m = json.decode(IpcFrame.data(v.get("userType").asInt(), payload));
        JsonNode expect = v.get("expect");
        assertThat(m.getClass().getSimpleName()).isEqualTo(expect.get("kind").asText());
        assertThat(m.messageId())
                .isEqualTo(
                        v.get("json").has("mid")
                                ? v.get("json").get("mid").asText()
                                : v.get("json").get("message-id").asText());
        if (m instanceof Authentication a) {
            assertThat(a.files()).hasSize(expect.get("files").asInt());
            assertThat(a.tags()).hasSize(expect.get("tags").asInt());
            assertThat(a.files().get(1).size()).as("u64 max clamps").isEqualTo(Long.MAX_VALUE);
        } else if (m instanceof Response r) {
            assertThat(r.ok()).isEqualTo(expect.get("ok").asBoolean());
            if (expect.has("reason")) {
                assertThat(r.reason()).isEqualTo(expect.get("reason").asText());
            }
        } else if (m instanceof Transfer t) {
            assertThat(t.length()).isEqualTo(expect.get("length").asInt());
        }
        IpcFrame again = json.encode(m);
        assertThat(again.userType()).isEqualTo(v.get("userType").asInt());
        assertThat(json.decode(again)).isEqualTo(m);
    }

    @Test
    void answersUseTheIdKeyOfTheRequest() throws Exception {
        IpcMessage t =
                json.decode(
                        IpcFrame.data(
                                3,
                                "{\"mid\":7,\"data\":\"AQ==\"}".getBytes(StandardCharsets.UTF_8)));
        assertThat(t.idKey()).isEqualTo(IdKey.MID);
        assertThat(t.messageId()).isEqualTo("7");
        String out =
                new String(
                        json.encode(IpcMessages.error(t, "nope")).payload(),
                        StandardCharsets.UTF_8);
        assertThat(out).isEqualTo("{\"mid\":\"7\",\"response\":\"Error\",\"reason\":\"nope\"}");
        String ok = new String(json.encode(IpcMessages.ok(t)).payload(), StandardCharsets.UTF_8);
        assertThat(ok).isEqualTo("{\"mid\":\"7\",\"response\":\"Ok\"}");
    }

    @Test
    void tokensNeverAppearInToString() {
        Authentication a =
                IpcMessages.authentication(
                        "1", "secret-token", List.of(new FileEntry("a", 1, null)), "f", List.of());
        assertThat(a.toString()).doesNotContain("secret-token");
    }

    private Kind kindOf(int userType, String body) {
        try {
            json.decode(IpcFrame.data(userType, body.getBytes(StandardCharsets.UTF_8)));
        } catch (IpcCodecException e) {
            return e.kind();
        }
        throw new AssertionError("accepted: " + body);
    }

    @Test
    void malformedMessagesAreTypedErrors() {
        assertThat(kindOf(1, "{nope")).isEqualTo(Kind.BAD_JSON);
        assertThat(kindOf(1, "[1,2]")).isEqualTo(Kind.BAD_JSON);
        assertThat(kindOf(1, "{\"mid\":\"1\",\"mid\":\"2\"}")).isEqualTo(Kind.BAD_JSON);
        assertThat(kindOf(1, "\"\u00ff\"".replace('\u00ff', '\ufffd'))).isEqualTo(Kind.BAD_JSON);
        assertThat(kindOf(9, "{\"mid\":\"1\"}")).isEqualTo(Kind.BAD_USER_TYPE);
        assertThat(kindOf(1, "{\"token\":\"t\",\"files\":[]}")).isEqualTo(Kind.BAD_FIELD);
        assertThat(kindOf(1, "{\"mid\":\"1\",\"files\":[]}")).isEqualTo(Kind.BAD_FIELD);
        assertThat(
                        kindOf(
                                1,
                                "{\"mid\":\"1\",\"token\":\"t\",\"files\":[{\"name\":\"a\",\"size\":-1}]}"))
                .isEqualTo(Kind.BAD_FIELD);
        assertThat(
                        kindOf(
                                1,
                                "{\"mid\":\"1\",\"token\":\"t\",\"files\":[{\"name\":\"a\",\"size\":1},"
                                                .repeat(1)
                                        + "{\"name\":\"a\",\"size\":1},{\"name\":\"a\",\"size\":1},{\"name\":\"a\",\"size\":1},{\"name\":\"a\",\"size\":1}]}"))
                .as("too many files")
                .isEqualTo(Kind.BAD_FIELD);
        assertThat(kindOf(3, "{\"mid\":\"1\",\"data\":\"" + "A".repeat(40) + "\"}"))
                .as("chunk over 16")
                .isEqualTo(Kind.BAD_FIELD);
        assertThat(kindOf(3, "{\"mid\":\"1\",\"data\":[256]}")).isEqualTo(Kind.BAD_FIELD);
        assertThat(kindOf(3, "{\"mid\":\"1\",\"data\":\"*not base64*\"}"))
                .isEqualTo(Kind.BAD_FIELD);
        assertThat(kindOf(3, "{\"mid\":\"1\",\"data\":\"AQ==\",\"offset\":-4}"))
                .isEqualTo(Kind.BAD_FIELD);
        assertThat(kindOf(3, "[".repeat(50) + "]".repeat(50))).isEqualTo(Kind.BAD_JSON);
    }

    @Test
    void oversizePayloadAndOtherFrameTypesAreRefused() {
        assertThatThrownBy(() -> json.decode(IpcFrame.data(1, new byte[5000])))
                .matches(e -> ((IpcCodecException) e).kind() == Kind.FRAME_TOO_LARGE);
        assertThatThrownBy(
                        () ->
                                json.decode(
                                        new IpcFrame(
                                                IpcFrame.TYPE_ERROR,
                                                1,
                                                "{}".getBytes(StandardCharsets.UTF_8))))
                .matches(e -> ((IpcCodecException) e).kind() == Kind.BAD_FRAME_TYPE);
    }

    @Test
    void badFieldErrorsKeepTheMessageIdForTheAnswer() {
        IpcCodecException e =
                org.junit.jupiter.api.Assertions.assertThrows(
                        IpcCodecException.class,
                        () ->
                                json.decode(
                                        IpcFrame.data(
                                                3,
                                                "{\"message-id\":\"abc\",\"data\":5}"
                                                        .getBytes(StandardCharsets.UTF_8))));
        assertThat(e.messageId()).isEqualTo("abc");
        assertThat(e.fatal()).isFalse();
    }
}
