package dev.sabir.soulseek.support;

import dev.sabir.soulseek.codec.ServerCodec;
import dev.sabir.soulseek.codec.ServerMessage;
import dev.sabir.soulseek.codec.ServerMessage.FromServer;
import dev.sabir.soulseek.codec.ServerMessage.ToServer;
import dev.sabir.soulseek.codec.ServerMessageDecoder;
import dev.sabir.soulseek.codec.ServerMessages;
import dev.sabir.soulseek.codec.SlskLimits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A blocking Soulseek client for tests, built on the codec: what an unmodified client sends. */
public final class RawClient implements AutoCloseable {
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    /** Every message read so far. */
    public final List<FromServer> seen = new ArrayList<>();

    /** Connects. */
    public RawClient(InetSocketAddress server) throws IOException {
        socket = new Socket(server.getAddress(), server.getPort());
        socket.setSoTimeout(5000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Connects and logs in; fails unless the login succeeds. */
    public static RawClient login(InetSocketAddress server, String user, String pass)
            throws IOException {
        RawClient c = new RawClient(server);
        c.send(ServerMessages.login(user, pass));
        ServerMessage.LoginReply r = c.expect(ServerMessage.LoginReply.class, x -> true);
        if (!r.ok()) {
            throw new IOException("login refused: " + r.reason());
        }
        return c;
    }

    /** Sends a message. */
    public void send(ToServer m) throws IOException {
        ByteBuf b = Unpooled.buffer();
        ServerCodec.writeFrame(m, b);
        sendRaw(b);
    }

    /** Sends raw bytes. */
    public void sendRaw(ByteBuf b) throws IOException {
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        out.write(bytes);
        out.flush();
    }

    /** Reads the next message (IOException on timeout or close). */
    public FromServer next() throws IOException {
        int len = Integer.reverseBytes(in.readInt());
        if (len < 4 || len > 1 << 22) {
            throw new IOException("bad frame length " + len);
        }
        byte[] frame = new byte[len];
        in.readFully(frame);
        FromServer m =
                (FromServer)
                        ServerMessageDecoder.decodeFrame(
                                Unpooled.wrappedBuffer(frame),
                                ServerMessageDecoder.Side.FROM_SERVER,
                                SlskLimits.CLIENT);
        seen.add(m);
        return m;
    }

    /** Reads until a message of the type matches; fails after 5 s. */
    public <T extends FromServer> T expect(Class<T> type, Predicate<T> p) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            FromServer m = next();
            if (type.isInstance(m) && p.test(type.cast(m))) {
                return type.cast(m);
            }
        }
        throw new IOException("no " + type.getSimpleName() + " within 5 s; saw " + seen);
    }

    /** True when the server closed the connection within the time. */
    public boolean closedWithin(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            while (true) {
                if (in.read() < 0) {
                    return true;
                }
            }
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        } finally {
            socket.setSoTimeout(5000);
        }
    }

    /** Reads whatever arrives within the time and returns it. */
    public List<FromServer> drain(int millis) throws IOException {
        List<FromServer> got = new ArrayList<>();
        socket.setSoTimeout(millis);
        try {
            while (true) {
                got.add(next());
            }
        } catch (SocketTimeoutException e) {
            return got;
        } finally {
            socket.setSoTimeout(5000);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
