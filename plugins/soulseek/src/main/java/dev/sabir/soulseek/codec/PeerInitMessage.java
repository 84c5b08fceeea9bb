package dev.sabir.soulseek.codec;

import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * The first message on a peer socket (spec "Initialization Messages"): {@code uint32 length, uint8
 * code, payload}.
 */
public sealed interface PeerInitMessage {

    /** The uint8 code. */
    int code();

    /** Writes the payload. */
    void encode(SlskWriter w);

    /** Code 0: the answer to a ConnectToPeer relayed by the server. */
    record PierceFirewall(int ticket) implements PeerInitMessage {
        public int code() {
            return 0;
        }

        public void encode(SlskWriter w) {
            w.u32(ticket);
        }
    }

    /**
     * Code 1: a direct connection.
     *
     * @param user who connects
     * @param type {@code P} (peer messages), {@code F} (file) or {@code D} (distributed)
     * @param ticket a token
     */
    record PeerInit(String user, String type, int ticket) implements PeerInitMessage {
        /** Checks the parts. */
        public PeerInit {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(type, "type");
        }

        public int code() {
            return 1;
        }

        public void encode(SlskWriter w) {
            w.string(user).string(type).u32(ticket);
        }
    }

    /** Writes a whole init frame. */
    static void writeFrame(PeerInitMessage m, ByteBuf out) {
        int start = out.writerIndex();
        out.writeIntLE(0);
        out.writeByte(m.code());
        m.encode(new SlskWriter(out));
        out.setIntLE(start, out.writerIndex() - start - 4);
    }

    /** Decodes one init frame's content (code and payload). */
    static PeerInitMessage decodeFrame(ByteBuf frame, SlskLimits limits) {
        SlskReader r = new SlskReader(frame, limits);
        int code = r.u8();
        return switch (code) {
            case 0 -> new PierceFirewall(r.u32());
            case 1 -> {
                String user = r.string();
                String type = r.string();
                yield new PeerInit(user, type, r.has(4) ? r.u32() : 0);
            }
            default ->
                    throw new SoulseekCodecException(
                            SoulseekCodecException.Kind.BAD_VALUE,
                            "unknown peer init code " + code);
        };
    }
}
