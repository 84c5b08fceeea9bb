package dev.sabir.ipcfile.codec;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A message of the libipc JSON file-transfer protocol, carried in the payload of an {@link
 * IpcFrame}. The three kinds are the frame's user types: {@link Authentication} (1), {@link
 * Response} (2) and {@link Transfer} (3).
 */
public sealed interface IpcMessage
        permits IpcMessage.Authentication, IpcMessage.Response, IpcMessage.Transfer {

    /** The message id the client chose; a response carries the id of the message it answers. */
    String messageId();

    /**
     * Which key carried the message id ({@code message-id} in the spec, {@code mid} in the code).
     */
    IdKey idKey();

    /** The frame's user type for this message. */
    int userType();

    /** The JSON key that carried the message id; a response uses the key its request used. */
    enum IdKey {
        /** {@code message-id}, as the spec writes it. */
        MESSAGE_ID("message-id"),
        /** {@code mid}, as the implementation of that era wrote it. */
        MID("mid");

        private final String json;

        IdKey(String json) {
            this.json = json;
        }

        /** The JSON key. */
        public String json() {
            return json;
        }
    }

    /**
     * One file announced in an authentication.
     *
     * @param name the file name as the client sent it (the server checks it)
     * @param size the size in bytes (an unsigned 64-bit value; values over {@link Long#MAX_VALUE}
     *     are clamped to it)
     * @param sha256 lower-case hex SHA-256 when the client sent one, else null
     */
    record FileEntry(String name, long size, String sha256) {
        /** Checks the parts. */
        public FileEntry {
            Objects.requireNonNull(name, "name");
            if (size < 0) {
                throw new IllegalArgumentException("negative size");
            }
        }
    }

    /**
     * AUTHENTICATION: the client's token and the files it is about to send.
     *
     * @param messageId the message id
     * @param idKey the key that carried it
     * @param token the JWT
     * @param files the files, in the order they are sent
     * @param fid the transfer id (the same id on a new connection resumes the transfer), or null
     * @param tags where the files go ({@code room:NAME}, {@code to:ADDRESS}, other labels)
     */
    record Authentication(
            String messageId,
            IdKey idKey,
            String token,
            List<FileEntry> files,
            String fid,
            List<String> tags)
            implements IpcMessage {
        /** Checks the parts and copies the lists. */
        public Authentication {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(idKey, "idKey");
            Objects.requireNonNull(token, "token");
            files = List.copyOf(files);
            tags = tags == null ? List.of() : List.copyOf(tags);
        }

        @Override
        public int userType() {
            return IpcFrame.AUTHENTICATION;
        }

        @Override
        public String toString() {
            // never print the token
            return "Authentication["
                    + idKey.json()
                    + "="
                    + messageId
                    + ", files="
                    + files
                    + ", fid="
                    + fid
                    + ", tags="
                    + tags
                    + "]";
        }
    }

    /**
     * RESPONSE: {@code Ok} or {@code Error} with a reason. An {@code Ok} from Sabir also tells the
     * client where the server stands: the transfer id, the file the next chunk belongs to and its
     * offset, and whether every file is complete (extra keys a client of the spec ignores).
     *
     * @param messageId the id of the message answered
     * @param idKey the key that carries it
     * @param ok true for {@code Ok}
     * @param reason why it failed, empty for {@code Ok}
     * @param fid the transfer id, or null
     * @param file the index of the file the next chunk belongs to, or null
     * @param offset the offset in that file the next chunk starts at, or null
     * @param complete true when every announced file is complete
     * @param chunkSize the chunk size the server suggests (in the answer to an authentication), or
     *     null
     */
    record Response(
            String messageId,
            IdKey idKey,
            boolean ok,
            String reason,
            String fid,
            Integer file,
            Long offset,
            boolean complete,
            Integer chunkSize)
            implements IpcMessage {
        /** Checks the parts. */
        public Response {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(idKey, "idKey");
            reason = reason == null ? "" : reason;
        }

        @Override
        public int userType() {
            return IpcFrame.RESPONSE;
        }
    }

    /**
     * TRANSFER: one chunk of a file.
     *
     * @param messageId the message id
     * @param idKey the key that carried it
     * @param chunk the client's id for this chunk (a repeated id is recognised), or null
     * @param data the bytes (copied)
     * @param fid the transfer id, or null for the one authenticated on this connection
     * @param file the index of the file, or null for the file the server asked for
     * @param offset where the bytes go, or null for where the server asked
     */
    record Transfer(
            String messageId,
            IdKey idKey,
            String chunk,
            byte[] data,
            String fid,
            Integer file,
            Long offset)
            implements IpcMessage {
        /** Checks the parts and copies the data. */
        public Transfer {
            Objects.requireNonNull(messageId, "messageId");
            Objects.requireNonNull(idKey, "idKey");
            data = Objects.requireNonNull(data, "data").clone();
            if (file != null && file < 0) {
                throw new IllegalArgumentException("negative file index");
            }
            if (offset != null && offset < 0) {
                throw new IllegalArgumentException("negative offset");
            }
        }

        /** The bytes (a copy). */
        @Override
        public byte[] data() {
            return data.clone();
        }

        /** The number of bytes. */
        public int length() {
            return data.length;
        }

        @Override
        public int userType() {
            return IpcFrame.TRANSFER;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Transfer t
                    && t.messageId.equals(messageId)
                    && t.idKey == idKey
                    && Objects.equals(t.chunk, chunk)
                    && Arrays.equals(t.data, data)
                    && Objects.equals(t.fid, fid)
                    && Objects.equals(t.file, file)
                    && Objects.equals(t.offset, offset);
        }

        @Override
        public int hashCode() {
            return Objects.hash(messageId, idKey, chunk, Arrays.hashCode(data), fid, file, offset);
        }

        @Override
        public String toString() {
            return "Transfer["
                    + idKey.json()
                    + "="
                    + messageId
                    + ", chunk="
                    + chunk
                    + ", "
                    + data.length
                    + " bytes, fid="
                    + fid
                    + ", file="
                    + file
                    + ", offset="
                    + offset
                    + "]";
        }
    }
}
