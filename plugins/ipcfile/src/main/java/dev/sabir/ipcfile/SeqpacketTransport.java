package dev.sabir.ipcfile;

import dev.sabir.ipcfile.UploadConversation.Reply;
import dev.sabir.ipcfile.codec.IpcCodecException;
import dev.sabir.ipcfile.codec.IpcFrame;
import dev.sabir.ipcfile.codec.IpcMessages;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.newsclub.net.unix.AFDatagramSocket;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The libipc transport: an AF_UNIX SOCK_SEQPACKET socket at {@code <rundir>/<service>-0-0}, one
 * frame per record (junixsocket; the JDK opens only stream Unix sockets). Blocking I/O: one thread
 * accepts, one thread serves each client (bounded by {@code max_clients}); a timer closes idle
 * clients. {@link #close()} closes every socket, ends the threads and removes the socket file.
 */
final class SeqpacketTransport {
    private static final Logger LOG = LoggerFactory.getLogger(SeqpacketTransport.class);

    private final UploadService service;
    private final Path path;
    private final Map<Client, Boolean> clients = new ConcurrentHashMap<>();
    private final AtomicInteger counter = new AtomicInteger();
    private volatile boolean closed;
    private AFUNIXDatagramSocket server;
    private Thread acceptor;
    private ScheduledFuture<?> sweeper;

    SeqpacketTransport(UploadService service) {
        this.service = service;
        this.path = service.settings().socketPath();
    }

    Path path() {
        return path;
    }

    /** Binds the socket and starts accepting. */
    synchronized void start() throws IOException {
        Files.createDirectories(path.getParent());
        if (Files.exists(path)) {
            if (inUse()) {
                throw new IOException(path + " is in use by another server");
            }
            Files.delete(path);
        }
        AFUNIXDatagramSocket s = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
        try {
            s.bind(AFUNIXSocketAddress.of(path));
            s.listen(16);
        } catch (IOException e) {
            s.close();
            throw e;
        }
        server = s;
        String account = service.settings().account().toString();
        acceptor = new Thread(this::acceptLoop, "ipcfile-accept-" + account);
        acceptor.setDaemon(true);
        acceptor.start();
        long idle = service.settings().idleTimeout().toMillis();
        long every = Math.max(200, Math.min(idle / 2, 30_000));
        sweeper =
                service.host()
                        .scheduler()
                        .scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
        LOG.info("ipcfile {}: listening on {} (SOCK_SEQPACKET)", account, path);
    }

    private boolean inUse() {
        try (AFUNIXDatagramSocket probe =
                AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET)) {
            probe.connect(AFUNIXSocketAddress.of(path));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void acceptLoop() {
        while (!closed) {
            AFDatagramSocket<?> socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warn(
                            "ipcfile {}: accept failed: {}",
                            service.settings().account(),
                            e.toString());
                }
                return;
            }
            if (closed) {
                quietClose(socket);
                return;
            }
            if (clients.size() >= service.settings().maxClients()) {
                LOG.warn("ipcfile {}: too many clients on {}", service.settings().account(), path);
                try {
                    socket.getChannel()
                            .write(
                                    ByteBuffer.wrap(
                                            service.json()
                                                    .encode(
                                                            IpcMessages.error(
                                                                    "", null, "too many clients"))
                                                    .toBytes()));
                } catch (IOException ignored) {
                    // closing anyway
                }
                quietClose(socket);
                continue;
            }
            Client c = new Client(socket, counter.incrementAndGet());
            clients.put(c, Boolean.TRUE);
            c.thread.start();
        }
    }

    private void sweep() {
        long limit = service.settings().idleTimeout().toNanos();
        long now = System.nanoTime();
        for (Client c : clients.keySet()) {
            if (now - c.lastActivity > limit) {
                LOG.info(
                        "ipcfile {}: closing idle connection {}",
                        service.settings().account(),
                        c.name);
                c.close();
            }
        }
    }

    /** Closes the socket and every client, waits for the threads, removes the socket file. */
    void close() {
        Thread a;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            a = acceptor;
        }
        if (sweeper != null) {
            sweeper.cancel(false);
        }
        if (server != null) {
            quietClose(server);
        }
        join(a);
        java.util.List<Client> all = java.util.List.copyOf(clients.keySet());
        for (Client c : all) {
            c.close();
        }
        for (Client c : all) {
            join(c.thread);
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn(
                    "ipcfile {}: cannot remove {}: {}",
                    service.settings().account(),
                    path,
                    e.toString());
        }
    }

    int clientCount() {
        return clients.size();
    }

    private static void join(Thread t) {
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        try {
            t.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void quietClose(AFDatagramSocket<?> s) {
        try {
            s.close();
        } catch (RuntimeException ignored) {
            // already closed
        }
    }

    /** One client: a thread reading records. */
    private final class Client {
        private final AFDatagramSocket<?> socket;
        private final String name;
        private final Thread thread;
        private volatile long lastActivity = System.nanoTime();

        Client(AFDatagramSocket<?> socket, int n) {
            this.socket = socket;
            this.name = "unix#" + n;
            this.thread =
                    new Thread(this::serve, "ipcfile-" + service.settings().account() + "-" + name);
            thread.setDaemon(true);
        }

        private void serve() {
            int maxPayload = service.json().limits().maxPayload();
            byte[] buf = new byte[IpcFrame.HEADER + maxPayload + 1];
            ByteBuffer bb = ByteBuffer.wrap(buf);
            UploadConversation conversation = service.open(name);
            try {
                while (!closed) {
                    bb.clear();
                    int n = socket.getChannel().read(bb);
                    if (n < 0) {
                        break;
                    }
                    lastActivity = System.nanoTime();
                    if (n == 0) {
                        continue;
                    }
                    Reply reply;
                    if (n > IpcFrame.HEADER + maxPayload) {
                        reply =
                                conversation.onCodecError(
                                        new IpcCodecException(
                                                IpcCodecException.Kind.FRAME_TOO_LARGE,
                                                "record over "
                                                        + (IpcFrame.HEADER + maxPayload)
                                                        + " bytes"));
                    } else {
                        try {
                            reply = conversation.onFrame(IpcFrame.fromRecord(buf, n, maxPayload));
                        } catch (IpcCodecException e) {
                            reply = conversation.onCodecError(e);
                        }
                    }
                    if (reply.frame() != null) {
                        socket.getChannel().write(ByteBuffer.wrap(reply.frame().toBytes()));
                    }
                    if (reply.close()) {
                        break;
                    }
                }
            } catch (IOException e) {
                if (!closed) {
                    LOG.debug(
                            "ipcfile {}: {} ended: {}",
                            service.settings().account(),
                            name,
                            e.toString());
                }
            } catch (RuntimeException e) {
                LOG.warn("ipcfile {}: failure serving {}", service.settings().account(), name, e);
            } finally {
                close();
            }
        }

        void close() {
            clients.remove(this);
            quietClose(socket);
        }
    }
}
