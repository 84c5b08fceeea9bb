package dev.sabir.jabberft.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The component stream framer on an {@link EmbeddedChannel}, whole and split at every byte. */
class XmlFramerTest {
    static final String STREAM =
            "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams'"
                    + " xmlns='jabber:component:accept' id='abc&amp;1' from='ft.localhost'>"
                    + "<handshake/> \n"
                    + "<iq type='get' id='q\"1' from='x@localhost/r&gt;' to='ft.localhost'>"
                    + "<query xmlns='urn:sabir:p2pft:0' sid='s'><filename>a &lt;b&gt; \u00e9\u20ac</filename>"
                    + "<connecting/></query></iq>"
                    + "<message from='x@localhost' to='ft.localhost'><body>1 > 0</body></message>"
                    + "</stream:stream>";

    static List<XmlFrame> frames(EmbeddedChannel ch) {
        List<XmlFrame> out = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            out.add((XmlFrame) o);
        }
        return out;
    }

    static void check(List<XmlFrame> f) {
        assertThat(f).hasSize(5);
        XmlFrame.StreamOpen open = (XmlFrame.StreamOpen) f.get(0);
        assertThat(open.id()).isEqualTo("abc&1");
        assertThat(((XmlFrame.Element) f.get(1)).name()).isEqualTo("handshake");
        XmlFrame.Element iq = (XmlFrame.Element) f.get(2);
        assertThat(iq.name()).isEqualTo("iq");
        XmlElement parsed = XmlElement.parseStanza(iq.xml());
        assertThat(parsed.attr("from")).isEqualTo("x@localhost/r>");
        assertThat(parsed.child("query", FtQuery.NAMESPACE).orElseThrow().childText("filename"))
                .isEqualTo("a <b> \u00e9\u20ac");
        assertThat(XmlElement.parseStanza(((XmlFrame.Element) f.get(3)).xml()).childText("body"))
                .isEqualTo("1 > 0");
        assertThat(f.get(4)).isInstanceOf(XmlFrame.StreamClose.class);
    }

    @Test
    void framesAWholeStream() {
        EmbeddedChannel ch = new EmbeddedChannel(new XmlFramer());
        ch.writeInbound(Unpooled.copiedBuffer(STREAM, StandardCharsets.UTF_8));
        check(frames(ch));
        assertFalse(ch.finish());
    }

    @Test
    void framesTheSameStreamSplitAtEveryByte() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int cut = 1; cut < bytes.length; cut++) {
            EmbeddedChannel ch = new EmbeddedChannel(new XmlFramer());
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, cut));
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, cut, bytes.length - cut));
            check(frames(ch));
            assertFalse(ch.finish());
        }
    }

    @Test
    void framesByteByByte() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        EmbeddedChannel ch = new EmbeddedChannel(new XmlFramer());
        for (byte b : bytes) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        check(frames(ch));
        assertFalse(ch.finish());
    }

    @Test
    void oversizedElementIsATypedError() {
        EmbeddedChannel ch = new EmbeddedChannel(new XmlFramer(128, 256));
        ch.writeInbound(Unpooled.copiedBuffer("<stream:stream id='1'>", StandardCharsets.UTF_8));
        assertThatThrownBy(
                        () ->
                                ch.writeInbound(
                                        Unpooled.copiedBuffer(
                                                "<message><body>" + "x".repeat(200),
                                                StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        XmlFrameException.class,
                        e -> assertThat(e.reason()).isEqualTo(XmlFrameException.Reason.TOO_LARGE));
        // later input is ignored, not parsed
        ch.writeInbound(Unpooled.copiedBuffer("</body></message><iq/>", StandardCharsets.UTF_8));
        assertThat(frames(ch)).hasSize(1);
        assertFalse(ch.finish());
    }

    @Test
    void oversizedHeaderIsATypedError() {
        EmbeddedChannel ch = new EmbeddedChannel(new XmlFramer(128, 100));
        assertThatThrownBy(
                        () ->
                                ch.writeInbound(
                                        Unpooled.copiedBuffer(
                                                "<stream:stream a='" + "y".repeat(200),
                                                StandardCharsets.UTF_8)))
                .isInstanceOf(XmlFrameException.class);
        assertFalse(ch.finish());
    }

    @Test
    void restrictedXmlAndGarbageAreTypedErrors() {
        String[][] cases = {
            {"<stream:stream id='1'><!-- hi --><iq/>", "RESTRICTED_XML"},
            {"<stream:stream id='1'><iq><![CDATA[x]]></iq>", "RESTRICTED_XML"},
            {"<stream:stream id='1'><?pi?>", "RESTRICTED_XML"},
            {"<stream:stream id='1'>hello", "NOT_WELL_FORMED"},
            {"<stream:stream id='1'><iq\u0001/>", "NOT_WELL_FORMED"},
            {"</iq>", "NOT_WELL_FORMED"},
            {"garbage", "NOT_WELL_FORMED"},
            {"<stream:stream id='1'>< iq/>", "NOT_WELL_FORMED"},
        };
        for (String[] c : cases) {
            EmbeddedChannel ch = new EmbeddedChannel(new XmlFramer());
            assertThatThrownBy(
                            () ->
                                    ch.writeInbound(
                                            Unpooled.copiedBuffer(c[0], StandardCharsets.UTF_8)))
                    .as(c[0])
                    .isInstanceOfSatisfying(
                            XmlFrameException.class,
                            e -> assertThat(e.reason().name()).isEqualTo(c[1]));
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void unparseableStanzaIsATypedError() {
        assertThatThrownBy(() -> XmlElement.parseStanza("<iq><a></b></iq>"))
                .isInstanceOf(XmlFrameException.class);
        assertThatThrownBy(() -> XmlElement.parseStanza("<iq/><iq/>"))
                .isInstanceOf(XmlFrameException.class);
        assertThatThrownBy(() -> XmlElement.parse("<!DOCTYPE x [<!ENTITY e 'boom'>]><x>&e;</x>"))
                .isInstanceOf(XmlFrameException.class);
    }

    @Test
    void handshakeIsSha1OfStreamIdAndSecret() {
        // sha1("3BF96D32" + "s3cr3t") computed independently with sha1sum
        assertThat(Stanzas.handshakeDigest("3BF96D32", "s3cr3t")).isEqualTo(HANDSHAKE_VECTOR);
    }

    static final String HANDSHAKE_VECTOR = "ba33290100f616a33656a931798d6c9011cfa840";
}
