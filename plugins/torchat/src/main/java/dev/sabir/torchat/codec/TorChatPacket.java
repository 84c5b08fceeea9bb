package dev.sabir.torchat.codec;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One TorChat packet: a line {@code name[ SP data]\n}. Every packet of the standard protocol and of
 * the profile, file transfer, groupchat, broadcast, latency and typing extensions is a record here;
 * anything else decodes to {@link Unknown}. Build outgoing packets with {@link TorChatPackets}.
 *
 * <p>Records check their fields when constructed: tokens (ids, cookies, offsets) are non-empty and
 * contain no space or line break, and the encoded line fits in {@link #MAX_LINE} bytes.
 */
public sealed interface TorChatPacket {

    /** The longest line (including the LF) that is encoded or accepted by default. */
    int MAX_LINE = 256 * 1024;

    /** The packet name on the wire, {@code [a-z_]+}. */
    String name();

    /** The raw (unescaped) data part, or null when the packet has none. */
    byte[] data();

    // ---- standard protocol -------------------------------------------------------------------

    /** {@code not_implemented [command]}: we received a packet we do not know. */
    record NotImplemented(String command) implements TorChatPacket {
        /** Checks the parts. */
        public NotImplemented {
            command = command == null ? "" : command;
            Wire.checkLine("not_implemented", command);
        }

        public String name() {
            return "not_implemented";
        }

        public byte[] data() {
            return Wire.text(command);
        }
    }

    /** {@code ping <id> <cookie>}: starts the authentication of a connection. */
    record Ping(String id, String cookie) implements TorChatPacket {
        /** Checks the parts. */
        public Ping {
            Wire.token("id", id);
            Wire.token("cookie", cookie);
            Wire.checkLine("ping", id, cookie);
        }

        public String name() {
            return "ping";
        }

        public byte[] data() {
            return Wire.words(id, cookie);
        }
    }

    /** {@code pong <cookie>}: answers a ping with its cookie. */
    record Pong(String cookie) implements TorChatPacket {
        /** Checks the parts. */
        public Pong {
            Wire.token("cookie", cookie);
            Wire.checkLine("pong", cookie);
        }

        public String name() {
            return "pong";
        }

        public byte[] data() {
            return Wire.words(cookie);
        }
    }

    /** {@code client <name>}: the client software name. */
    record Client(String client) implements TorChatPacket {
        /** Checks the parts. */
        public Client {
            client = client == null ? "" : client;
            Wire.checkLine("client", client);
        }

        public String name() {
            return "client";
        }

        public byte[] data() {
            return Wire.text(client);
        }
    }

    /** {@code version <version>}: the client software version. */
    record Version(String version) implements TorChatPacket {
        /** Checks the parts. */
        public Version {
            version = version == null ? "" : version;
            Wire.checkLine("version", version);
        }

        public String name() {
            return "version";
        }

        public byte[] data() {
            return Wire.text(version);
        }
    }

    /** {@code supports <ext> ...}: the extensions the client speaks. */
    record Supports(List<String> extensions) implements TorChatPacket {
        /** Checks the parts. */
        public Supports {
            extensions = List.copyOf(extensions);
            extensions.forEach(e -> Wire.token("extension", e));
            Wire.checkLine("supports", String.join(" ", extensions));
        }

        public String name() {
            return "supports";
        }

        public byte[] data() {
            return Wire.words(extensions.toArray(String[]::new));
        }
    }

    /** {@code status <available|away|xa>}: presence, also the keepalive. */
    record Status(String status) implements TorChatPacket {
        /** Checks the parts. */
        public Status {
            Wire.token("status", status);
            Wire.checkLine("status", status);
        }

        public String name() {
            return "status";
        }

        public byte[] data() {
            return Wire.words(status);
        }
    }

    /** {@code add_me}: asks the peer to put us on its buddy list. */
    record AddMe() implements TorChatPacket {
        public String name() {
            return "add_me";
        }

        public byte[] data() {
            return null;
        }
    }

    /** {@code remove_me}: asks the peer to remove us from its buddy list. */
    record RemoveMe() implements TorChatPacket {
        public String name() {
            return "remove_me";
        }

        public byte[] data() {
            return null;
        }
    }

    /** {@code message <text>}: a chat message, UTF-8. */
    record Message(String text) implements TorChatPacket {
        /** Checks the parts. */
        public Message {
            Objects.requireNonNull(text, "text");
            Wire.checkLine("message", text);
        }

        public String name() {
            return "message";
        }

        public byte[] data() {
            return Wire.text(text);
        }
    }

    // ---- profile ------------------------------------------------------------------------------

    /** {@code profile_name [name]}. */
    record ProfileName(String profileName) implements TorChatPacket {
        /** Checks the parts. */
        public ProfileName {
            profileName = profileName == null ? "" : profileName;
            Wire.checkLine("profile_name", profileName);
        }

        public String name() {
            return "profile_name";
        }

        public byte[] data() {
            return Wire.text(profileName);
        }
    }

    /** {@code profile_text [text]}. */
    record ProfileText(String text) implements TorChatPacket {
        /** Checks the parts. */
        public ProfileText {
            text = text == null ? "" : text;
            Wire.checkLine("profile_text", text);
        }

        public String name() {
            return "profile_text";
        }

        public byte[] data() {
            return Wire.text(text);
        }
    }

    /** {@code profile_avatar_alpha [4096 bytes]}: the avatar's alpha channel, may be empty. */
    record ProfileAvatarAlpha(byte[] alpha) implements TorChatPacket {
        /** Checks the parts. */
        public ProfileAvatarAlpha {
            alpha = alpha == null ? new byte[0] : alpha.clone();
            if (alpha.length != 0 && alpha.length != TorChatPackets.AVATAR_PIXELS) {
                throw new IllegalArgumentException(
                        "avatar alpha must be empty or " + TorChatPackets.AVATAR_PIXELS + " bytes");
            }
        }

        @Override
        public byte[] alpha() {
            return alpha.clone();
        }

        public String name() {
            return "profile_avatar_alpha";
        }

        public byte[] data() {
            return alpha.length == 0 ? null : alpha.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ProfileAvatarAlpha p && Arrays.equals(alpha, p.alpha);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(alpha);
        }

        @Override
        public String toString() {
            return "ProfileAvatarAlpha[" + alpha.length + " bytes]";
        }
    }

    /** {@code profile_avatar [12288 bytes]}: the avatar's RGB pixels, 64x64, may be empty. */
    record ProfileAvatar(byte[] rgb) implements TorChatPacket {
        /** Checks the parts. */
        public ProfileAvatar {
            rgb = rgb == null ? new byte[0] : rgb.clone();
            if (rgb.length != 0 && rgb.length != 3 * TorChatPackets.AVATAR_PIXELS) {
                throw new IllegalArgumentException(
                        "avatar must be empty or " + 3 * TorChatPackets.AVATAR_PIXELS + " bytes");
            }
        }

        @Override
        public byte[] rgb() {
            return rgb.clone();
        }

        public String name() {
            return "profile_avatar";
        }

        public byte[] data() {
            return rgb.length == 0 ? null : rgb.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof ProfileAvatar p && Arrays.equals(rgb, p.rgb);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(rgb);
        }

        @Override
        public String toString() {
            return "ProfileAvatar[" + rgb.length + " bytes]";
        }
    }

    // ---- file transfer ------------------------------------------------------------------------

    /** {@code filename <id> <size> <blocksize> <name>}: starts (or resumes) a file transfer. */
    record Filename(String id, long size, int blockSize, String fileName) implements TorChatPacket {
        /** Checks the parts. */
        public Filename {
            Wire.token("id", id);
            Objects.requireNonNull(fileName, "fileName");
            if (size < 0) {
                throw new IllegalArgumentException("negative file size");
            }
            if (blockSize <= 0) {
                throw new IllegalArgumentException("block size must be positive");
            }
            Wire.checkLine(
                    "filename", id, Long.toString(size), Integer.toString(blockSize), fileName);
        }

        public String name() {
            return "filename";
        }

        public byte[] data() {
            return Wire.concat(
                    Wire.words(id, Long.toString(size), Integer.toString(blockSize), ""),
                    Wire.utf8(fileName));
        }
    }

    /** {@code filedata <id> <offset> <md5hex> <raw block>}: one block of a file. */
    record Filedata(String id, long offset, String md5, byte[] block) implements TorChatPacket {
        /** Checks the parts. */
        public Filedata {
            Wire.token("id", id);
            Wire.token("md5", md5);
            block = block.clone();
            if (offset < 0) {
                throw new IllegalArgumentException("negative offset");
            }
            Wire.checkLine("filedata", id, Long.toString(offset), md5, block);
        }

        @Override
        public byte[] block() {
            return block.clone();
        }

        /** The block length without copying it. */
        public int length() {
            return block.length;
        }

        /** True when the md5 field matches the block. */
        public boolean md5Matches() {
            return Wire.md5Matches(md5, block);
        }

        public String name() {
            return "filedata";
        }

        public byte[] data() {
            return Wire.concat(header(), block);
        }

        /** The data part before the block: {@code id offset md5 } (trailing space included). */
        byte[] header() {
            return Wire.words(id, Long.toString(offset), md5, "");
        }

        /** The block itself, not a copy, for the encoder: never modify or hand it out. */
        byte[] blockShared() {
            return block;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Filedata f
                    && id.equals(f.id)
                    && offset == f.offset
                    && md5.equals(f.md5)
                    && Arrays.equals(block, f.block);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, offset, md5, Arrays.hashCode(block));
        }

        @Override
        public String toString() {
            return "Filedata[" + id + " @" + offset + ", " + block.length + " bytes]";
        }
    }

    /** {@code filedata_ok <id> <offset>}: a block arrived intact. */
    record FiledataOk(String id, long offset) implements TorChatPacket {
        /** Checks the parts. */
        public FiledataOk {
            Wire.token("id", id);
            Wire.checkLine("filedata_ok", id, "0000000000000000000");
        }

        public String name() {
            return "filedata_ok";
        }

        public byte[] data() {
            return Wire.words(id, Long.toString(offset));
        }
    }

    /** {@code filedata_error <id> <offset>}: a block was damaged; resend from the offset. */
    record FiledataError(String id, long offset) implements TorChatPacket {
        /** Checks the parts. */
        public FiledataError {
            Wire.token("id", id);
            Wire.checkLine("filedata_error", id, "0000000000000000000");
        }

        public String name() {
            return "filedata_error";
        }

        public byte[] data() {
            return Wire.words(id, Long.toString(offset));
        }
    }

    /** {@code file_stop_sending <id>}: the receiver stopped an inbound transfer. */
    record FileStopSending(String id) implements TorChatPacket {
        /** Checks the parts. */
        public FileStopSending {
            Wire.token("id", id);
            Wire.checkLine("file_stop_sending", id);
        }

        public String name() {
            return "file_stop_sending";
        }

        public byte[] data() {
            return Wire.words(id);
        }
    }

    /** {@code file_stop_receiving <id>}: the sender interrupted an outbound transfer. */
    record FileStopReceiving(String id) implements TorChatPacket {
        /** Checks the parts. */
        public FileStopReceiving {
            Wire.token("id", id);
            Wire.checkLine("file_stop_receiving", id);
        }

        public String name() {
            return "file_stop_receiving";
        }

        public byte[] data() {
            return Wire.words(id);
        }
    }

    // ---- groupchat ----------------------------------------------------------------------------

    /** {@code groupchat_invite <id> [modes]}. */
    record GroupchatInvite(String id, List<String> modes) implements TorChatPacket {
        /** Checks the parts. */
        public GroupchatInvite {
            Wire.token("id", id);
            modes = List.copyOf(modes);
            modes.forEach(m -> Wire.token("mode", m));
            Wire.checkLine("groupchat_invite", id, String.join(" ", modes));
        }

        public String name() {
            return "groupchat_invite";
        }

        public byte[] data() {
            return Wire.words(Wire.prepend(id, modes));
        }
    }

    /** {@code groupchat_participants <id> [ids]}: an empty list ends the join negotiation. */
    record GroupchatParticipants(String id, List<String> participants) implements TorChatPacket {
        /** Checks the parts. */
        public GroupchatParticipants {
            Wire.token("id", id);
            participants = List.copyOf(participants);
            participants.forEach(p -> Wire.token("participant", p));
            Wire.checkLine("groupchat_participants", id, String.join(" ", participants));
        }

        public String name() {
            return "groupchat_participants";
        }

        public byte[] data() {
            return Wire.words(Wire.prepend(id, participants));
        }
    }

    /** {@code groupchat_is_participating <id>}. */
    record GroupchatIsParticipating(String id) implements TorChatPacket {
        /** Checks the parts. */
        public GroupchatIsParticipating {
            Wire.token("id", id);
            Wire.checkLine("groupchat_is_participating", id);
        }

        public String name() {
            return "groupchat_is_participating";
        }

        public byte[] data() {
            return Wire.words(id);
        }
    }

    /** {@code groupchat_participating [id]} (one spec example omits the id: then it is empty). */
    record GroupchatParticipating(String id) implements TorChatPacket {
        /** Checks the parts. */
        public GroupchatParticipating {
            id = id == null ? "" : id;
            if (!id.isEmpty()) {
                Wire.token("id", id);
            }
            Wire.checkLine("groupchat_participating", id);
        }

        public String name() {
            return "groupchat_participating";
        }

        public byte[] data() {
            return Wire.text(id);
        }
    }

    /** {@code groupchat_not_participating <id>}. */
    record GroupchatNotParticipating(String id) implements TorChatPacket {
        /** Checks the parts. */
        public GroupchatNotParticipating {
            Wire.token("id", id);
            Wire.checkLine("groupchat_not_participating", id);
        }

        public String name() {
            return "groupchat_not_participating";
        }

        public byte[] data() {
            return Wire.words(id);
        }
    }

    /** {@code groupchat_join <id>}. */
    record GroupchatJoin(String id) implements TorChatPacket {
        /** Checks the parts. */
        public GroupchatJoin {
            Wire.token("id", id);
            Wire.checkLine("groupchat_join", id);
        }

        public String name() {
            return "groupchat_join";
        }

        public byte[] data() {
            return Wire.words(id);
        }
    }

    /** {@code groupchat_leave <id> [reason]}. */
    record GroupchatLeave(String id, String reason) implements TorChatPacket {
        /** Checks the parts. */
        public GroupchatLeave {
            Wire.token("id", id);
            reason = reason == null ? "" : reason;
            Wire.checkLine("groupchat_leave", id, reason);
        }

        public String name() {
            return "groupchat_leave";
        }

        public byte[] data() {
            return reason.isEmpty()
                    ? Wire.words(id)
                    : Wire.concat(Wire.words(id, ""), Wire.utf8(reason));
        }
    }

    /** {@code groupchat_invited <id> <invited-id>}: tells members who is joining. */
    record GroupchatInvited(String id, String invited) implements TorChatPacket {
        /** Checks the parts. */
        public GroupchatInvited {
            Wire.token("id", id);
            Wire.token("invited", invited);
            Wire.checkLine("groupchat_invited", id, invited);
        }

        public String name() {
            return "groupchat_invited";
        }

        public byte[] data() {
            return Wire.words(id, invited);
        }
    }

    /** {@code groupchat_message <id> <text>}. */
    record GroupchatMessage(String id, String text) implements TorChatPacket {
        /** Checks the parts. */
        public GroupchatMessage {
            Wire.token("id", id);
            Objects.requireNonNull(text, "text");
            Wire.checkLine("groupchat_message", id, text);
        }

        public String name() {
            return "groupchat_message";
        }

        public byte[] data() {
            return Wire.concat(Wire.words(id, ""), Wire.utf8(text));
        }
    }

    // ---- broadcast, latency, typing -----------------------------------------------------------

    /** {@code broadcast_message <text>}. */
    record BroadcastMessage(String text) implements TorChatPacket {
        /** Checks the parts. */
        public BroadcastMessage {
            Objects.requireNonNull(text, "text");
            Wire.checkLine("broadcast_message", text);
        }

        public String name() {
            return "broadcast_message";
        }

        public byte[] data() {
            return Wire.text(text);
        }
    }

    /** {@code latency_ping <id>}. */
    record LatencyPing(String id) implements TorChatPacket {
        /** Checks the parts. */
        public LatencyPing {
            Wire.token("id", id);
            Wire.checkLine("latency_ping", id);
        }

        public String name() {
            return "latency_ping";
        }

        public byte[] data() {
            return Wire.words(id);
        }
    }

    /** {@code latency_pong <id>}. */
    record LatencyPong(String id) implements TorChatPacket {
        /** Checks the parts. */
        public LatencyPong {
            Wire.token("id", id);
            Wire.checkLine("latency_pong", id);
        }

        public String name() {
            return "latency_pong";
        }

        public byte[] data() {
            return Wire.words(id);
        }
    }

    /** {@code typing_start}, {@code typing_thinking} or {@code typing_stop}. */
    record TypingState(Kind kind) implements TorChatPacket {
        /** Checks the parts. */
        public TypingState {
            Objects.requireNonNull(kind, "kind");
        }

        public String name() {
            return kind.wire;
        }

        public byte[] data() {
            return null;
        }

        /** The three typing packets. */
        public enum Kind {
            /** {@code typing_start}. */
            START("typing_start"),
            /** {@code typing_thinking}. */
            THINKING("typing_thinking"),
            /** {@code typing_stop}. */
            STOP("typing_stop");

            final String wire;

            Kind(String wire) {
                this.wire = wire;
            }
        }
    }

    /** A packet with a well-formed name that this codec does not know. */
    record Unknown(String name, byte[] rawData) implements TorChatPacket {
        /** Checks the parts. */
        public Unknown {
            if (!TorChatPackets.isValidName(name)) {
                throw new IllegalArgumentException("bad packet name");
            }
            rawData = rawData == null ? new byte[0] : rawData.clone();
            Wire.checkLine(name, rawData);
        }

        @Override
        public byte[] rawData() {
            return rawData.clone();
        }

        public byte[] data() {
            return rawData.length == 0 ? null : rawData.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u
                    && name.equals(u.name)
                    && Arrays.equals(rawData, u.rawData);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 + Arrays.hashCode(rawData);
        }

        @Override
        public String toString() {
            return "Unknown[" + name + ", " + rawData.length + " bytes]";
        }
    }
}
