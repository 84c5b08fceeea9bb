package dev.sabir.simplex.transport;

import dev.sabir.simplex.transport.TransportException.Reason;
import java.nio.ByteBuffer;

/** Turns frames into padded {@link Blocks#SIZE}-byte blocks and back. */
public final class FrameCodec {
    /** Size of a padded envelope before sealing. */
    public static final int INNER = 16300;

    /** Size of the sealed part of a {@link Frame.Msg}. */
    public static final int SEALED = INNER + QueueCrypto.TAG;

    /** Largest envelope content (the inner block has its own length prefix). */
    public static final int MAX_ENVELOPE = INNER - 2;

    private FrameCodec() {}

    /** Encodes a frame as one block. */
    public static byte[] encode(Frame f) {
        ByteBuffer b = ByteBuffer.allocate(Blocks.SIZE - 2);
        if (f instanceof Frame.Hello h) {
            b.put((byte) 'H').put(h.queueId());
        } else if (f instanceof Frame.Resume r) {
            b.put((byte) 'R').put(r.queueId()).putLong(r.nextSeq());
        } else if (f instanceof Frame.Msg m) {
            b.put((byte) 'M').put(m.queueId()).putLong(m.seq());
            if (m.senderKey() == null) {
                b.put((byte) 0);
            } else {
                b.put((byte) 1).put(m.senderKey());
            }
            b.put(m.sealed());
        } else if (f instanceof Frame.Ack a) {
            b.put((byte) 'A').put(a.queueId()).putLong(a.seq()).put(a.tag());
        }
        byte[] payload = new byte[b.position()];
        b.flip().get(payload);
        return Blocks.pad(payload, Blocks.SIZE);
    }

    /** Decodes one block. */
    public static Frame decode(byte[] block) throws TransportException {
        if (block.length != Blocks.SIZE) {
            throw new TransportException(Reason.BAD_BLOCK, "block of " + block.length + " bytes");
        }
        ByteBuffer b = ByteBuffer.wrap(Blocks.unpad(block));
        try {
            byte type = b.get();
            byte[] q = new byte[16];
            b.get(q);
            Frame f =
                    switch (type) {
                        case 'H' -> new Frame.Hello(q);
                        case 'R' -> new Frame.Resume(q, b.getLong());
                        case 'M' -> {
                            long seq = b.getLong();
                            byte flag = b.get();
                            byte[] key = null;
                            if (flag == 1) {
                                key = new byte[32];
                                b.get(key);
                            } else if (flag != 0) {
                                throw new TransportException(Reason.BAD_FRAME, "bad key flag");
                            }
                            byte[] sealed = new byte[SEALED];
                            b.get(sealed);
                            yield new Frame.Msg(q, seq, key, sealed);
                        }
                        case 'A' -> {
                            long seq = b.getLong();
                            byte[] tag = new byte[QueueCrypto.TAG];
                            b.get(tag);
                            yield new Frame.Ack(q, seq, tag);
                        }
                        default ->
                                throw new TransportException(
                                        Reason.BAD_FRAME, "unknown frame type " + (type & 0xFF));
                    };
            if (b.hasRemaining()) {
                throw new TransportException(Reason.BAD_FRAME, "extra bytes after frame");
            }
            return f;
        } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
            throw new TransportException(Reason.BAD_FRAME, "frame too short or invalid");
        }
    }
}
