package dev.sabir.jabberft.codec;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first line of a data connection, written by the connecting side: {@code SABIRFT/0 <sid>
 * <offset>\n}. It names the transfer (the listening side may serve several at once on one port) and
 * the byte the data starts at (the agreed {@code filebytesdone}).
 *
 * <p>After the data, the receiving side writes one status line back, {@code OK} or {@code ERR
 * <reason>}, and closes.
 *
 * @param sid the transfer id
 * @param offset the first byte of the data that follows
 */
public record DataHeader(String sid, long offset) {
    /** The magic word that starts the line. */
    public static final String MAGIC = "SABIRFT/0";

    /** Longest header line, newline included. */
    public static final int MAX_LENGTH = 128;

    private static final Pattern LINE =
            Pattern.compile("SABIRFT/0 ([A-Za-z0-9_.-]{1,64}) (\\d{1,18})");

    /** Checks the parts. */
    public DataHeader {
        if (sid == null || sid.isEmpty() || offset < 0) {
            throw new IllegalArgumentException("bad data header");
        }
    }

    /** The line as bytes. */
    public byte[] encode() {
        return (MAGIC + " " + sid + " " + offset + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads a header line (without the newline).
     *
     * @throws FtProtocolException when the line is not a header
     */
    public static DataHeader parse(String line) throws FtProtocolException {
        Matcher m = LINE.matcher(line.endsWith("\r") ? line.substring(0, line.length() - 1) : line);
        if (!m.matches()) {
            throw new FtProtocolException("not a data header");
        }
        return new DataHeader(m.group(1), Long.parseLong(m.group(2)));
    }
}
