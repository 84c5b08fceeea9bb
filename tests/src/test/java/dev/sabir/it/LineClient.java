package dev.sabir.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** A user on a loopback network: a plain socket speaking its line protocol. */
final class LineClient implements AutoCloseable {
    private final Socket socket;
    private final BufferedReader in;
    private final OutputStream out;
    private final List<String> seen = new ArrayList<>();

    LineClient(int port, String nick) throws IOException {
        socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
        out = socket.getOutputStream();
        say("NICK " + nick);
        await(l -> l.equals("OK " + nick));
    }

    void say(String line) throws IOException {
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Joins a room and waits for the server's confirmation. */
    void join(String room, String nick) throws IOException {
        say("JOIN " + room);
        await(l -> l.equals("JOIN " + room + " " + nick));
    }

    /** Reads until a line matches; the lines read are kept in {@link #seen()}. */
    String await(Predicate<String> match) throws IOException {
        String l;
        try {
            while ((l = in.readLine()) != null) {
                seen.add(l);
                if (match.test(l)) {
                    return l;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("timed out; lines seen: " + seen, e);
        }
        throw new AssertionError("closed; lines seen: " + seen);
    }

    /** Every line read so far. */
    List<String> seen() {
        return List.copyOf(seen);
    }

    /** Reads whatever arrives within a short time. */
    List<String> drain(int millis) throws IOException {
        int old = socket.getSoTimeout();
        socket.setSoTimeout(millis);
        try {
            String l;
            while ((l = in.readLine()) != null) {
                seen.add(l);
            }
        } catch (SocketTimeoutException e) {
            // nothing more
        } finally {
            socket.setSoTimeout(old);
        }
        return seen();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
