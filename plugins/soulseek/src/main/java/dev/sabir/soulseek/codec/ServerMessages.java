package dev.sabir.soulseek.codec;

import dev.sabir.soulseek.codec.ServerMessage.*;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** Static factories for the messages Sabir sends, with the values deployed clients use. */
public final class ServerMessages {
    /** The client version deployed clients announce. */
    public static final int CLIENT_VERSION = 160;

    /** Status codes. */
    public static final int STATUS_OFFLINE = 0, STATUS_AWAY = 1, STATUS_ONLINE = 2;

    private ServerMessages() {}

    /** Login with version 160 and {@code md5hex(user + password)}. */
    public static Login login(String user, String password) {
        return new Login(user, password, CLIENT_VERSION, md5Hex(user + password), 1);
    }

    /** Our listening port, without the obfuscated pair. */
    public static SetListenPort setListenPort(int port) {
        return new SetListenPort(port, false, 0, 0);
    }

    /** Join (or create) a public room. */
    public static JoinRoom joinRoom(String room) {
        return new JoinRoom(room, 0);
    }

    /** Say something in a room. */
    public static SayChatroom say(String room, String text) {
        return new SayChatroom(room, text);
    }

    /** A private message. */
    public static MessageUser messageUser(String user, String text) {
        return new MessageUser(user, text);
    }

    /** A successful login reply. */
    public static LoginReply loginOk(String greeting, int ip, String password) {
        return LoginReply.success(greeting, ip, md5Hex(password));
    }

    /** A peer address reply with the trailing obfuscation fields zero. */
    public static PeerAddress peerAddress(String user, int ip, int port) {
        return new PeerAddress(user, ip, port, 0, 0);
    }

    /** A ConnectToPeer forwarded to the target. */
    public static ConnectToPeerRequest connectToPeer(
            String user, String type, int ip, int port, int ticket) {
        return new ConnectToPeerRequest(user, type, ip, port, ticket, 0, true, 0, 0);
    }

    /** Lower-case hex MD5 of UTF-8 text (what the login hashes are). */
    public static String md5Hex(String text) {
        try {
            byte[] d =
                    MessageDigest.getInstance("MD5").digest(text.getBytes(StandardCharsets.UTF_8));
            return String.format("%032x", new BigInteger(1, d));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
