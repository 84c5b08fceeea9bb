package dev.sabir.ipcfile.codec;

import dev.sabir.ipcfile.codec.IpcMessage.Authentication;
import dev.sabir.ipcfile.codec.IpcMessage.FileEntry;
import dev.sabir.ipcfile.codec.IpcMessage.IdKey;
import dev.sabir.ipcfile.codec.IpcMessage.Response;
import dev.sabir.ipcfile.codec.IpcMessage.Transfer;
import java.util.List;

/** Factories for outgoing messages, so call sites never assemble JSON by hand. */
public final class IpcMessages {
    private IpcMessages() {}

    /** {@code Ok} answering a message, with no position. */
    public static Response ok(IpcMessage answered) {
        return new Response(
                answered.messageId(), answered.idKey(), true, "", null, null, null, false, null);
    }

    /**
     * {@code Ok} answering a message, telling the client where the transfer stands.
     *
     * @param fid the transfer id
     * @param file the file the next chunk belongs to, or null when all are complete
     * @param offset the offset the next chunk starts at, or null when all are complete
     * @param complete true when every file is complete
     */
    public static Response ok(
            IpcMessage answered, String fid, Integer file, Long offset, boolean complete) {
        return new Response(
                answered.messageId(),
                answered.idKey(),
                true,
                "",
                fid,
                file,
                offset,
                complete,
                null);
    }

    /** The same response with a suggested chunk size. */
    public static Response withChunkSize(Response r, int chunkSize) {
        return new Response(
                r.messageId(),
                r.idKey(),
                r.ok(),
                r.reason(),
                r.fid(),
                r.file(),
                r.offset(),
                r.complete(),
                chunkSize);
    }

    /** {@code Error} with a reason, answering a message. */
    public static Response error(IpcMessage answered, String reason) {
        return error(answered.messageId(), answered.idKey(), reason);
    }

    /**
     * {@code Error} with a reason, for a message whose id is known but which could not be parsed.
     */
    public static Response error(String messageId, IdKey idKey, String reason) {
        return new Response(
                messageId == null ? "" : messageId,
                idKey == null ? IdKey.MESSAGE_ID : idKey,
                false,
                reason,
                null,
                null,
                null,
                false,
                null);
    }

    /** An AUTHENTICATION (for clients). */
    public static Authentication authentication(
            String messageId, String token, List<FileEntry> files, String fid, List<String> tags) {
        return new Authentication(messageId, IdKey.MESSAGE_ID, token, files, fid, tags);
    }

    /** A TRANSFER of bytes at a known place (for clients). */
    public static Transfer transfer(
            String messageId, String chunk, byte[] data, String fid, int file, long offset) {
        return new Transfer(messageId, IdKey.MESSAGE_ID, chunk, data, fid, file, offset);
    }

    /** A TRANSFER as the spec writes it: id, chunk id and data, the server places it. */
    public static Transfer transfer(String messageId, String chunk, byte[] data) {
        return new Transfer(messageId, IdKey.MESSAGE_ID, chunk, data, null, null, null);
    }
}
