package dev.sabir.soulseek.codec;

import java.util.Arrays;
import java.util.Objects;

/**
 * Messages on a {@code P} peer connection (spec "Peer Messages"): {@code uint32 length, uint32
 * code, payload}. The same payload is used in both directions.
 */
public sealed interface PeerMessage {

    /** The message code. */
    int code();

    /** Writes the payload. */
    void encode(SlskWriter w, SlskLimits limits);

    /** Code 4: ask for the peer's shared file list. */
    record SharesRequest() implements PeerMessage {
        public int code() {
            return 4;
        }

        public void encode(SlskWriter w, SlskLimits limits) {}
    }

    /**
     * Code 5: the shared file list; the payload is zlib-compressed on the wire and held here
     * inflated.
     */
    record SharesReply(byte[] data) implements PeerMessage {
        /** Copies the data. */
        public SharesReply {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        public int code() {
            return 5;
        }

        public void encode(SlskWriter w, SlskLimits limits) {
            w.raw(SlskZlib.deflate(data));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SharesReply s && Arrays.equals(s.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "SharesReply[" + data.length + " bytes]";
        }
    }

    /**
     * Code 9: search results; zlib-compressed on the wire (listed in the protocol notes), held here
     * inflated.
     */
    record SearchReply(byte[] data) implements PeerMessage {
        /** Copies the data. */
        public SearchReply {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        public int code() {
            return 9;
        }

        public void encode(SlskWriter w, SlskLimits limits) {
            w.raw(SlskZlib.deflate(data));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof SearchReply s && Arrays.equals(s.data, data);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "SearchReply[" + data.length + " bytes]";
        }
    }

    /** Code 15: ask for the peer's description. */
    record UserInfoRequest() implements PeerMessage {
        public int code() {
            return 15;
        }

        public void encode(SlskWriter w, SlskLimits limits) {}
    }

    /**
     * Code 16: the peer's description.
     *
     * @param picture the picture bytes, or null when there is none
     */
    record UserInfoReply(
            String description,
            byte[] picture,
            int slotsFree,
            int totalUploads,
            boolean hasSlotsFree)
            implements PeerMessage {
        /** Checks and copies the parts. */
        public UserInfoReply {
            Objects.requireNonNull(description, "description");
            picture = picture == null ? null : picture.clone();
        }

        public int code() {
            return 16;
        }

        public void encode(SlskWriter w, SlskLimits limits) {
            w.string(description).bool(picture != null);
            if (picture != null) {
                w.bytes(picture);
            }
            w.u32(slotsFree).u32(totalUploads).bool(hasSlotsFree);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof UserInfoReply u
                    && u.description.equals(description)
                    && Arrays.equals(u.picture, picture)
                    && u.slotsFree == slotsFree
                    && u.totalUploads == totalUploads
                    && u.hasSlotsFree == hasSlotsFree;
        }

        @Override
        public int hashCode() {
            return Objects.hash(description, Arrays.hashCode(picture), slotsFree, totalUploads);
        }

        @Override
        public String toString() {
            return "UserInfoReply[description="
                    + description
                    + ", picture="
                    + (picture == null ? "none" : picture.length + " bytes")
                    + ", slotsFree="
                    + slotsFree
                    + ", totalUploads="
                    + totalUploads
                    + ", hasSlotsFree="
                    + hasSlotsFree
                    + "]";
        }
    }

    /**
     * Code 40: offer a transfer (direction 1 = we upload to the peer) or ask for one (0).
     *
     * @param size the optional size, or -1 when absent
     */
    record TransferRequest(int direction, int ticket, String filename, long size)
            implements PeerMessage {
        /** Direction: the peer wants to download from us. */
        public static final int DOWNLOAD = 0;

        /** Direction: we upload to the peer. */
        public static final int UPLOAD = 1;

        public int code() {
            return 40;
        }

        public void encode(SlskWriter w, SlskLimits limits) {
            w.u32(direction).u32(ticket).string(filename);
            if (size >= 0) {
                w.u64(size);
            }
        }
    }

    /**
     * Code 41: the answer to a transfer request. The spec writes the size as uint32; deployed
     * clients write uint64, which is what this codec sends; both are read.
     *
     * @param size the size when allowed and present, or -1
     * @param reason why not, when refused
     */
    record TransferReply(int ticket, boolean allowed, long size, String reason)
            implements PeerMessage {
        /** Allowed. */
        public static TransferReply allow(int ticket, long size) {
            return new TransferReply(ticket, true, size, null);
        }

        /** Refused. */
        public static TransferReply deny(int ticket, String reason) {
            return new TransferReply(ticket, false, -1, reason);
        }

        public int code() {
            return 41;
        }

        public void encode(SlskWriter w, SlskLimits limits) {
            w.u32(ticket).bool(allowed);
            if (allowed) {
                if (size >= 0) {
                    w.u64(size);
                }
            } else {
                w.string(reason == null ? "" : reason);
            }
        }
    }

    /** A peer message with a code this codec does not know. */
    record Unknown(int code, byte[] payload) implements PeerMessage {
        /** Copies the payload. */
        public Unknown {
            payload = payload.clone();
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        public void encode(SlskWriter w, SlskLimits limits) {
            w.raw(payload);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && u.code == code && Arrays.equals(u.payload, payload);
        }

        @Override
        public int hashCode() {
            return code * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Unknown[code=" + code + ", payload=" + payload.length + " bytes]";
        }
    }

    /** Decodes one frame's content (code and payload). */
    static PeerMessage decodeFrame(io.netty.buffer.ByteBuf frame, SlskLimits limits) {
        SlskReader r = new SlskReader(frame, limits);
        int code = r.u32();
        return switch (code) {
            case 4 -> new SharesRequest();
            case 5 -> new SharesReply(SlskZlib.inflate(r.rest(), limits.maxInflated()));
            case 9 -> new SearchReply(SlskZlib.inflate(r.rest(), limits.maxInflated()));
            case 15 -> new UserInfoRequest();
            case 16 -> {
                String desc = r.string();
                byte[] pic = r.bool() ? r.bytes("picture", limits.maxFrame()) : null;
                yield new UserInfoReply(desc, pic, r.u32(), r.u32(), r.has(1) && r.bool());
            }
            case 40 -> new TransferRequest(r.u32(), r.u32(), r.string(), r.has(8) ? r.u64() : -1);
            case 41 -> {
                int ticket = r.u32();
                if (r.bool()) {
                    long size =
                            r.has(8) ? r.u64() : r.has(4) ? Integer.toUnsignedLong(r.u32()) : -1;
                    yield new TransferReply(ticket, true, size, null);
                }
                yield new TransferReply(ticket, false, -1, r.has(4) ? r.string() : "");
            }
            default -> new Unknown(code, r.rest());
        };
    }

    /** Writes a whole frame. */
    static void writeFrame(PeerMessage m, io.netty.buffer.ByteBuf out, SlskLimits limits) {
        int start = out.writerIndex();
        out.writeIntLE(0);
        out.writeIntLE(m.code());
        m.encode(new SlskWriter(out), limits);
        out.setIntLE(start, out.writerIndex() - start - 4);
    }
}
