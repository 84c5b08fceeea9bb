package dev.sabir.simplex;

import dev.sabir.simplex.transport.QueueCrypto;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Material of preset invitations, derived from an owner account's {@code inviteSecret}: the owner's
 * member id in a group it creates, and for invitation number {@code n} the invitee's member id, the
 * connection id, the receiving queue id and the X25519 key pair of that queue.
 *
 * <p>Everything is {@code HMAC-SHA256(secret, "sabir-simplex preset v1" 0 group 0 label)}, cut to
 * the needed length, so the invitation text is the same every time the owner starts, even on an
 * empty store, and can be computed from the owner's configuration alone. Whoever holds the text can
 * join (as with every invitation); the secret itself never leaves the owner's configuration.
 */
final class Presets {
    private static final Base64.Encoder B64U = Base64.getUrlEncoder().withoutPadding();

    private Presets() {}

    /** The owner's member id in a group created from configuration. */
    static String ownerMemberId(String secret, String group) {
        return B64U.encodeToString(derive(secret, group, "owner", 8));
    }

    /** The member id given to whoever accepts preset invitation {@code n}. */
    static String memberId(String secret, String group, int n) {
        return B64U.encodeToString(derive(secret, group, "member/" + n, 8));
    }

    /** The id of the connection behind preset invitation {@code n}. */
    static String connId(String secret, String group, int n) {
        return "p" + B64U.encodeToString(derive(secret, group, "conn/" + n, 9));
    }

    /** The receiving queue of preset invitation {@code n}. */
    static byte[] queueId(String secret, String group, int n) {
        return derive(secret, group, "queue/" + n, 16);
    }

    /** The key pair of preset invitation {@code n}'s queue. */
    static KeyPair keyPair(String secret, String group, int n) {
        return QueueCrypto.fromSeed(derive(secret, group, "key/" + n, 32));
    }

    private static byte[] derive(String secret, String group, String label, int len) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            mac.update("sabir-simplex preset v1".getBytes(StandardCharsets.US_ASCII));
            mac.update((byte) 0);
            mac.update(group.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            byte[] out = mac.doFinal(label.getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(out, len);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
