package dev.sabir.torchat.codec;

import dev.sabir.torchat.codec.TorChatPacket.*;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Static factories for outgoing packets, and the line parser and serialiser behind the Netty
 * handlers (a dispatch table: each known name with its argument grammar).
 */
public final class TorChatPackets {
    /** Pixels of an avatar (64x64). */
    public static final int AVATAR_PIXELS = 64 * 64;

    /** The longest packet name accepted. */
    public static final int MAX_NAME = 64;

    private TorChatPackets() {}

    // ---- factories ----------------------------------------------------------------------------

    /** {@code ping <id> <cookie>}. */
    public static Ping ping(String id, String cookie) {
        return new Ping(id, cookie);
    }

    /** {@code pong <cookie>}. */
    public static Pong pong(String cookie) {
        return new Pong(cookie);
    }

    /** {@code not_implemented <command>}. */
    public static NotImplemented notImplemented(String command) {
        return new NotImplemented(command);
    }

    /** {@code client <name>}. */
    public static Client client(String name) {
        return new Client(name);
    }

    /** {@code version <version>}. */
    public static Version version(String version) {
        return new Version(version);
    }

    /** {@code supports <ext...>}. */
    public static Supports supports(List<String> extensions) {
        return new Supports(extensions);
    }

    /** {@code status <status>}. */
    public static Status status(String status) {
        return new Status(status);
    }

    /** {@code add_me}. */
    public static AddMe addMe() {
        return new AddMe();
    }

    /** {@code remove_me}. */
    public static RemoveMe removeMe() {
        return new RemoveMe();
    }

    /** {@code message <text>}. */
    public static Message message(String text) {
        return new Message(text);
    }

    /** {@code profile_name <name>}. */
    public static ProfileName profileName(String name) {
        return new ProfileName(name);
    }

    /** {@code profile_text <text>}. */
    public static ProfileText profileText(String text) {
        return new ProfileText(text);
    }

    /** {@code profile_avatar_alpha <bytes>} (empty for none). */
    public static ProfileAvatarAlpha profileAvatarAlpha(byte[] alpha) {
        return new ProfileAvatarAlpha(alpha);
    }

    /** {@code profile_avatar <rgb bytes>}. */
    public static ProfileAvatar profileAvatar(byte[] rgb) {
        return new ProfileAvatar(rgb);
    }

    /** {@code filename <id> <size> <blocksize> <name>}. */
    public static Filename filename(String id, long size, int blockSize, String name) {
        return new Filename(id, size, blockSize, name);
    }

    /** {@code filedata <id> <offset> <md5> <block>}, computing the md5. */
    public static Filedata filedata(String id, long offset, byte[] block) {
        return new Filedata(id, offset, md5Hex(block), block);
    }

    /** {@code filedata_ok <id> <offset>}. */
    public static FiledataOk filedataOk(String id, long offset) {
        return new FiledataOk(id, offset);
    }

    /** {@code filedata_error <id> <offset>}. */
    public static FiledataError filedataError(String id, long offset) {
        return new FiledataError(id, offset);
    }

    /** {@code file_stop_sending <id>}. */
    public static FileStopSending fileStopSending(String id) {
        return new FileStopSending(id);
    }

    /** {@code file_stop_receiving <id>}. */
    public static FileStopReceiving fileStopReceiving(String id) {
        return new FileStopReceiving(id);
    }

    /** {@code groupchat_invite <id> [modes]}. */
    public static GroupchatInvite groupchatInvite(String id, List<String> modes) {
        return new GroupchatInvite(id, modes);
    }

    /** {@code groupchat_participants <id> [ids]}. */
    public static GroupchatParticipants groupchatParticipants(String id, List<String> ids) {
        return new GroupchatParticipants(id, ids);
    }

    /** {@code groupchat_is_participating <id>}. */
    public static GroupchatIsParticipating groupchatIsParticipating(String id) {
        return new GroupchatIsParticipating(id);
    }

    /** {@code groupchat_participating <id>}. */
    public static GroupchatParticipating groupchatParticipating(String id) {
        return new GroupchatParticipating(id);
    }

    /** {@code groupchat_not_participating <id>}. */
    public static GroupchatNotParticipating groupchatNotParticipating(String id) {
        return new GroupchatNotParticipating(id);
    }

    /** {@code groupchat_join <id>}. */
    public static GroupchatJoin groupchatJoin(String id) {
        return new GroupchatJoin(id);
    }

    /** {@code groupchat_leave <id> [reason]}. */
    public static GroupchatLeave groupchatLeave(String id, String reason) {
        return new GroupchatLeave(id, reason);
    }

