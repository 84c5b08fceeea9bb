package dev.sabir.simplex.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TransportTest {

    private static Frame.Msg sampleMsg() {
        byte[] sealed = new byte[FrameCodec.SEALED];
        new Random(3).nextBytes(sealed);
        byte[] key = new byte[32];
        key[0] = 9;
        return new Frame.Msg(new byte[16], 7, key, sealed);
    }

    @Test
    void blocksArePaddedWithHashes() throws Exception {
        byte[] b = Blocks.pad("abc".getBytes(), 16);
        assertThat(new String(b, 2, 14)).isEqualTo("abc###########");
        assertThat(b[0]).isZero();
        assertThat(b[1]).isEqualTo((byte) 3);
        assertThat(Blocks.unpad(b)).isEqualTo("abc".getBytes());
        b[10] = 'x';
        assertThatThrownBy(() -> Blocks.unpad(b)).isInstanceOf(TransportException.class);
        byte[] tooLong = Blocks.pad(new byte[0], 16);
        tooLong[1] = 15;
        assertThatThrownBy(() -> Blocks.unpad(tooLong)).isInstanceOf(TransportException.class);
    }

    @Test
    void decoderHandlesEverySplitPoint() {
        byte[] wire = FrameCodec.encode(sampleMsg());
        assertThat(wire).hasSize(Blocks.SIZE);
        for (int split = 1; split < wire.length; split += 97) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, 0, split)));
            assertThat((Object) ch.readInbound()).isNull();
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, split, wire.length)));
            Frame.Msg m = ch.readInbound();
            assertThat(m.seq()).isEqualTo(7);
            assertThat(m.sealed()).isEqualTo(sampleMsg().sealed());
            assertFalse(ch.finish());
        }
    }

    @Test
    void decoderSplitAtEveryByteOfHeader() {
        byte[] wire = FrameCodec.encode(new Frame.Resume(new byte[16], 42));
        for (int split = 1; split < 64; split++) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, 0, split)));
            ch.writeInbound(Unpooled.wrappedBuffer(Arrays.copyOfRange(wire, split, wire.length)));
            Frame.Resume r = ch.readInbound();
            assertThat(r.nextSeq()).isEqualTo(42);
            assertFalse(ch.finish());
        }
    }

    @Test
    void malformedBlockIsOneTypedErrorThenNothing() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        byte[] junk = new byte[Blocks.SIZE * 2];
        Arrays.fill(junk, (byte) 'z');
        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(junk)))
                .isInstanceOf(DecoderException.class)
                .hasCauseInstanceOf(TransportException.class);
        ch.writeInbound(Unpooled.wrappedBuffer(FrameCodec.encode(new Frame.Hello(new byte[16]))));
        assertThat((Object) ch.readInbound()).isNull();
        assertFalse(ch.finish());
    }

    @Test
    void framesRoundTrip() throws Exception {
        byte[] q = new byte[16];
        q[3] = 1;
        assertThat(
                        ((Frame.Hello) FrameCodec.decode(FrameCodec.encode(new Frame.Hello(q))))
                                .queueId())
                .isEqualTo(q);
        Frame.Ack a =
                (Frame.Ack) FrameCodec.decode(FrameCodec.encode(new Frame.Ack(q, 5, new byte[16])));
        assertThat(a.seq()).isEqualTo(5);
        Frame.Msg m =
                (Frame.Msg)
                        FrameCodec.decode(
                                FrameCodec.encode(
                                        new Frame.Msg(q, 1, null, new byte[FrameCodec.SEALED])));
        assertThat(m.senderKey()).isNull();
    }

    @Test
    void linksRoundTripAndRejectJunk() throws Exception {
        KeyPair kp = QueueCrypto.generate();
        byte[] q = new byte[16];
        new Random(4).nextBytes(q);
        ConnLink l = new ConnLink("127.0.0.1", 5223, q, QueueCrypto.rawPublic(kp.getPublic()));
        String text = l.toText();
        assertThat(text).startsWith("simplex:/invitation#").doesNotContain(",", " ");
        assertThat(ConnLink.parse(text)).isEqualTo(l);
        assertThatThrownBy(() -> ConnLink.parse("simplex:/invitation#!!"))
                .isInstanceOf(TransportException.class);
        assertThatThrownBy(() -> ConnLink.parse("simplex:/invitation#AAAA"))
                .isInstanceOf(TransportException.class);
        assertThatThrownBy(() -> ConnLink.parse("https://example.org"))
                .isInstanceOf(TransportException.class);
    }

    @Test
    void keyAgreementAndSealing() throws Exception {
        KeyPair x = QueueCrypto.generate();
        KeyPair y = QueueCrypto.generate();
        byte[] q = new byte[16];
        byte[] k1 =
                QueueCrypto.queueKey(
                        x.getPrivate(),
                        QueueCrypto.publicKey(QueueCrypto.rawPublic(y.getPublic())),
                        q);
        byte[] k2 =
                QueueCrypto.queueKey(
                        y.getPrivate(),
                        QueueCrypto.publicKey(QueueCrypto.rawPublic(x.getPublic())),
                        q);
        assertThat(k1).isEqualTo(k2);
        byte[] aad = QueueCrypto.aad(q, 3);
        byte[] sealed = QueueCrypto.seal(k1, QueueCrypto.PURPOSE_MSG, 3, aad, "hi".getBytes());
        assertThat(QueueCrypto.open(k2, QueueCrypto.PURPOSE_MSG, 3, aad, sealed))
                .isEqualTo("hi".getBytes());
        // another counter, another purpose or a flipped bit all fail
        assertThatThrownBy(() -> QueueCrypto.open(k2, QueueCrypto.PURPOSE_MSG, 4, aad, sealed))
                .isInstanceOfSatisfying(
                        TransportException.class,
                        e -> assertThat(e.reason()).isEqualTo(TransportException.Reason.TAMPERED));
        assertThatThrownBy(() -> QueueCrypto.open(k2, QueueCrypto.PURPOSE_ACK, 3, aad, sealed))
                .isInstanceOf(TransportException.class);
        sealed[0] ^= 1;
        assertThatThrownBy(() -> QueueCrypto.open(k2, QueueCrypto.PURPOSE_MSG, 3, aad, sealed))
                .isInstanceOf(TransportException.class);
    }

    @Test
    void seededKeyPairsAreDeterministicAndAgreeWithRandomOnes() throws Exception {
        byte[] seed = new byte[32];
        new Random(11).nextBytes(seed);
        KeyPair a = QueueCrypto.fromSeed(seed);
        KeyPair again = QueueCrypto.fromSeed(seed);
        assertThat(QueueCrypto.rawPublic(a.getPublic()))
                .isEqualTo(QueueCrypto.rawPublic(again.getPublic()));
        seed[31] ^= 1;
        assertThat(QueueCrypto.rawPublic(QueueCrypto.fromSeed(seed).getPublic()))
                .isNotEqualTo(QueueCrypto.rawPublic(a.getPublic()));
        KeyPair b = QueueCrypto.generate();
        byte[] q = new byte[16];
        // both sides derive the same queue key only if the seeded public key matches its private
        // key
        byte[] fromA =
                QueueCrypto.queueKey(
                        QueueCrypto.privateKey(a.getPrivate().getEncoded()),
                        QueueCrypto.publicKey(QueueCrypto.rawPublic(b.getPublic())),
                        q);
        byte[] fromB =
                QueueCrypto.queueKey(
                        b.getPrivate(),
                        QueueCrypto.publicKey(QueueCrypto.rawPublic(a.getPublic())),
                        q);
        assertThat(fromA).isEqualTo(fromB);
        assertThatThrownBy(() -> QueueCrypto.fromSeed(new byte[31]))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
