package dev.sabir.api;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The host's store-and-forward area for files. Receives files resumably (it knows which ranges are
 * missing and survives restarts), checks SHA-256 when known, enforces size limits and quotas, and
 * sanitises names.
 */
public interface FileSpool {

    /**
     * Starts receiving a file, or resumes the one with the same source and offer id.
     *
     * @throws SpoolException when the size is over the limit or the quota, or the name is unusable
     */
    Upload receive(Address source, String offerId, String name, long size, String sha256)
            throws SpoolException;

    /** A complete file by its spool id. */
    Optional<SpooledFile> find(String spoolId);

    /** An HTTP link to a complete file on the host's file endpoint (for networks without files). */
    URI link(String spoolId);

    /** A file being received. */
    interface Upload {
        /** The spool's id for this file. */
        String spoolId();

        /** The sanitised name. */
        String name();

        /** The announced size, or -1. */
        long size();

        /** The ranges not yet received, in order; empty when complete. */
        List<Range> missing();

        /** Bytes received so far. */
        long received();

        /** Writes bytes at an offset; writing the same range again is harmless. */
        void write(long offset, byte[] data, int off, int len) throws SpoolException;

        /**
         * Finishes: checks that every byte is there and the hash matches, and makes the file
         * available.
         *
         * @throws SpoolException when bytes are missing or the hash does not match (the bad bytes
         *     are dropped so the upload can be repeated)
         */
        SpooledFile complete() throws SpoolException;

        /** Gives up and deletes the partial file. */
        void abort();
    }

    /**
     * A range of bytes.
     *
     * @param offset first byte
     * @param length number of bytes
     */
    record Range(long offset, long length) {}

    /**
     * A complete file in the spool.
     *
     * @param spoolId the spool's id
     * @param name the sanitised name
     * @param size the size in bytes
     * @param sha256 lower-case hex SHA-256
     * @param mediaType the MIME type
     * @param path where the bytes are (read-only)
     */
    record SpooledFile(
            String spoolId, String name, long size, String sha256, String mediaType, Path path) {
        /** Opens the content from an offset. */
        public InputStream open(long offset) throws IOException {
            InputStream in = java.nio.file.Files.newInputStream(path);
            in.skipNBytes(offset);
            return in;
        }
    }

    /** A spool operation failed: a clear reason for the sender. */
    class SpoolException extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * @param message the reason
         */
        public SpoolException(String message) {
            super(message);
        }
    }
}
