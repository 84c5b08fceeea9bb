package dev.sabir.ipcfile;

import dev.sabir.ipcfile.codec.IpcCodecException;
import dev.sabir.ipcfile.codec.IpcFrame;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;

/**
 * The client end of a libipc connection, blocking: frames over TCP or records over a SOCK_SEQPACKET
 * socket. Used by {@link UploadClient} and by tests.
 */
public interface IpcConnection extends AutoCloseable {

    /** Sends one frame. */
    void send(IpcFrame frame) throws IOException;

    /** Sends bytes as they are (one record on SOCK_SEQPACKET). */
    void sendRaw(byte[] bytes) throws IOException;

    /**
     * Waits for the next frame.
     *
     * @return the frame, or null when the server closed the connection
     * @throws SocketTimeoutException when none arrives in time
     */
    IpcFrame receive(Duration timeout) throws IOException, IpcCodecException;

    @Override
    void close() throws IOException;

    /** Connects over TCP. */
    static IpcConnection tcp(InetSocketAddress address, int maxPayload) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(address, 10_000);
            s.setTcpNoDelay(true);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new Tcp(s, maxPayload);
    }

    /** Connects to a libipc SOCK_SEQPACKET socket. */
    static IpcConnection unix(Path path, int maxPayload) throws IOException {
        AFUNIXDatagramSocket s = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
        try {
            s.connect(AFUNIXSocketAddress.of(path));
        } catch (IOException e) {
            s.close();
            throw e;
        }
        return new Unix(s, maxPayload);
    }

    /** Frames on a TCP stream. */
    final class Tcp implements IpcConnection {
        private final Socket socket;
        private final DataInputStream in;
        private final OutputStream out;
        private final int maxPayload;

        Tcp(Socket socket, int maxPayload) throws IOException {
            this.socket = socket;
            this.in = new DataInputStream(socket.getInputStream());
            this.out = socket.getOutputStream();
            this.maxPayload = maxPayload;
        }

        @Override
        public void send(IpcFrame frame) throws IOException {
            sendRaw(frame.toBytes());
        }

        @Override
        public void sendRaw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        @Override
        public IpcFrame receive(Duration timeout) throws IOException, IpcCodecException {
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            int type = in.read();
            if (type < 0) {
                return null;
            }
            try {
                long length = in.readInt() & 0xffffffffL;
                int userType = in.readUnsignedByte();
                if (length > maxPayload) {
                    throw new IpcCodecException(
                            IpcCodecException.Kind.FRAME_TOO_LARGE,
                            "frame of " + length + " bytes");
                }
                byte[] payload = new byte[(int) length];
                in.readFully(payload);
                return new IpcFrame(type, userType, payload);
            } catch (EOFException e) {
                return null;
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Records on a SOCK_SEQPACKET socket. */
    final class Unix implements IpcConnection {
        private final AFUNIXDatagramSocket socket;
        private final int maxPayload;

        Unix(AFUNIXDatagramSocket socket, int maxPayload) {
            this.socket = socket;
            this.maxPayload = maxPayload;
        }

        @Override
        public void send(IpcFrame frame) throws IOException {
            sendRaw(frame.toBytes());
        }

        @Override
        public void sendRaw(byte[] bytes) throws IOException {
            socket.getChannel().write(ByteBuffer.wrap(bytes));
        }

        @Override
        public IpcFrame receive(Duration timeout) throws IOException, IpcCodecException {
            byte[] buf = new byte[IpcFrame.HEADER + maxPayload + 1];
            java.net.DatagramPacket p = new java.net.DatagramPacket(buf, buf.length);
            socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
            long start = System.nanoTime();
            try {
                socket.receive(p);
            } catch (SocketTimeoutException e) {
                // junixsocket reports the end of the stream as a timeout; tell them apart by the
                // time
                if (System.nanoTime() - start < timeout.toNanos() - 50_000_000L) {
                    return null;
                }
                throw e;
            }
            if (p.getLength() == 0) {
                return null;
            }
            return IpcFrame.fromRecord(buf, p.getLength(), maxPayload);
        }

        @Override
        public void close() {
            socket.close();
        }
    }
}