    /** {@code groupchat_invited <id> <invited>}. */
    public static GroupchatInvited groupchatInvited(String id, String invited) {
        return new GroupchatInvited(id, invited);
    }

    /** {@code groupchat_message <id> <text>}. */
    public static GroupchatMessage groupchatMessage(String id, String text) {
        return new GroupchatMessage(id, text);
    }

    /** {@code broadcast_message <text>}. */
    public static BroadcastMessage broadcastMessage(String text) {
        return new BroadcastMessage(text);
    }

    /** {@code latency_ping <id>}. */
    public static LatencyPing latencyPing(String id) {
        return new LatencyPing(id);
    }

    /** {@code latency_pong <id>}. */
    public static LatencyPong latencyPong(String id) {
        return new LatencyPong(id);
    }

    /** {@code typing_start}, {@code typing_thinking} or {@code typing_stop}. */
    public static TypingState typing(TypingState.Kind kind) {
        return new TypingState(kind);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /** True for {@code [a-z_]{1,64}}. */
    public static boolean isValidName(String name) {
        if (name == null || name.isEmpty() || name.length() > MAX_NAME) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z') && c != '_') {
                return false;
            }
        }
        return true;
    }

    /** Lower-case hex MD5 of the bytes. */
    public static String md5Hex(byte[] data) {
        return Wire.md5(data);
    }

    // ---- serialising --------------------------------------------------------------------------

    /** The full wire line of a packet, LF included. */
    public static byte[] encode(TorChatPacket packet) {
        byte[] name = packet.name().getBytes(StandardCharsets.US_ASCII);
        byte[] data = packet.data();
        if (data == null || data.length == 0) {
            byte[] out = Arrays.copyOf(name, name.length + 1);
            out[name.length] = '\n';
            return out;
        }
        byte[] escaped = TorChatEscaping.escape(data);
        ByteArrayOutputStream out = new ByteArrayOutputStream(name.length + escaped.length + 2);
        out.write(name, 0, name.length);
        out.write(' ');
        out.write(escaped, 0, escaped.length);
        out.write('\n');
        return out.toByteArray();
    }

    // ---- parsing ------------------------------------------------------------------------------

    /**
     * Parses one line (without its LF). {@code name} and {@code name } (trailing space) are the
     * same packet. Unknown but well-formed names give {@link Unknown}.
     *
     * @throws TorChatCodecException when the name or the arguments are malformed
     */
    public static TorChatPacket parse(byte[] line) {
        int sp = indexOf(line, 0, (byte) ' ');
        int nameEnd = sp < 0 ? line.length : sp;
        String name =
                new String(line, 0, Math.min(nameEnd, MAX_NAME + 1), StandardCharsets.ISO_8859_1);
        if (nameEnd > MAX_NAME || !isValidName(name)) {
            throw new TorChatCodecException("", "malformed packet name");
        }
        byte[] escaped = sp < 0 ? new byte[0] : Arrays.copyOfRange(line, sp + 1, line.length);
        Args args = new Args(name, TorChatEscaping.unescape(escaped));
        Function<Args, TorChatPacket> parser = PARSERS.get(name);
        try {
            return parser == null ? new Unknown(name, args.data) : parser.apply(args);
        } catch (IllegalArgumentException e) {
            throw new TorChatCodecException(name, name + ": " + e.getMessage());
        }
    }

    private static final Map<String, Function<Args, TorChatPacket>> PARSERS =
            Map.ofEntries(
                    Map.entry("not_implemented", a -> new NotImplemented(a.restText())),
                    Map.entry("ping", a -> new Ping(a.token(), a.lastToken())),
                    Map.entry("pong", a -> new Pong(a.lastToken())),
                    Map.entry("client", a -> new Client(a.restText())),
                    Map.entry("version", a -> new Version(a.restText())),
                    Map.entry("supports", a -> new Supports(a.tokens())),
                    Map.entry("status", a -> new Status(a.lastToken())),
                    Map.entry("add_me", a -> a.none(new AddMe())),
                    Map.entry("remove_me", a -> a.none(new RemoveMe())),
                    Map.entry("message", a -> new Message(a.restText())),
                    Map.entry("profile_name", a -> new ProfileName(a.restText())),
                    Map.entry("profile_text", a -> new ProfileText(a.restText())),
                    Map.entry("profile_avatar_alpha", a -> new ProfileAvatarAlpha(a.rest())),
                    Map.entry("profile_avatar", a -> new ProfileAvatar(a.rest())),
                    Map.entry(
                            "filename",
                            a -> new Filename(a.token(), a.number(), a.intNumber(), a.restText())),
                    Map.entry(
                            "filedata",
                            a -> new Filedata(a.token(), a.number(), a.token(), a.rest())),
                    Map.entry("filedata_ok", a -> new FiledataOk(a.token(), a.lastNumber())),
                    Map.entry("filedata_error", a -> new FiledataError(a.token(), a.lastNumber())),
                    Map.entry("file_stop_sending", a -> new FileStopSending(a.lastToken())),
                    Map.entry("file_stop_receiving", a -> new FileStopReceiving(a.lastToken())),
                    Map.entry("groupchat_invite", a -> new GroupchatInvite(a.token(), a.tokens())),
                    Map.entry(
                            "groupchat_participants",
                            a -> new GroupchatParticipants(a.token(), a.tokens())),
                    Map.entry(
                            "groupchat_is_participating",
                            a -> new GroupchatIsParticipating(a.lastToken())),
                    Map.entry(
                            "groupchat_participating",
                            a -> new GroupchatParticipating(a.optionalToken())),
                    Map.entry(
                            "groupchat_not_participating",
                            a -> new GroupchatNotParticipating(a.lastToken())),
                    Map.entry("groupchat_join", a -> new GroupchatJoin(a.lastToken())),
                    Map.entry("groupchat_leave", a -> new GroupchatLeave(a.token(), a.restText())),
                    Map.entry(
                            "groupchat_invited",
                            a -> new GroupchatInvited(a.token(), a.lastToken())),
                    Map.entry(
                            "groupchat_message",
                            a -> new GroupchatMessage(a.token(), a.restText())),
                    Map.entry("broadcast_message", a -> new BroadcastMessage(a.restText())),
                    Map.entry("latency_ping", a -> new LatencyPing(a.lastToken())),
                    Map.entry("latency_pong", a -> new LatencyPong(a.lastToken())),
                    Map.entry("typing_start", a -> a.none(new TypingState(TypingState.Kind.START))),
                    Map.entry(
                            "typing_thinking",
                            a -> a.none(new TypingState(TypingState.Kind.THINKING))),
                    Map.entry("typing_stop", a -> a.none(new TypingState(TypingState.Kind.STOP))));

    private static int indexOf(byte[] b, int from, byte what) {
        for (int i = from; i < b.length; i++) {
            if (b[i] == what) {
                return i;
            }
        }
        return -1;
    }

    /** A cursor over the unescaped data part. */
    private static final class Args {
        final String name;
        final byte[] data;
        int pos;

        Args(String name, byte[] data) {
            this.name = name;
            this.data = data;
        }

        String token() {
            if (pos >= data.length) {
                throw new TorChatCodecException(name, name + ": missing argument");
            }
            int sp = indexOf(data, pos, (byte) ' ');
            int end = sp < 0 ? data.length : sp;
            if (end == pos) {
                throw new TorChatCodecException(name, name + ": empty argument");
            }
            String t = new String(data, pos, end - pos, StandardCharsets.UTF_8);
            pos = sp < 0 ? data.length : sp + 1;
            return t;
        }

        /** A token that must be the last thing (trailing spaces are tolerated). */
        String lastToken() {
            String t = token();
            end();
            return t;
        }

        String optionalToken() {
            end0();
            return pos >= data.length ? "" : lastToken();
        }

        long number() {
            String t = token();
            try {
                long n = Long.parseLong(t);
                if (n < 0) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new TorChatCodecException(name, name + ": bad number");
            }
        }

        int intNumber() {
            long n = number();
            if (n > Integer.MAX_VALUE) {
                throw new TorChatCodecException(name, name + ": number out of range");
            }
            return (int) n;
        }

        long lastNumber() {
            long n = number();
            end();
            return n;
        }

        List<String> tokens() {
            List<String> out = new ArrayList<>();
            while (true) {
                end0();
                if (pos >= data.length) {
                    return out;
                }
                out.add(token());
            }
        }

        byte[] rest() {
            byte[] r = Arrays.copyOfRange(data, Math.min(pos, data.length), data.length);
            pos = data.length;
            return r;
        }

        String restText() {
            return new String(rest(), StandardCharsets.UTF_8);
        }

        <T> T none(T packet) {
            end();
            return packet;
        }

        private void end0() {
            while (pos < data.length && data[pos] == ' ') {
                pos++;
            }
        }

        private void end() {
            end0();
            if (pos < data.length) {
                throw new TorChatCodecException(name, name + ": unexpected extra arguments");
            }
        }
    }
}
