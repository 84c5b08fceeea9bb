package dev.sabir.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A TorChat user on plain sockets, behaving like the deployed clients: it listens for the
 * connection the other side opens, dials out itself, answers a ping with a pong on its own socket
 * and reads everything from the socket the other side opened. Nothing of the plugin is used.
 *
 * <p>Create it (and so its listener) before Sabir starts, put {@link #id} and {@link #port()} into
 * the account's {@code peers}, then call {@link #connect}.
 */
final class TorChatPeer implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(15);

    final String id;
    final String cookie;
    private final ServerSocket listener;
    private final Inbox<String> inbox;
    private Socket out;
    private Socket in;

    /** A peer with a 16-character id starting with {@code name} (letters a-z only). */
    TorChatPeer(String name) throws IOException {
        this.id = (name + "a".repeat(16)).substring(0, 16);
        this.inbox = new Inbox<>(id, line -> line);
        this.cookie = "cookie" + Long.toHexString(System.nanoTime());
        listener = new ServerSocket();
        listener.bind(new InetSocketAddress("127.0.0.1", 0));
    }

    /** Where the peer listens (what Sabir dials). */
    int port() {
        return listener.getLocalPort();
    }

    /**
     * Dials Sabir, sends its ping, takes the connection Sabir opens (now or already at Sabir's
     * start, as the peer is a configured buddy), answers Sabir's ping on its own socket, and waits
     * for Sabir's pong with its cookie. Then it introduces itself like TorChat 0.9.9 does.
     *
     * @return milliseconds from the first byte sent to the verified pong
     */
    long connect(int sabirPort, String sabirId, String profileName) throws IOException {
        long t0 = System.nanoTime();
        out = new Socket();
        out.connect(new InetSocketAddress("127.0.0.1", sabirPort), 5000);
        out.setSoTimeout((int) WAIT.toMillis());
        send("ping " + id + " " + cookie);
        listener.setSoTimeout((int) WAIT.toMillis());
        in = listener.accept();
        in.setSoTimeout(0);
        Thread reader =
                new Thread(
                        () -> {
                            try {
                                InputStream s = in.getInputStream();
                                String line;
                                while ((line = readLine(s)) != null) {
                                    if (line.startsWith("ping ")) {
                                        String[] p = line.split(" ");
                                        if (!p[1].equals(sabirId)) {
                                            inbox.add("!! ping from unexpected id " + p[1]);
                                        }
                                        send("pong " + p[2]);
                                    }
                                    inbox.add(line);
                                }
                            } catch (IOException | RuntimeException closed) {
                                // the socket went away
                            }
                        },
                        "torchat-peer-" + id);
        reader.setDaemon(true);
        reader.start();
        await(l -> l.equals("pong " + cookie));
        long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        send("client TorChat");
        send("version 0.9.9.553");
        send("supports typing");
        send("profile_name " + profileName);
        send("profile_text ");
        send("add_me ");
        send("status available ");
        return took;
    }

    /** Drops both connections, as a client that quits does; {@link #connect} may follow. */
    void disconnect() throws IOException {
        out.close();
        in.close();
    }

    /** Sends one packet on the socket this peer opened. */
    synchronized void send(String line) {
        try {
            OutputStream o = out.getOutputStream();
            o.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            o.flush();
        } catch (IOException e) {
            throw new IllegalStateException(id + " cannot send", e);
        }
    }

    /** A chat message, escaped as TorChat does (backslash, then line breaks). */
    void say(String text) {
        send("message " + text.replace("\\", "\\/").replace("\n", "\\n"));
    }

    /** Waits for a packet not taken before on the socket Sabir opened. */
    String await(Predicate<String> match) {
        return await(match, WAIT);
    }

    String await(Predicate<String> match, Duration timeout) {
        return inbox.await(match, timeout);
    }

    /** Everything received within a short time that no wait has taken yet. */
    List<String> drain(Duration quiet) {
        return inbox.drain(quiet);
    }

    /**
     * True when nothing at all arrived on the socket this peer opened (deployed clients treat any
     * byte there as a fault) within the given time.
     */
    boolean ownSocketSilent(Duration quiet) throws IOException {
        out.setSoTimeout((int) quiet.toMillis());
        try {
            out.getInputStream().read();
            return false; // a byte, or the connection closed
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    private static String readLine(InputStream s) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = s.read()) != '\n'; ) {
            if (c < 0) {
                return null;
            }
            b.write(c);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        for (AutoCloseable c : new AutoCloseable[] {out, in, listener}) {
            if (c != null) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // closing anyway
                }
            }
        }
    }
}
