package dev.sabir.ipcfile.codec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * One libipc frame: {@code u8 type}, {@code u32} big-endian payload length, {@code u8 user_type},
 * then the payload (UTF-8 JSON for this protocol). The header is {@value #HEADER} bytes.
 *
 * <p>Immutable: the public constructor copies the payload and {@link #payload()} returns a copy;
 * {@link #payloadView()} reads it without copying. (A final class rather than a record, so that the
 * decoders of this package can hand over a freshly read array without a second copy.)
 */
public final class IpcFrame {
    /** Header length in bytes. */
    public static final int HEADER = 6;

    /** libipc: the peer is closing. */
    public static final int TYPE_CLOSE = 0;

    /** libipc: an error report. */
    public static final int TYPE_ERROR = 1;

    /** libipc: an application message. */
    public static final int TYPE_DATA = 2;

    /** User type of an AUTHENTICATION message. */
    public static final int AUTHENTICATION = 1;

    /** User type of a RESPONSE message. */
    public static final int RESPONSE = 2;

    /** User type of a TRANSFER message. */
    public static final int TRANSFER = 3;

    private final int type;
    private final int userType;
    private final byte[] payload;

    /**
     * Checks the parts and copies the payload.
     *
     * @param type the libipc message type ({@link #TYPE_DATA} for application messages)
     * @param userType the application's message type ({@link #AUTHENTICATION}, {@link #RESPONSE},
     *     {@link #TRANSFER})
     * @param payload the payload bytes (copied)
     */
    public IpcFrame(int type, int userType, byte[] payload) {
        this(checkedCopy(type, userType, payload), type, userType);
    }

    private static byte[] checkedCopy(int type, int userType, byte[] payload) {
        checkTypes(type, userType);
        return Objects.requireNonNull(payload, "payload").clone();
    }

    private static void checkTypes(int type, int userType) {
        if (type < 0 || type > 255 || userType < 0 || userType > 255) {
            throw new IllegalArgumentException("type and user type are single bytes");
        }
    }

    /** Takes ownership of {@code owned}. */
    private IpcFrame(byte[] owned, int type, int userType) {
        checkTypes(type, userType);
        this.type = type;
        this.userType = userType;
        this.payload = owned;
    }

    /**
     * A frame that takes ownership of {@code payload} without copying it: only for arrays the
     * caller has just filled and never touches again.
     */
    static IpcFrame adopt(int type, int userType, byte[] payload) {
        return new IpcFrame(Objects.requireNonNull(payload, "payload"), type, userType);
    }

    /** A DATA frame. */
    public static IpcFrame data(int userType, byte[] payload) {
        return new IpcFrame(TYPE_DATA, userType, payload);
    }

    /** The libipc message type. */
    public int type() {
        return type;
    }

    /** The application's message type. */
    public int userType() {
        return userType;
    }

    /** The payload (a copy). */
    public byte[] payload() {
        return payload.clone();
    }

    /** The payload as a read-only buffer over the frame's own bytes (no copy). */
    public ByteBuffer payloadView() {
        return ByteBuffer.wrap(payload).asReadOnlyBuffer();
    }

    /** The payload itself, for the encoder of this package: never modify it. */
    byte[] payloadShared() {
        return payload;
    }

    /** The payload length. */
    public int length() {
        return payload.length;
    }

    /** The whole frame as bytes: header and payload. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(HEADER + payload.length);
        b.put((byte) type).putInt(payload.length).put((byte) userType).put(payload);
        return b.array();
    }

    /**
     * Reads a frame from one whole record (a SOCK_SEQPACKET read): the record must hold exactly one
     * header and the payload it announces.
     *
     * @param record the buffer
     * @param length how many bytes of it the record filled
     * @param maxPayload the largest payload accepted
     * @throws IpcCodecException when the record is short, long or over the limit
     */
    public static IpcFrame fromRecord(byte[] record, int length, int maxPayload)
            throws IpcCodecException {
        if (length < HEADER) {
            throw new IpcCodecException(
                    IpcCodecException.Kind.BAD_LENGTH,
                    "record of " + length + " bytes has no header");
        }
        ByteBuffer b = ByteBuffer.wrap(record, 0, length);
        int type = b.get() & 0xff;
        long announced = b.getInt() & 0xffffffffL;
        int userType = b.get() & 0xff;
        if (announced > maxPayload) {
            throw new IpcCodecException(
                    IpcCodecException.Kind.FRAME_TOO_LARGE,
                    "frame of " + announced + " bytes, limit " + maxPayload);
        }
        if (announced != length - HEADER) {
            throw new IpcCodecException(
                    IpcCodecException.Kind.BAD_LENGTH,
                    "header announces " + announced + " bytes, record holds " + (length - HEADER));
        }
        return adopt(type, userType, Arrays.copyOfRange(record, HEADER, length));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof IpcFrame f
                && f.type == type
                && f.userType == userType
                && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type + userType) + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        String text = new String(payload, StandardCharsets.UTF_8);
        if (text.length() > 120) {
            text = text.substring(0, 120) + "...";
        }
        return "IpcFrame[type=" + type + ", userType=" + userType + ", " + text + "]";
    }
}
