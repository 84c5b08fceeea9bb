package dev.sabir.irc;

import dev.sabir.irc.codec.IrcMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** A plain-socket IRC client for tests: the "human" on the other side of the bridge. */
final class RawIrcClient implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final LinkedBlockingQueue<IrcMessage> incoming = new LinkedBlockingQueue<>();
    private final List<IrcMessage> seen = new ArrayList<>();
    private final Thread reader;
    final String nick;

    private RawIrcClient(int port, String nick) throws IOException {
        this.nick = nick;
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        out = socket.getOutputStream();
        BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        reader =
                new Thread(
                        () -> {
                            try {
                                String line;
                                while ((line = in.readLine()) != null) {
                                    if (line.isEmpty()) {
                                        continue;
                                    }
                                    IrcMessage m = IrcMessage.parse(line);
                                    if (m.command().equals("PING")) {
                                        send("PONG :" + m.trailing());
                                    }
                                    incoming.add(m);
                                }
                            } catch (IOException ignored) {
                                // closed
                            } catch (RuntimeException e) {
                                System.out.println(nick + ": raw client reader failed: " + e);
                            }
                        },
                        "raw-irc-" + nick);
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects and registers; returns once the MOTD (or its absence) arrived. */
    static RawIrcClient connect(int port, String nick) throws IOException {
        RawIrcClient c = new RawIrcClient(port, nick);
        c.send("NICK " + nick);
        c.send("USER " + nick + " 0 * :raw test client");
        c.await(
                m -> m.command().equals("376") || m.command().equals("422"),
                Duration.ofSeconds(10));
        return c;
    }

    synchronized void send(String line) {
        try {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException("raw client cannot send", e);
        }
    }

    void sendBytes(byte[] bytes) throws IOException {
        synchronized (this) {
            out.write(bytes);
            out.flush();
        }
    }

    void join(String channel) {
        send("JOIN " + channel);
        await(
                m -> m.command().equals("366") && m.param(1).equalsIgnoreCase(channel),
                Duration.ofSeconds(10));
    }

    /** Waits for the next message (not seen before) matching; earlier unmatched ones stay seen. */
    IrcMessage await(Predicate<IrcMessage> match, Duration timeout) {
        synchronized (seen) {
            for (int i = 0; i < seen.size(); i++) {
                if (match.test(seen.get(i))) {
                    return seen.remove(i);
                }
            }
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            IrcMessage m;
            try {
                m = left <= 0 ? null : incoming.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted");
            }
            if (m == null) {
                synchronized (seen) {
                    throw new AssertionError(
                            nick + ": no matching message within " + timeout + "; saw " + seen);
                }
            }
            if (match.test(m)) {
                return m;
            }
            synchronized (seen) {
                seen.add(m);
            }
        }
    }

    /** Waits for a PRIVMSG (or NOTICE) from {@code from} to {@code target}. */
    IrcMessage awaitPrivmsg(String from, String target, Duration timeout) {
        return await(
                m ->
                        (m.command().equals("PRIVMSG") || m.command().equals("NOTICE"))
                                && m.sourceNick().equals(from)
                                && m.param(0).equalsIgnoreCase(target),
                timeout);
    }

    boolean closed() {
        return !reader.isAlive();
    }

    @Override
    public void close() {
        try {
            send("QUIT :bye");
        } catch (RuntimeException ignored) {
            // already gone
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
    }
}
