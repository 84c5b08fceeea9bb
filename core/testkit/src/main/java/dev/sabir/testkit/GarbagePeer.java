package dev.sabir.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;

/**
 * A raw TCP client that writes junk at a listener and waits for the listener to hang up.
 *
 * <p>A listener that refuses garbage may close while the junk is still being written (the write
 * then fails with a broken pipe or a reset) or after it has been read (the read sees end of stream
 * or a reset). Every one of those is the listener doing its job; only a listener that keeps the
 * connection open past the deadline fails the check.
 */
public final class GarbagePeer {

    private GarbagePeer() {}

    /** What the listener sent back before it closed the connection. */
    public record Hangup(byte[] answer, boolean reset) {}

    /**
     * Connects to {@code 127.0.0.1:port}, writes {@code chunks} in order and waits up to {@code
     * deadline} for the listener to close the connection.
     *
     * @throws AssertionError if the connection is still open at the deadline
     */
    public static Hangup sendAndAwaitHangup(int port, Duration deadline, byte[]... chunks)
            throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), (int) deadline.toMillis());
            s.setSoTimeout((int) deadline.toMillis());
            OutputStream out = s.getOutputStream();
            try {
                for (byte[] chunk : chunks) {
                    out.write(chunk);
                }
                out.flush();
            } catch (SocketException hungUpWhileWriting) {
                // the listener gave up on us before the junk was all written
            }
            InputStream in = s.getInputStream();
            byte[] buf = new byte[1024];
            try {
                int n;
                while ((n = in.read(buf)) >= 0) {
                    answer.write(buf, 0, n);
                }
            } catch (SocketTimeoutException stillOpen) {
                throw new AssertionError(
                        "listener on port "
                                + port
                                + " kept a garbage connection open for "
                                + deadline);
            } catch (SocketException reset) {
                return new Hangup(answer.toByteArray(), true);
            }
        }
        return new Hangup(answer.toByteArray(), false);
    }
}
