package dev.sabir.simplex.transport;

import dev.sabir.simplex.transport.TransportException.Reason;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * X25519 key agreement and ChaCha20-Poly1305 sealing with the JDK's own providers.
 *
 * <p>Each queue gets its own key, derived from the connection's shared secret and the queue id.
 * Nonces are {@code 4-byte purpose ‖ 8-byte sequence number}: purpose 0 seals messages, purpose 1
 * seals acknowledgements, so a counter is never used twice with one key.
 */
public final class QueueCrypto {
    /** Bytes added by the AEAD tag. */
    public static final int TAG = 16;

    /** Nonce purpose of messages. */
    public static final int PURPOSE_MSG = 0;

    /** Nonce purpose of acknowledgements. */
    public static final int PURPOSE_ACK = 1;

    private QueueCrypto() {}

    /** A new X25519 key pair. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("XDH");
            g.initialize(NamedParameterSpec.X25519);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 unavailable", e);
        }
    }

    /**
     * The X25519 key pair whose private scalar is {@code seed} (32 bytes, clamped as RFC 7748
     * says). Used for preset invitations, whose keys are derived from a configured secret.
     */
    public static KeyPair fromSeed(byte[] seed) {
        if (seed.length != 32) {
            throw new IllegalArgumentException("seed must be 32 bytes");
        }
        try {
            PrivateKey priv =
                    KeyFactory.getInstance("XDH")
                            .generatePrivate(
                                    new XECPrivateKeySpec(NamedParameterSpec.X25519, seed.clone()));
            byte[] base = new byte[32];
            base[0] = 9; // the curve's base point u = 9
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(priv);
            ka.doPhase(publicKey(base), true);
            return new KeyPair(publicKey(ka.generateSecret()), priv);
        } catch (GeneralSecurityException | TransportException e) {
            throw new IllegalStateException("X25519 unavailable", e);
        }
    }

    /** The raw 32-byte little-endian u-coordinate of a public key. */
    public static byte[] rawPublic(PublicKey key) {
        BigInteger u = ((XECPublicKey) key).getU();
        byte[] be = u.toByteArray();
        byte[] out = new byte[32];
        for (int i = 0; i < 32 && i < be.length; i++) {
            out[i] = be[be.length - 1 - i];
        }
        return out;
    }

    /** A public key from its raw 32-byte form. */
    public static PublicKey publicKey(byte[] raw) throws TransportException {
        if (raw.length != 32) {
            throw new TransportException(Reason.BAD_FRAME, "public key must be 32 bytes");
        }
        byte[] be = new byte[33];
        for (int i = 0; i < 32; i++) {
            be[32 - i] = raw[i];
        }
        be[1] &= 0x7F; // RFC 7748: mask the top bit of the last byte
        try {
            return KeyFactory.getInstance("XDH")
                    .generatePublic(
                            new XECPublicKeySpec(NamedParameterSpec.X25519, new BigInteger(be)));
        } catch (GeneralSecurityException e) {
            throw new TransportException(Reason.BAD_FRAME, "bad public key");
        }
    }

    /** A private key from its PKCS#8 encoding. */
    public static PrivateKey privateKey(byte[] pkcs8) {
        try {
            return KeyFactory.getInstance("XDH").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("stored private key unreadable", e);
        }
    }

    /** The 32-byte key for one queue from the pair's shared secret. */
    public static byte[] queueKey(PrivateKey mine, PublicKey theirs, byte[] queueId)
            throws TransportException {
        try {
            KeyAgreement ka = KeyAgreement.getInstance("XDH");
            ka.init(mine);
            ka.doPhase(theirs, true);
            byte[] shared = ka.generateSecret();
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(shared, "HmacSHA256"));
            mac.update("sabir-simplex queue key v1".getBytes(StandardCharsets.US_ASCII));
            return mac.doFinal(queueId);
        } catch (GeneralSecurityException e) {
            throw new TransportException(Reason.TAMPERED, "key agreement failed");
        }
    }

    /**
     * Seals plaintext with a key, a nonce purpose and a sequence number; {@code aad} is
     * authenticated.
     */
    public static byte[] seal(byte[] key, int purpose, long seq, byte[] aad, byte[] plain) {
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), nonce(purpose, seq));
            c.updateAAD(aad);
            return c.doFinal(plain);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ChaCha20-Poly1305 unavailable", e);
        }
    }

    /** Opens what {@link #seal} produced, or fails with {@link Reason#TAMPERED}. */
    public static byte[] open(byte[] key, int purpose, long seq, byte[] aad, byte[] sealed)
            throws TransportException {
        try {
            Cipher c = Cipher.getInstance("ChaCha20-Poly1305");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), nonce(purpose, seq));
            c.updateAAD(aad);
            return c.doFinal(sealed);
        } catch (AEADBadTagException e) {
            throw new TransportException(Reason.TAMPERED, "authentication failed");
        } catch (GeneralSecurityException e) {
            throw new TransportException(Reason.TAMPERED, e.getClass().getSimpleName());
        }
    }

    private static IvParameterSpec nonce(int purpose, long seq) {
        return new IvParameterSpec(ByteBuffer.allocate(12).putInt(purpose).putLong(seq).array());
    }

    /** Additional authenticated data of a queue transmission. */
    public static byte[] aad(byte[] queueId, long seq) {
        return ByteBuffer.allocate(24).put(queueId).putLong(seq).array();
    }
}
