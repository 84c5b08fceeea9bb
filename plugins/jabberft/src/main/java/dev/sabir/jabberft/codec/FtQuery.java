package dev.sabir.jabberft.codec;

import java.util.regex.Pattern;

/**
 * The {@code <query/>} element of the 2002 jabber p2p file transfer proposal, in Sabir's own
 * namespace {@link #NAMESPACE} instead of {@code jabber:iq:oob} (the thread's reply points out that
 * reusing XEP-0066's namespace would be wrong).
 *
 * <p>The proposal's elements are kept as they are: {@code <connecting/>} or {@code <listening/>}
 * (the role of the sender of this element), {@code <append/>} with {@code <filebytesdone/>} for
 * resuming, {@code <abort/>}, {@code <timeout/>}, {@code <ip/>}, {@code <port/>}, {@code
 * <filename/>}, {@code <filesize/>} and {@code <desc/>}. Sabir adds a {@code sid} attribute (the
 * proposal tied a transfer to the IQ id, which XMPP stacks expect to be used once) and a {@code
 * <sha256/>} child (the proposal's author asked for a checksum; {@code <md5/>} is read and kept
 * too).
 *
 * @param sid the transfer id, also named in the data connection's header
 * @param role what the sender of this element does about the data connection
 * @param append true when {@code filebytesdone} bytes are already there
 * @param abort cancel or decline
 * @param timeout nobody connected to the announced port in time
 * @param ip the listening (or, optionally, connecting) side's address, or null
 * @param port the listening port, or 0
 * @param filename the file name, or null
 * @param filesize the size in bytes, or -1
 * @param filebytesdone bytes the receiver already has, or -1
 * @param desc a description, or null
 * @param sha256 lower-case hex SHA-256, or null
 * @param md5 lower-case hex MD5, or null
 */
