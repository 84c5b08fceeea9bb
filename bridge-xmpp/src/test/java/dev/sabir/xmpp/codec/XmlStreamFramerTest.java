package dev.sabir.xmpp.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The depth-counting framer, fed whole and split at every byte. */
class XmlStreamFramerTest {
    // XEP-0114 §3 example 2 (server's stream header) and a stanza with CDATA, quotes and nesting
    private static final String STREAM =
            "<?xml version='1.0'?>\n<stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
                    + "xmlns='jabber:component:accept' from='plays.shakespeare.lit' id='3BF96D32'>"
                    + "<handshake/> \n"
                    + "<message from='a@b/c' to='x@plays.shakespeare.lit' id=\"q>1\"><body>é <![CDATA[<not/> ]]]> a tag]]></body>"
                    + "<x xmlns='jabber:x:oob'><url>http://h/f?a=1&amp;b=2</url></x></message>"
                    + "<presence/></stream:stream>";

    private static List<Object> feed(EmbeddedChannel ch, byte[] bytes, int split) {
        List<Object> out = new ArrayList<>();
        if (split <= 0) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes));
        } else {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, 0, split));
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, split, bytes.length - split));
        }
        Object o;
        while ((o = ch.readInbound()) != null) {
            out.add(o);
        }
        return out;
    }

    @Test
    void framesAStreamSplitAtEveryByte() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        for (int split = 0; split < bytes.length; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(new XmlStreamFramer());
            List<Object> frames = feed(ch, bytes, split);
            assertThat(frames).as("split at %d", split).hasSize(5);
            assertThat(((XmlFrame.StreamOpen) frames.get(0)).attribute("id")).isEqualTo("3BF96D32");
            assertThat(((XmlFrame.Element) frames.get(1)).xml()).isEqualTo("<handshake/>");
            XmlFrame.Element msg = (XmlFrame.Element) frames.get(2);
            assertThat(msg.name()).isEqualTo("message");
            assertThat(msg.xml())
                    .startsWith("<message ")
                    .endsWith("</message>")
                    .contains("é <![CDATA[<not/> ]]]> a tag]]>");
            assertThat(((XmlFrame.Element) frames.get(3)).xml()).isEqualTo("<presence/>");
            assertThat(frames.get(4)).isInstanceOf(XmlFrame.StreamClose.class);
            assertFalse(ch.finish());
        }
    }

    @Test
    void oversizedElementIsATypedErrorAndTheRestIsDropped() {
        EmbeddedChannel ch = new EmbeddedChannel(new XmlStreamFramer(100, 200));
        String head = "<stream:stream id='1'>";
        ch.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.UTF_8));
        assertThat((Object) ch.readInbound()).isInstanceOf(XmlFrame.StreamOpen.class);
        assertThatThrownBy(
                        () ->
                                ch.writeInbound(
                                        Unpooled.copiedBuffer(
                                                "<message><body>"
                                                        + "x".repeat(200)
                                                        + "</body></message>",
                                                StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        XmlFrameException.class,
                        e -> assertThat(e.reason()).isEqualTo(XmlFrameException.Reason.TOO_LARGE));
        ch.writeInbound(Unpooled.copiedBuffer("<presence/>", StandardCharsets.UTF_8));
        assertThat((Object) ch.readInbound()).isNull();
        assertFalse(ch.finish());
    }

    @Test
    void restrictedXmlAndGarbageAreRejected() {
        for (String bad :
                List.of(
                        "<stream:stream id='1'><!-- hi --><presence/>",
                        "<stream:stream id='1'><?pi x?>",
                        "<stream:stream id='1'>text at stream level",
                        "<foo/>",
                        "<stream:stream id='1'><a>\u0001</a>",
                        "<stream:stream id='1'><a <b>")) {
            EmbeddedChannel ch = new EmbeddedChannel(new XmlStreamFramer());
            assertThatThrownBy(
                            () ->
                                    ch.writeInbound(
                                            Unpooled.copiedBuffer(bad, StandardCharsets.UTF_8)))
                    .as(bad)
                    .isInstanceOf(XmlFrameException.class);
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void headerLimitApplies() {
        EmbeddedChannel ch = new EmbeddedChannel(new XmlStreamFramer(1024, 64));
        assertThatThrownBy(
                        () ->
                                ch.writeInbound(
                                        Unpooled.copiedBuffer(
                                                "<stream:stream a='" + "y".repeat(100) + "'>",
                                                StandardCharsets.UTF_8)))
                .isInstanceOfSatisfying(
                        XmlFrameException.class,
                        e -> assertThat(e.reason()).isEqualTo(XmlFrameException.Reason.TOO_LARGE));
        ch.finishAndReleaseAll();
    }

    @Test
    void namespaceRewriteAndHandshakeDigest() {
        assertThat(ComponentProtocol.toClientNamespace("<message to='a'><body>x</body></message>"))
                .isEqualTo("<message xmlns='jabber:client' to='a'><body>x</body></message>");
        assertThat(
                        ComponentProtocol.toClientNamespace(
                                "<iq xmlns=\"jabber:component:accept\" type='get'/>"))
                .isEqualTo("<iq xmlns=\"jabber:client\" type='get'/>");
        assertThat(ComponentProtocol.toClientNamespace("<presence/>"))
                .isEqualTo("<presence xmlns='jabber:client'/>");
        // XEP-0114 §3: SHA1("3BF96D32" + "PrivateKey")
        assertThat(ComponentProtocol.handshakeDigest("3BF96D32", "PrivateKey"))
                .isEqualTo("cf2558aa5dcb5ca699c3e9ef0fb9b3b3818e6174");
        assertThat(
                        ComponentProtocol.streamErrorCondition(
                                "<stream:error><not-authorized xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"))
                .isEqualTo("not-authorized");
    }
}
