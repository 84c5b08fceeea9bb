package dev.sabir.torchat.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.torchat.codec.TorChatPacket.*;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Field checks, escaping and the deployed clients' quirks, on single lines. */
class TorChatPacketTest {

    private static TorChatPacket parse(String line) {
        return TorChatPackets.parse(line.getBytes(StandardCharsets.UTF_8));
    }

    private static String wire(TorChatPacket p) {
        return new String(TorChatPackets.encode(p), StandardCharsets.UTF_8);
    }

    @Test
    void trailingSpaceIsTheSameAsNoData() {
        assertThat(parse("add_me ")).isEqualTo(new AddMe());
        assertThat(parse("add_me")).isEqualTo(new AddMe());
        assertThat(parse("remove_me ")).isEqualTo(new RemoveMe());
        assertThat(parse("profile_avatar_alpha ")).isEqualTo(new ProfileAvatarAlpha(null));
        assertThat(parse("typing_stop ")).isEqualTo(TorChatPackets.typing(TypingState.Kind.STOP));
        assertThat(wire(TorChatPackets.addMe())).isEqualTo("add_me\n");
    }

    @Test
    void escapingRoundTripsBackslashesAndLineBreaks() {
        String text = "a\\b\nc\\nd\\/e\r\n";
        String line = wire(TorChatPackets.message(text));
        assertThat(line).isEqualTo("message a\\/b\\nc\\/nd\\//e\r\\n\n");
        assertThat(parse(line.substring(0, line.length() - 1))).isEqualTo(new Message(text));
    }

    @Test
    void unescapingWorksOnTheWholeDataPartBeforeSplitting() {
        // the escaped id contains "\/" which decodes to a backslash only after splitting would be
        // wrong
        TorChatPacket p = parse("groupchat_message g\\/1 hi\\nthere");
        assertThat(p).isEqualTo(new GroupchatMessage("g\\1", "hi\nthere"));
    }

    @Test
    void filenameFieldOrderIsIdSizeBlocksizeName() {
        Filename f = (Filename) parse("filename 1234 10485760 8192 my file.bin");
        assertThat(f.id()).isEqualTo("1234");
        assertThat(f.size()).isEqualTo(10485760L);
        assertThat(f.blockSize()).isEqualTo(8192);
        assertThat(f.fileName()).isEqualTo("my file.bin");
    }

    @Test
    void filedataKeepsBinaryBytesIncludingCrAndLf() {
        byte[] block = {0, '\n', '\r', '\\', 'n', (byte) 0xff, ' ', '\r'};
        Filedata f = TorChatPackets.filedata("x", 16, block);
        assertThat(f.md5Matches()).isTrue();
        byte[] line = TorChatPackets.encode(f);
        assertThat(countLf(line)).isEqualTo(1);
        Filedata back =
                (Filedata) TorChatPackets.parse(java.util.Arrays.copyOf(line, line.length - 1));
        assertThat(back).isEqualTo(f);
        assertThat(back.block()).containsExactly(block);
        assertThat(parse("filedata x 0 e29c80c42fda55f9d992e59ca6b3307d aaaaaaaaaa"))
                .isInstanceOfSatisfying(Filedata.class, d -> assertThat(d.md5Matches()).isFalse());
        assertThat(parse("filedata x 0 e09c80c42fda55f9d992e59ca6b3307d aaaaaaaaaa"))
                .isInstanceOfSatisfying(Filedata.class, d -> assertThat(d.md5Matches()).isTrue());
    }

    @Test
    void avatarPacketsCarry64x64Pixels() {
        byte[] rgb = new byte[3 * 4096];
        rgb[0] = '\n';
        rgb[1] = '\\';
        ProfileAvatar a = TorChatPackets.profileAvatar(rgb);
        byte[] line = TorChatPackets.encode(a);
        assertThat(TorChatPackets.parse(java.util.Arrays.copyOf(line, line.length - 1)))
                .isEqualTo(a);
        assertThatThrownBy(() -> TorChatPackets.profileAvatar(new byte[100]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> parse("profile_avatar_alpha abc"))
                .isInstanceOf(TorChatCodecException.class);
    }

    @Test
    void unknownPacketsKeepTheirNameAndData() {
        assertThat(parse("foo_bar some data"))
                .isEqualTo(new Unknown("foo_bar", "some data".getBytes(StandardCharsets.UTF_8)));
        assertThat(wire(new Unknown("foo_bar", "x\ny".getBytes(StandardCharsets.UTF_8))))
                .isEqualTo("foo_bar x\\ny\n");
    }

    @Test
    void malformedLinesAreTypedErrors() {
        for (String bad :
                List.of(
                        "",
                        " ping a b",
                        "GET / HTTP/1.1",
                        "ping onlyone",
                        "ping a b c",
                        "pong",
                        "filedata_ok x -1",
                        "filedata_ok x nan",
                        "filename x 10 0 name",
                        "filename x 10 99999999999 name",
                        "add_me please",
                        "a".repeat(65))) {
            assertThatThrownBy(() -> parse(bad)).as(bad).isInstanceOf(TorChatCodecException.class);
        }
    }

    @Test
    void fieldsAreCheckedAtConstruction() {
        assertThatThrownBy(() -> TorChatPackets.ping("a b", "c"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TorChatPackets.pong(""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TorChatPackets.message("x".repeat(TorChatPacket.MAX_LINE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("limit");
        // backslashes double on the wire: half the limit of them is already too long
        assertThatThrownBy(() -> TorChatPackets.message("\\".repeat(TorChatPacket.MAX_LINE / 2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(TorChatPackets.message("x".repeat(TorChatPacket.MAX_LINE - 20)).text())
                .hasSize(TorChatPacket.MAX_LINE - 20);
    }

    private static int countLf(byte[] b) {
        int n = 0;
        for (byte x : b) {
            if (x == '\n') {
                n++;
            }
        }
        return n;
    }
}
