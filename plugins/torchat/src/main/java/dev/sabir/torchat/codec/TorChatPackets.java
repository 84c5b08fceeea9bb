package dev.sabir.torchat.codec;

import dev.sabir.torchat.codec.TorChatPacket.*;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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
        String name = packet.name();
        byte[] head = head(packet);
        byte[] block = block(packet);
        byte[] out = new byte[lineLength(name, head, block)];
        writeLine(Unpooled.wrappedBuffer(out).clear(), name, head, block);
        return out;
    }

    /**
     * Writes the full wire line of a packet, LF included, into {@code out}, escaping straight into
     * the buffer (a file block is not copied on the way).
     */
    public static void encode(TorChatPacket packet, ByteBuf out) {
        String name = packet.name();
        byte[] head = head(packet);
        byte[] block = block(packet);
        out.ensureWritable(lineLength(name, head, block));
        writeLine(out, name, head, block);
    }

    /** The data part, or for file data the part before the block. */
    private static byte[] head(TorChatPacket packet) {
        return packet instanceof Filedata f ? f.header() : packet.data();
    }

    /** The block of a file data packet (not a copy: only read it), else null. */
    private static byte[] block(TorChatPacket packet) {
        return packet instanceof Filedata f ? f.blockShared() : null;
    }

    private static int lineLength(String name, byte[] head, byte[] block) {
        int data =
                (head == null ? 0 : TorChatEscaping.escapedLength(head))
                        + (block == null ? 0 : TorChatEscaping.escapedLength(block));
        return name.length() + (data == 0 ? 0 : 1 + data) + 1;
    }

    private static void writeLine(ByteBuf out, String name, byte[] head, byte[] block) {
        out.writeCharSequence(name, StandardCharsets.US_ASCII);
        if ((head != null && head.length > 0) || (block != null && block.length > 0)) {
            out.writeByte(' ');
            if (head != null) {
                TorChatEscaping.escape(head, out);
            }
            if (block != null) {
                TorChatEscaping.escape(block, out);
            }
        }
        out.writeByte('\n');
    }

    // ---- parsing ------------------------------------------------------------------------------

    /**
     * Parses one line (without its LF). {@code name} and {@code name } (trailing space) are the
     * same packet. Unknown but well-formed names give {@link Unknown}.
     *
     * @throws TorChatCodecException when the name or the arguments are malformed
     */
    public static TorChatPacket parse(byte[] line) {
        return parse(Unpooled.wrappedBuffer(line), null);
    }

    /**
     * Parses one line (the readable bytes of {@code line}, without its LF) like {@link
     * #parse(byte[])}, reading the buffer in place: the indices are left alone.
     *
     * @throws TorChatCodecException when the name or the arguments are malformed
     */
    public static TorChatPacket parse(ByteBuf line) {
        return parse(line, null);
    }

    /**
     * The parser behind both public forms. Fields are unescaped straight from the buffer (spaces
     * are never part of an escape, so splitting first and unescaping each field gives the same
     * bytes as unescaping the whole data part first); byte fields go through {@code scratch} when
     * one is given.
     */
    static TorChatPacket parse(ByteBuf line, Scratch scratch) {
        int start = line.readerIndex();
        int end = line.writerIndex();
        int sp = line.indexOf(start, end, (byte) ' ');
        int nameEnd = sp < 0 ? end : sp;
        if (nameEnd == start || nameEnd - start > MAX_NAME) {
            throw new TorChatCodecException("", "malformed packet name");
        }
        for (int i = start; i < nameEnd; i++) {
            byte c = line.getByte(i);
            if (!(c >= 'a' && c <= 'z') && c != '_') {
                throw new TorChatCodecException("", "malformed packet name");
            }
        }
        String name = line.toString(start, nameEnd - start, StandardCharsets.US_ASCII);
        Args args = new Args(name, line, sp < 0 ? end : sp + 1, end, scratch);
        Function<Args, TorChatPacket> parser = PARSERS.get(name);
        try {
            return parser == null ? new Unknown(name, args.rest()) : parser.apply(args);
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

    /**
     * A cursor over the escaped data part {@code [pos, end)} of a line. Fields are unescaped as
     * they are taken.
     */
    private static final class Args {
        final String name;
        final ByteBuf buf;
        final int end;
        final Scratch scratch;
        int pos;

        Args(String name, ByteBuf buf, int pos, int end, Scratch scratch) {
            this.name = name;
            this.buf = buf;
            this.pos = pos;
            this.end = end;
            this.scratch = scratch;
        }

        String token() {
            if (pos >= end) {
                throw new TorChatCodecException(name, name + ": missing argument");
            }
            int sp = buf.indexOf(pos, end, (byte) ' ');
            int tokenEnd = sp < 0 ? end : sp;
            if (tokenEnd == pos) {
                throw new TorChatCodecException(name, name + ": empty argument");
            }
            String t = text(pos, tokenEnd);
            pos = sp < 0 ? end : sp + 1;
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
            return pos >= end ? "" : lastToken();
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
                if (pos >= end) {
                    return out;
                }
                out.add(token());
            }
        }

        /**
         * The rest, unescaped, in an array of exactly its length. It may be the scratch array: only
         * hand it to a record constructor (they copy byte fields).
         */
        byte[] rest() {
            int n = TorChatEscaping.unescapedLength(buf, pos, end);
            byte[] r = scratch == null ? new byte[n] : scratch.exactly(n);
            TorChatEscaping.unescape(buf, pos, end, r, 0);
            pos = end;
            return r;
        }

        String restText() {
            String t = text(pos, end);
            pos = end;
            return t;
        }

        /** {@code [from, to)} unescaped and decoded as UTF-8, without an intermediate copy. */
        private String text(int from, int to) {
            int n = TorChatEscaping.unescapedLength(buf, from, to);
            if (n == to - from && buf.hasArray()) {
                return new String(buf.array(), buf.arrayOffset() + from, n, StandardCharsets.UTF_8);
            }
            byte[] b = scratch == null ? new byte[n] : scratch.atLeast(n);
            TorChatEscaping.unescape(buf, from, to, b, 0);
            return new String(b, 0, n, StandardCharsets.UTF_8);
        }

        <T> T none(T packet) {
            end();
            return packet;
        }

        private void end0() {
            while (pos < end && buf.getByte(pos) == ' ') {
                pos++;
            }
        }

        private void end() {
            end0();
            if (pos < end) {
                throw new TorChatCodecException(name, name + ": unexpected extra arguments");
            }
        }
    }
}
