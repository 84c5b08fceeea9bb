package dev.sabir.irc;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A minimal SOCKS5 proxy (no authentication, CONNECT only) with a gate: while closed, new
 * connections are refused. Tests use it to exercise the SOCKS path and to hold reconnects back.
 */
final class GateSocksProxy implements AutoCloseable {
    private final ServerSocket server;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<String> destinations = new CopyOnWriteArrayList<>();
    private volatile boolean open = true;

    GateSocksProxy() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "socks-test-proxy");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    void open(boolean value) {
        open = value;
    }

    int accepted() {
        return accepted.get();
    }

    List<String> destinations() {
        return destinations;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                if (!open) {
                    s.close();
                    continue;
                }
                accepted.incrementAndGet();
                sockets.add(s);
                Thread t = new Thread(() -> handle(s), "socks-test-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void handle(Socket client) {
        try {
            DataInputStream in = new DataInputStream(client.getInputStream());
            OutputStream out = client.getOutputStream();
            if (in.readUnsignedByte() != 5) {
                client.close();
                return;
            }
            int n = in.readUnsignedByte();
            in.readNBytes(n);
            out.write(new byte[] {5, 0});
            in.readUnsignedByte(); // version
            int cmd = in.readUnsignedByte();
            in.readUnsignedByte();
            int atyp = in.readUnsignedByte();
            String host;
            if (atyp == 1) {
                host = InetAddress.getByAddress(in.readNBytes(4)).getHostAddress();
            } else if (atyp == 3) {
                host = new String(in.readNBytes(in.readUnsignedByte()), StandardCharsets.US_ASCII);
            } else {
                host = InetAddress.getByAddress(in.readNBytes(16)).getHostAddress();
            }
            int port = in.readUnsignedShort();
            destinations.add(host + ":" + port);
            if (cmd != 1 || !(host.equals("127.0.0.1") || host.equals("localhost"))) {
                out.write(new byte[] {5, 2, 0, 1, 0, 0, 0, 0, 0, 0});
                client.close();
                return;
            }
            Socket upstream = new Socket("127.0.0.1", port);
            sockets.add(upstream);
            out.write(new byte[] {5, 0, 0, 1, 127, 0, 0, 1, 0, 0});
            out.flush();
            Thread back =
                    new Thread(
                            () -> pipe(upstreamIn(upstream), out, client, upstream),
                            "socks-test-back");
            back.setDaemon(true);
            back.start();
            pipe(in, upstream.getOutputStream(), client, upstream);
        } catch (IOException e) {
            try {
                client.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    private static InputStream upstreamIn(Socket s) {
        try {
            return s.getInputStream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pipe(InputStream in, OutputStream out, Socket a, Socket b) {
        byte[] buf = new byte[8192];
        try {
            int r;
            while ((r = in.read(buf)) >= 0) {
                out.write(buf, 0, r);
                out.flush();
            }
        } catch (IOException ignored) {
            // one side closed
        } finally {
            try {
                a.close();
                b.close();
            } catch (IOException ignored) {
                // closing
            }
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            s.close();
        }
    }
}
