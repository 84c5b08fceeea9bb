package dev.sabir.it;

import dev.sabir.irc.codec.IrcMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * A person on IRC: a plain socket registered with a real server, answering PINGs on its own reader
 * thread. Messages are parsed with the bridge's codec record, nothing else of the bridge is used.
 */
final class IrcUser implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(15);

    final String nick;
    private final Socket socket;
    private final OutputStream out;
    private final Inbox<IrcMessage> inbox;

    private IrcUser(int port, String nick) throws IOException {
        this.nick = nick;
        this.inbox = new Inbox<>(nick, IrcMessage::toString);
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
        out = socket.getOutputStream();
        BufferedReader in =
                new BufferedReader(
                        new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        Thread reader =
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
                                    inbox.add(m);
                                }
                            } catch (IOException | RuntimeException closed) {
                                // the socket went away
                            }
                        },
                        "irc-user-" + nick);
        reader.setDaemon(true);
        reader.start();
    }

    /** Connects and registers; returns after the end of the MOTD. */
    static IrcUser connect(int port, String nick) throws IOException {
        IrcUser u = new IrcUser(port, nick);
        u.send("NICK " + nick);
        u.send("USER " + nick + " 0 * :test user");
        u.await(m -> m.command().equals("376") || m.command().equals("422"));
        return u;
    }

    synchronized void send(String line) {
        try {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            throw new IllegalStateException(nick + " cannot send", e);
        }
    }

    /** Joins and waits for the end of the names list. */
    void join(String channel) {
        send("JOIN " + channel);
        await(m -> m.command().equals("366") && m.param(1).equalsIgnoreCase(channel));
    }

    /** Says something in a channel. */
    void say(String channel, String text) {
        send("PRIVMSG " + channel + " :" + text);
    }

    /** The next PRIVMSG to {@code target} from {@code from}. */
    IrcMessage awaitPrivmsg(String from, String target) {
        return await(
                m ->
                        m.command().equals("PRIVMSG")
                                && m.sourceNick().equals(from)
                                && m.param(0).equalsIgnoreCase(target));
    }

    /** Waits for a message not taken before; the ones skipped stay available to later waits. */
    IrcMessage await(Predicate<IrcMessage> match) {
        return await(match, WAIT);
    }

    IrcMessage await(Predicate<IrcMessage> match, Duration timeout) {
        return inbox.await(match, timeout);
    }

    /** Everything received within a short time that no wait has taken yet. */
    List<IrcMessage> drain(Duration quiet) {
        return inbox.drain(quiet);
    }

    @Override
    public void close() {
        try {
            send("QUIT :bye");
        } catch (RuntimeException gone) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
