package dev.sabir.jabberft.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every IQ example of the 2002 proposal (testdata/, namespace swapped for Sabir's): parses, writes
 * back and parses to the same value; the transfer id falls back to the IQ id as in the proposal.
 */
class SpecVectorsTest {

    static Stream<String> vectors() throws IOException {
        return Arrays.stream(read("index.txt").split("\n")).filter(s -> !s.isBlank());
    }

    static String read(String name) throws IOException {
        try (InputStream in = SpecVectorsTest.class.getResourceAsStream("testdata/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static FtQuery parse(String name) throws Exception {
        String xml = read(name + ".xml");
        XmlElement iq = XmlElement.parse(xml.substring(xml.indexOf("<iq")));
        XmlElement q = iq.child("query", FtQuery.NAMESPACE).orElseThrow();
        return FtQuery.parse(q, iq.attr("id"));
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void roundTrips(String name) throws Exception {
        FtQuery q = parse(name);
        assertThat(q.sid()).isEqualTo("file_1");
        FtQuery again = FtQuery.parse(XmlElement.parse(q.toXml()), "other");
        assertThat(again).isEqualTo(q);
    }

    @Test
    void sendProposalCarriesTheFileAndTheConnectingRole() throws Exception {
        FtQuery q = parse("send-proposal");
        assertThat(q.role()).isEqualTo(FtQuery.Role.CONNECTING);
        assertThat(q.ip()).isEqualTo("12.34.56.78");
        assertThat(q.filename()).isEqualTo("my_girl.jpg");
        assertThat(q.filesize()).isEqualTo(35012);
        assertThat(q.desc()).isEqualTo("A cool girl i met yesterday.");
        assertThat(q.offset()).isZero();
    }

    @Test
    void appendAnswerNamesTheResumePoint() throws Exception {
        FtQuery q = parse("accept-send-proposal-append");
        assertThat(q.role()).isEqualTo(FtQuery.Role.LISTENING);
        assertThat(q.port()).isEqualTo(6666);
        assertThat(q.append()).isTrue();
        assertThat(q.offset()).isEqualTo(13000);
    }

    @Test
    void getProposalResumeAndDeclineAndTimeout() throws Exception {
        FtQuery resume = parse("get-proposal-resume");
        assertThat(resume.role()).isEqualTo(FtQuery.Role.CONNECTING);
        assertThat(resume.offset()).isEqualTo(66000);
        assertThat(parse("decline-get-proposal").abort()).isTrue();
        assertThat(parse("timeout").timeout()).isTrue();
    }

    @Test
    void factoriesWriteTheProposalsElements() throws Exception {
        String sha = "a".repeat(64);
        FtQuery send = FtMessages.sendProposal("s1", "10.0.0.1", "a&b <c>.txt", 10, sha, null);
        assertThat(send.toXml())
                .startsWith("<query xmlns='urn:sabir:p2pft:0' sid='s1'><connecting/>")
                .contains("<filename>a&amp;b &lt;c&gt;.txt</filename>")
                .contains("<sha256>" + sha + "</sha256>");
        FtQuery listen = FtMessages.listening(send.withDone(4), "10.0.0.2", 7000);
        assertThat(listen.toXml())
                .contains("<listening/><append/>")
                .contains("<port>7000</port>")
                .contains("<filebytesdone>4</filebytesdone>");
        assertThat(FtQuery.parse(XmlElement.parse(listen.toXml()), "x")).isEqualTo(listen);
        assertThat(FtMessages.abort("s1").toXml()).contains("<abort/>");
        assertThat(FtMessages.timeout("s1").toXml()).contains("<timeout/>");
    }

    @Test
    void valuesOutsideTheLimitsAreTypedErrors() {
        for (String bad :
                new String[] {
                    "<query xmlns='urn:sabir:p2pft:0'><listening/><connecting/></query>",
                    "<query xmlns='urn:sabir:p2pft:0'><filesize>-3</filesize></query>",
                    "<query xmlns='urn:sabir:p2pft:0'><filesize>12x</filesize></query>",
                    "<query xmlns='urn:sabir:p2pft:0'><port>70000</port></query>",
                    "<query xmlns='urn:sabir:p2pft:0'><listening/><ip>1.2.3.4</ip></query>",
                    "<query xmlns='urn:sabir:p2pft:0'><filesize>5</filesize><filebytesdone>9</filebytesdone></query>",
                    "<query xmlns='urn:sabir:p2pft:0'><sha256>xyz</sha256></query>",
                    "<query xmlns='urn:sabir:p2pft:0' sid='bad sid!'/>",
                    "<query xmlns='jabber:iq:oob'/>"
                }) {
            org.assertj.core.api.Assertions.assertThatThrownBy(
                            () -> FtQuery.parse(XmlElement.parse(bad), "file_1"))
                    .as(bad)
                    .isInstanceOf(FtProtocolException.class);
        }
    }
}
