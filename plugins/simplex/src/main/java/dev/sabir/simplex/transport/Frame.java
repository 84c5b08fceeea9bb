package dev.sabir.simplex.transport;

import java.util.Arrays;

/**
 * What travels in one transport block between two members. A sender dials the recipient's listener
 * and names the queue ({@link Hello}); the recipient answers with the next sequence number it
 * expects ({@link Resume}); then sealed messages ({@link Msg}) flow one way and acknowledgements
 * ({@link Ack}) the other.
 */
public sealed interface Frame {

    /** The queue the frame belongs to (16 bytes). */
    byte[] queueId();

    /**
     * Opens a sending session on a queue.
     *
     * @param queueId the recipient's queue
     */
    record Hello(byte[] queueId) implements Frame {
        /** Checks the id. */
        public Hello {
            queueId = checkQueue(queueId);
        }
    }

    /**
     * The recipient's answer to {@link Hello}.
     *
     * @param queueId the queue
     * @param nextSeq the next sequence number the recipient expects
     */
    record Resume(byte[] queueId, long nextSeq) implements Frame {
        /** Checks the id. */
        public Resume {
            queueId = checkQueue(queueId);
        }
    }

    /**
     * A sealed message.
     *
     * @param queueId the queue
     * @param seq the per-queue sequence number (also the nonce)
     * @param senderKey the sender's X25519 public key on the confirmation, otherwise null
     * @param sealed the ciphertext of a padded envelope
     */
    record Msg(byte[] queueId, long seq, byte[] senderKey, byte[] sealed) implements Frame {
        /** Checks the parts. */
        public Msg {
            queueId = checkQueue(queueId);
            if (senderKey != null && senderKey.length != 32) {
                throw new IllegalArgumentException("sender key must be 32 bytes");
            }
            if (sealed.length != FrameCodec.SEALED) {
                throw new IllegalArgumentException(
                        "sealed part must be " + FrameCodec.SEALED + " bytes");
            }
            if (seq < 0) {
                throw new IllegalArgumentException("negative sequence");
            }
        }
    }

    /**
     * The recipient stored message {@code seq}.
     *
     * @param queueId the queue
     * @param seq the acknowledged sequence number
     * @param tag the AEAD tag that proves the recipient holds the queue key
     */
    record Ack(byte[] queueId, long seq, byte[] tag) implements Frame {
        /** Checks the parts. */
        public Ack {
            queueId = checkQueue(queueId);
            if (tag.length != QueueCrypto.TAG) {
                throw new IllegalArgumentException("tag must be 16 bytes");
            }
        }
    }

    private static byte[] checkQueue(byte[] id) {
        if (id == null || id.length != 16) {
            throw new IllegalArgumentException("queue id must be 16 bytes");
        }
        return Arrays.copyOf(id, 16);
    }
}
