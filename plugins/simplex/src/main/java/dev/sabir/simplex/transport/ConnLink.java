package dev.sabir.simplex.transport;

import dev.sabir.simplex.transport.TransportException.Reason;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * A connection invitation: where the inviter's receiving queue is ({@code host:port} of its
 * listener and the queue id) and the inviter's X25519 public key. Printed as pasteable text {@code
 * simplex:/invitation#<base64url>}; it contains no comma or space, so it also fits in a chat
 * message parameter.
 *
 * @param host the listener's host
 * @param port the listener's port
 * @param queueId the receiving queue's id (16 bytes)
 * @param publicKey the X25519 public key (32 bytes)
 */
public record ConnLink(String host, int port, byte[] queueId, byte[] publicKey) {
    /** Prefix of the text form. */
    public static final String PREFIX = "simplex:/invitation#";

    private static final int VERSION = 1;

    /** Checks and copies the parts. */
    public ConnLink {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty() || host.length() > 255 || port < 1 || port > 65535) {
            throw new IllegalArgumentException("bad address " + host + ":" + port);
        }
        if (queueId.length != 16 || publicKey.length != 32) {
            throw new IllegalArgumentException("bad queue id or key length");
        }
        queueId = queueId.clone();
        publicKey = publicKey.clone();
    }

    @Override
    public byte[] queueId() {
        return queueId.clone();
    }

    @Override
    public byte[] publicKey() {
        return publicKey.clone();
    }

    /** The pasteable text form. */
    public String toText() {
        byte[] h = host.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(1 + 16 + 32 + 2 + h.length);
        b.put((byte) VERSION).put(queueId).put(publicKey).putShort((short) port).put(h);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(b.array());
    }

    /** Parses the text form. */
    public static ConnLink parse(String text) throws TransportException {
        String t = text.strip();
        if (!t.startsWith(PREFIX) || t.length() > 1024) {
            throw new TransportException(Reason.BAD_LINK, "not a " + PREFIX + " link");
        }
        byte[] raw;
        try {
            raw = Base64.getUrlDecoder().decode(t.substring(PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new TransportException(Reason.BAD_LINK, "bad base64url");
        }
        if (raw.length < 1 + 16 + 32 + 2 + 1 || raw[0] != VERSION) {
            throw new TransportException(Reason.BAD_LINK, "bad length or version");
        }
        ByteBuffer b = ByteBuffer.wrap(raw);
        b.get();
        byte[] q = new byte[16];
        byte[] k = new byte[32];
        b.get(q).get(k);
        int port = b.getShort() & 0xFFFF;
        byte[] h = new byte[b.remaining()];
        b.get(h);
        try {
            return new ConnLink(new String(h, StandardCharsets.UTF_8), port, q, k);
        } catch (IllegalArgumentException e) {
            throw new TransportException(Reason.BAD_LINK, e.getMessage());
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnLink l
                && host.equals(l.host)
                && port == l.port
                && Arrays.equals(queueId, l.queueId)
                && Arrays.equals(publicKey, l.publicKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port, Arrays.hashCode(queueId), Arrays.hashCode(publicKey));
    }

    @Override
    public String toString() {
        return "ConnLink[" + host + ":" + port + "]";
    }
}
