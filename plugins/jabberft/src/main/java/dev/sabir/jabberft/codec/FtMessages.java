package dev.sabir.jabberft.codec;

import dev.sabir.jabberft.codec.FtQuery.Role;

/** Static factories for the proposal's queries, one per step of its flow. */
public final class FtMessages {
    private FtMessages() {}

    /**
     * SEND_PROPOSAL: the sender offers a file and, as in the proposal, says it will connect (the
     * receiver is asked to listen).
     */
    public static FtQuery sendProposal(
            String sid, String ip, String filename, long size, String sha256, String desc) {
        return new FtQuery(
                sid,
                Role.CONNECTING,
                false,
                false,
                false,
                ip,
                0,
                filename,
                size,
                -1,
                desc,
                sha256,
                null);
    }

    /** GET_PROPOSAL(_RESUME): asks for a file the other side offers, from {@code done} bytes. */
    public static FtQuery getProposal(
            String sid, String ip, String filename, long size, long done, String sha256) {
        return new FtQuery(
                        sid,
                        Role.CONNECTING,
                        false,
                        false,
                        false,
                        ip,
                        0,
                        filename,
                        size,
                        -1,
                        null,
                        sha256,
                        null)
                .withDone(done);
    }

    /** The answer (or follow-up set) announcing a listening port. */
    public static FtQuery listening(FtQuery about, String ip, int port) {
        return about.withRole(Role.LISTENING, ip, port);
    }

    /** The answer asking the other side to listen because this side cannot. */
    public static FtQuery connecting(FtQuery about, String ip) {
        return about.withRole(Role.CONNECTING, ip, 0);
    }

    /** Declines a proposal or stops a running transfer. */
    public static FtQuery abort(String sid) {
        return new FtQuery(
                sid, Role.NONE, false, true, false, null, 0, null, -1, -1, null, null, null);
    }

    /** Nobody connected to the announced port in time. */
    public static FtQuery timeout(String sid) {
        return new FtQuery(
                sid, Role.NONE, false, false, true, null, 0, null, -1, -1, null, null, null);
    }
}
