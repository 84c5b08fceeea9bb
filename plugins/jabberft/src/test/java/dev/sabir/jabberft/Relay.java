package dev.sabir.jabberft;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay in front of a data port, for tests: passes bytes through, or cuts the connection
 * after some bytes, or slows them down, or swallows the connection without ever reaching the
 * target. Records the header line of every connection.
 */
final class Relay implements AutoCloseable {
    enum Mode {
        PASS,
        CUT,
        SLOW,
        BLACKHOLE
    }

    private final ServerSocket server;
    private final int target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();
    final List<String> headers = new CopyOnWriteArrayList<>();
    final AtomicLong forwarded = new AtomicLong();
    volatile Mode mode = Mode.PASS;
    volatile long cutAfter;
    volatile int slowBytesPerTick = 4096;

    Relay(int target) throws IOException {
        this.target = target;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::acceptLoop, "test-relay-accept");
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                sockets.add(in);
                Mode m = mode;
                if (m == Mode.BLACKHOLE) {
                    spawn(() -> drain(in));
                    continue;
                }
                Socket out = new Socket();
                out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), target), 2000);
                sockets.add(out);
                spawn(() -> forward(in, out, m, true));
                spawn(() -> forward(out, in, Mode.PASS, false));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void spawn(Runnable r) {
        Thread t = new Thread(r, "test-relay-pump");
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    private void drain(Socket in) {
        try (InputStream is = in.getInputStream()) {
            byte[] buf = new byte[4096];
            while (is.read(buf) >= 0) {
                // swallow
            }
        } catch (IOException ignored) {
            // closed
        }
    }

    private void forward(Socket from, Socket to, Mode m, boolean upstream) {
        try {
            InputStream is = from.getInputStream();
            OutputStream os = to.getOutputStream();
            long payload = 0;
            boolean headerDone = !upstream;
            ByteArrayOutputStream header = new ByteArrayOutputStream();
            byte[] buf = new byte[m == Mode.SLOW ? slowBytesPerTick : 8192];
            int n;
            while ((n = is.read(buf)) >= 0) {
                int start = 0;
                if (!headerDone) {
                    while (start < n && !headerDone) {
                        byte b = buf[start++];
                        header.write(b);
                        if (b == '\n') {
                            headerDone = true;
                            headers.add(header.toString(StandardCharsets.US_ASCII).trim());
                        }
                    }
                    os.write(buf, 0, start);
                }
                int len = n - start;
                if (m == Mode.CUT && payload + len >= cutAfter) {
                    int keep = (int) (cutAfter - payload);
                    os.write(buf, start, keep);
                    os.flush();
                    forwarded.addAndGet(keep);
                    break;
                }
                os.write(buf, start, len);
                os.flush();
                payload += len;
                if (upstream) {
                    forwarded.addAndGet(len);
                }
                if (m == Mode.SLOW) {
                    Thread.sleep(50);
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // one side closed
        } finally {
            close(from);
            close(to);
        }
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            close(s);
        }
        for (Thread t : threads) {
            try {
                t.join(2000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
