package dev.sabir.xmpp.vcard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sabir.api.ProfileUpdate;
import dev.sabir.xmpp.Stanzas;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading users' own vCards out of vcard-temp answers. */
class UserVCardTest {
    @BeforeAll
    static void smack() {
        Stanzas.initSmack();
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = UserVCardTest.class.getResourceAsStream("testdata/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static String xml(String name) throws IOException {
        return new String(resource(name), StandardCharsets.UTF_8);
    }

    @Test
    void specExampleGivesNicknameDescriptionAndPhotoDespiteLineBreaks() throws Exception {
        UserVCard v = UserVCard.parse(xml("xep0054-result.xml"));
        assertThat(v.name()).isEqualTo("stpeter");
        assertThat(v.text())
                .isEqualTo("More information about me is located on my personal website & blog.");
        assertThat(v.avatar()).isEqualTo(resource("pixel.png"));
        assertThat(v.avatarType()).isEqualTo("image/png");
        assertThat(v.avatarDropped()).isNull();
        assertThat(v.photoHash()).isEqualTo(Profiles.sha1(resource("pixel.png")));
    }

    @Test
    void blankNicknameFallsBackToFullName() throws Exception {
        UserVCard v = UserVCard.parse(xml("fn-only.xml"));
        assertThat(v.name()).isEqualTo("Juliet Capulet");
        assertThat(v.avatar()).isNull();
        assertThat(v.isEmpty()).isFalse();
    }

    @Test
    void resultWithoutVCardIsEmpty() throws Exception {
        assertThat(UserVCard.parse(xml("empty-result.xml")).isEmpty()).isTrue();
    }

    @Test
    void undecodablePhotoIsDroppedButNameKept() throws Exception {
        UserVCard v = UserVCard.parse(xml("bad-photo.xml"));
        assertThat(v.name()).isEqualTo("jules");
        assertThat(v.avatar()).isNull();
        assertThat(v.avatarDropped()).contains("base64");
    }

    @Test
    void oversizedPhotoIsDroppedButTextKept() throws Exception {
        String big = Base64.getEncoder().encodeToString(new byte[ProfileUpdate.MAX_AVATAR + 1]);
        UserVCard v =
                UserVCard.parse(
                        "<iq type='result' id='x'><vCard xmlns='vcard-temp'><DESC>hi</DESC>"
                                + "<PHOTO><TYPE>image/png</TYPE><BINVAL>"
                                + big
                                + "</BINVAL></PHOTO></vCard></iq>");
        assertThat(v.text()).isEqualTo("hi");
        assertThat(v.avatar()).isNull();
        assertThat(v.avatarDropped()).contains("over");
    }

    @Test
    void missingTypeIsGuessedFromTheBytes() throws Exception {
        String png = Base64.getEncoder().encodeToString(resource("pixel.png"));
        UserVCard v =
                UserVCard.parse(
                        "<iq type='result' id='x'><vCard xmlns='vcard-temp'><PHOTO><BINVAL>"
                                + png
                                + "</BINVAL></PHOTO></vCard></iq>");
        assertThat(v.avatarType()).isEqualTo("image/png");
        assertThat(
                        v.toUpdate(
                                        new dev.sabir.api.Address("xmpp", "comp", "room"),
                                        dev.sabir.api.Sender.of("a@b"))
                                .avatar())
                .isEqualTo(resource("pixel.png"));
    }

    @Test
    void malformedXmlIsATypedError() {
        assertThatThrownBy(
                        () ->
                                UserVCard.parse(
                                        "<iq type='result'><vCard xmlns='vcard-temp'><FN>x</vCard>"))
                .isInstanceOf(UserVCard.VCardParseException.class);
    }
}
