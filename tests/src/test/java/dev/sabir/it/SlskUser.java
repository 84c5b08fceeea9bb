package dev.sabir.it;

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
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * An unmodified Soulseek client as far as the server can tell: a blocking socket that writes and
 * reads frames with the plugin's codec (the codec is the only part of the plugin used).
 */
final class SlskUser implements AutoCloseable {
    private static final long WAIT_NANOS = 15_000_000_000L;

    final String user;
    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final List<FromServer> seen = new ArrayList<>();

    private SlskUser(int port, String user) throws IOException {
        this.user = user;
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
    }

    /** Connects and logs in (registering the name at first login); fails on a refusal. */
    static SlskUser login(int port, String user, String password) throws IOException {
        SlskUser u = new SlskUser(port, user);
        u.send(ServerMessages.login(user, password));
        ServerMessage.LoginReply r = u.expect(ServerMessage.LoginReply.class, x -> true);
        if (!r.ok()) {
            throw new AssertionError("login refused: " + r.reason());
        }
        return u;
    }

    void send(ToServer m) throws IOException {
        ByteBuf b = Unpooled.buffer();
        ServerCodec.writeFrame(m, b);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        b.release();
        out.write(bytes);
        out.flush();
    }

    private FromServer next() throws IOException {
        int len = Integer.reverseBytes(in.readInt());
        if (len < 4 || len > 1 << 22) {
            throw new IOException("bad frame length " + len);
        }
        byte[] frame = new byte[len];
        in.readFully(frame);
        return (FromServer)
                ServerMessageDecoder.decodeFrame(
                        Unpooled.wrappedBuffer(frame),
                        ServerMessageDecoder.Side.FROM_SERVER,
                        SlskLimits.CLIENT);
    }

    /** Waits for a message of a type that matches, skipping (and keeping) the others. */
    <T extends FromServer> T expect(Class<T> type, Predicate<T> match) throws IOException {
        for (int i = 0; i < seen.size(); i++) {
            FromServer m = seen.get(i);
            if (type.isInstance(m) && match.test(type.cast(m))) {
                seen.remove(i);
                return type.cast(m);
            }
        }
        long deadline = System.nanoTime() + WAIT_NANOS;
        while (System.nanoTime() < deadline) {
            FromServer m;
            try {
                m = next();
            } catch (SocketTimeoutException e) {
                break;
            }
            if (type.isInstance(m) && match.test(type.cast(m))) {
                return type.cast(m);
            }
            seen.add(m);
        }
        throw new AssertionError(user + ": no matching " + type.getSimpleName() + "; saw " + seen);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