public record FtQuery(
        String sid,
        Role role,
        boolean append,
        boolean abort,
        boolean timeout,
        String ip,
        int port,
        String filename,
        long filesize,
        long filebytesdone,
        String desc,
        String sha256,
        String md5) {

    /** The namespace Sabir uses for the proposal's elements (advertised in disco). */
    public static final String NAMESPACE = "urn:sabir:p2pft:0";

    /** Longest file name accepted, in characters. */
    public static final int MAX_NAME = 255;

    /** Longest description accepted, in characters. */
    public static final int MAX_DESC = 1024;

    private static final Pattern SID = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]+");

    /** The role announced by {@code <connecting/>} or {@code <listening/>}. */
    public enum Role {
        /** Neither element present. */
        NONE,
        /** The sender connects; the other side is asked to listen. */
        CONNECTING,
        /** The sender listens on {@code ip}/{@code port}. */
        LISTENING
    }

    /** Checks the parts; throws {@link IllegalArgumentException} for values outside the limits. */
    public FtQuery {
        if (sid == null || !SID.matcher(sid).matches()) {
            throw new IllegalArgumentException("bad sid");
        }
        role = role == null ? Role.NONE : role;
        if (ip != null && (ip.isBlank() || ip.length() > 64)) {
            throw new IllegalArgumentException("bad ip");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("bad port");
        }
        if (role == Role.LISTENING && (ip == null || port == 0)) {
            throw new IllegalArgumentException("listening needs ip and port");
        }
        if (filename != null && (filename.isEmpty() || filename.length() > MAX_NAME)) {
            throw new IllegalArgumentException("bad filename");
        }
        if (filesize < -1 || filebytesdone < -1) {
            throw new IllegalArgumentException("negative size");
        }
        if (filesize >= 0 && filebytesdone > filesize) {
            throw new IllegalArgumentException("filebytesdone beyond filesize");
        }
        if (desc != null && desc.length() > MAX_DESC) {
            throw new IllegalArgumentException("desc too long");
        }
        if (sha256 != null && (sha256.length() != 64 || !HEX.matcher(sha256).matches())) {
            throw new IllegalArgumentException("bad sha256");
        }
        if (md5 != null && (md5.length() != 32 || !HEX.matcher(md5).matches())) {
            throw new IllegalArgumentException("bad md5");
        }
    }

    /** Bytes already there: {@code filebytesdone} when appending, else 0. */
    public long offset() {
        return append && filebytesdone > 0 ? filebytesdone : 0;
    }

    /** The same query with another role, address and resume point. */
    public FtQuery withRole(Role newRole, String newIp, int newPort) {
        return new FtQuery(
                sid,
                newRole,
                append,
                abort,
                timeout,
                newIp,
                newPort,
                filename,
                filesize,
                filebytesdone,
                desc,
                sha256,
                md5);
    }

    /** The same query announcing that {@code done} bytes are already there (no-op for 0). */
    public FtQuery withDone(long done) {
        return new FtQuery(
                sid,
                role,
                done > 0,
                abort,
                timeout,
                ip,
                port,
                filename,
                filesize,
                done > 0 ? done : -1,
                desc,
                sha256,
                md5);
    }

    /** Writes the element. */
    public String toXml() {
        StringBuilder b = new StringBuilder(256);
        b.append("<query xmlns='").append(NAMESPACE).append("' sid='").append(sid).append("'>");
        switch (role) {
            case CONNECTING -> b.append("<connecting/>");
            case LISTENING -> b.append("<listening/>");
            default -> {}
        }
        if (append) {
            b.append("<append/>");
        }
        if (abort) {
            b.append("<abort/>");
        }
        if (timeout) {
            b.append("<timeout/>");
        }
        text(b, "ip", ip);
        if (port > 0) {
            text(b, "port", Integer.toString(port));
        }
        text(b, "filename", filename);
        if (filesize >= 0) {
            text(b, "filesize", Long.toString(filesize));
        }
        if (filebytesdone >= 0) {
            text(b, "filebytesdone", Long.toString(filebytesdone));
        }
        text(b, "desc", desc);
        text(b, "sha256", sha256);
        text(b, "md5", md5);
        return b.append("</query>").toString();
    }

    private static void text(StringBuilder b, String name, String value) {
        if (value != null) {
            b.append('<').append(name).append('>').append(XmlText.escape(value));
            b.append("</").append(name).append('>');
        }
    }

    /**
     * Reads a {@code <query/>} in {@link #NAMESPACE}.
     *
     * @param fallbackSid the sid to use when the attribute is absent (the IQ id, as in the
     *     proposal)
     * @throws FtProtocolException when an element is malformed or a value is outside the limits
     */
    public static FtQuery parse(XmlElement q, String fallbackSid) throws FtProtocolException {
        if (!"query".equals(q.name()) || !NAMESPACE.equals(q.namespace())) {
            throw new FtProtocolException("not a " + NAMESPACE + " query");
        }
        boolean connecting = q.has("connecting");
        boolean listening = q.has("listening");
        if (connecting && listening) {
            throw new FtProtocolException("both connecting and listening");
        }
        Role role = listening ? Role.LISTENING : connecting ? Role.CONNECTING : Role.NONE;
        String sid = q.attr("sid") != null ? q.attr("sid") : fallbackSid;
        try {
            String sha = q.childText("sha256");
            String md5 = q.childText("md5");
            return new FtQuery(
                    sid,
                    role,
                    q.has("append"),
                    q.has("abort"),
                    q.has("timeout"),
                    emptyToNull(q.childText("ip")),
                    (int) number(q, "port", 0, 65535, 0),
                    q.childText("filename"),
                    number(q, "filesize", 0, Long.MAX_VALUE / 2, -1),
                    number(q, "filebytesdone", 0, Long.MAX_VALUE / 2, -1),
                    q.childText("desc"),
                    sha == null ? null : sha.toLowerCase(java.util.Locale.ROOT),
                    md5 == null ? null : md5.toLowerCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new FtProtocolException(e.getMessage());
        }
    }

    private static long number(XmlElement q, String name, long min, long max, long absent)
            throws FtProtocolException {
        String t = q.childText(name);
        if (t == null) {
            return absent;
        }
        try {
            long v = Long.parseLong(t);
            if (v < min || v > max) {
                throw new FtProtocolException(name + " out of range");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new FtProtocolException("bad " + name);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
