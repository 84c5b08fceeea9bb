package dev.sabir.soulseek.codec;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Messages on a client-to-server connection (spec section "Server Messages"). {@link ToServer}
 * messages are sent by clients, {@link FromServer} messages by the server; a message whose payload
 * is the same both ways implements both. Integers are uint32 bit patterns unless a field says
 * otherwise.
 */
public sealed interface ServerMessage {

    /** The message code. */
    int code();

    /** Writes the payload (without length and code). */
    void encode(SlskWriter w);

    /** A message a client sends to the server. */
    sealed interface ToServer extends ServerMessage {}

    /** A message the server sends to a client. */
    sealed interface FromServer extends ServerMessage {}

    // ---------------------------------------------------------------- data structures

    /**
     * Transfer statistics of a user.
     *
     * @param avgSpeed average upload speed
     * @param downloads download (upload) count, uint64
     * @param files shared files
     * @param dirs shared directories
     */
    record Stats(int avgSpeed, long downloads, int files, int dirs) {
        /** All zero. */
        public static final Stats NONE = new Stats(0, 0, 0, 0);

        void encode(SlskWriter w) {
            w.u32(avgSpeed).u64(downloads).u32(files).u32(dirs);
        }

        static Stats decode(SlskReader r) {
            return new Stats(r.u32(), r.u64(), r.u32(), r.u32());
        }
    }

    /**
     * One member in a JoinRoom reply.
     *
     * @param user the name
     * @param status 0 offline, 1 away, 2 online
     * @param stats transfer statistics
     * @param slotsFree free upload slots
     * @param country country code (may be empty)
     */
    record RoomMember(String user, int status, Stats stats, int slotsFree, String country) {
        /** Checks the parts. */
        public RoomMember {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(stats, "stats");
            country = country == null ? "" : country;
        }
    }

    /** A user and a ticker text. */
    record Ticker(String user, String text) {}

    /** A user and a status. */
    record UserAndStatus(String user, int status) {}

    /** A recommendation and its score. */
    record Recommendation(String item, int score) {}

    /** A possible distributed parent. */
    record Parent(String user, int ip, int port) {}

    // ---------------------------------------------------------------- both directions

    /** Code 134: add a member to a private room (request), or a member was added (notice). */
    record PrivateRoomAddUser(String room, String user) implements ToServer, FromServer {
        public int code() {
            return 134;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user);
        }
    }

    /** Code 135: remove a member from a private room, or a member was removed. */
    record PrivateRoomRemoveUser(String room, String user) implements ToServer, FromServer {
        public int code() {
            return 135;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user);
        }
    }

    /** Code 141: whether others may add us to private rooms; the reply confirms. */
    record TogglePrivateRooms(boolean enable) implements ToServer, FromServer {
        public int code() {
            return 141;
        }

        public void encode(SlskWriter w) {
            w.bool(enable);
        }
    }

    /** Code 143: make a member an operator, or a member became operator. */
    record PrivateRoomAddOperator(String room, String user) implements ToServer, FromServer {
        public int code() {
            return 143;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user);
        }
    }

    /** Code 144: remove an operator, or an operator was removed. */
    record PrivateRoomRemoveOperator(String room, String user) implements ToServer, FromServer {
        public int code() {
            return 144;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user);
        }
    }

    /**
     * Code 116: set our ticker in a room (the spec lists it as received; clients send it to set a
     * ticker, so it is accepted both ways).
     */
    record RoomTickerSet(String room, String ticker) implements ToServer, FromServer {
        public int code() {
            return 116;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(ticker);
        }
    }

    /**
     * Code 1001: a peer could not be reached. The user is optional when the server sends it.
     *
     * @param ticket the connection ticket
     * @param user the user, or null when absent
     */
    record CannotConnect(int ticket, String user) implements ToServer, FromServer {
        public int code() {
            return 1001;
        }

        public void encode(SlskWriter w) {
            w.u32(ticket);
            if (user != null) {
                w.string(user);
            }
        }
    }

    /** A message with a code this codec does not know; its payload is kept as is. */
    record Unknown(int code, byte[] payload) implements ToServer, FromServer {
        /** Copies the payload. */
        public Unknown {
            payload = payload.clone();
        }

        public void encode(SlskWriter w) {
            w.raw(payload);
        }

        @Override
        public byte[] payload() {
            return payload.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Unknown u && u.code == code && Arrays.equals(u.payload, payload);
        }

        @Override
        public int hashCode() {
            return code * 31 + Arrays.hashCode(payload);
        }

        @Override
        public String toString() {
            return "Unknown[code=" + code + ", payload=" + payload.length + " bytes]";
        }
    }

    // ---------------------------------------------------------------- client to server

    /** Code 1: log in (registers the name on first use). */
    record Login(String user, String password, int version, String hash, int minorVersion)
            implements ToServer {
        public int code() {
            return 1;
        }

        public void encode(SlskWriter w) {
            w.string(user).string(password).u32(version).string(hash).u32(minorVersion);
        }

        @Override
        public String toString() {
            return "Login[user=" + user + ", version=" + version + ", minor=" + minorVersion + "]";
        }
    }

    /**
     * Code 2: our listening port; the obfuscated port pair is optional.
     *
     * @param port the port
     * @param obfuscated true when the optional pair is present
     * @param hasObfuscated the first optional value
     * @param obfuscatedPort the second optional value
     */
    record SetListenPort(int port, boolean obfuscated, int hasObfuscated, int obfuscatedPort)
            implements ToServer {
        public int code() {
            return 2;
        }

        public void encode(SlskWriter w) {
            w.u32(port);
            if (obfuscated) {
                w.u32(hasObfuscated).u32(obfuscatedPort);
            }
        }
    }

    /** Code 3: ask for a peer's address. */
    record GetPeerAddress(String user) implements ToServer {
        public int code() {
            return 3;
        }

        public void encode(SlskWriter w) {
            w.string(user);
        }
    }

    /** Code 5: watch a user. */
    record AddUser(String user) implements ToServer {
        public int code() {
            return 5;
        }

        public void encode(SlskWriter w) {
            w.string(user);
        }
    }

    /** Code 7: ask for a user's status. */
    record GetUserStatus(String user) implements ToServer {
        public int code() {
            return 7;
        }

        public void encode(SlskWriter w) {
            w.string(user);
        }
    }

    /** Code 13: say something in a room. */
    record SayChatroom(String room, String message) implements ToServer {
        public int code() {
            return 13;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(message);
        }
    }

    /**
     * Code 14: join (and create) a room; the private flag is optional.
     *
     * @param room the room
     * @param privateFlag 1 to create a private room, 0 public, -1 when absent
     */
    record JoinRoom(String room, int privateFlag) implements ToServer {
        public int code() {
            return 14;
        }

        public void encode(SlskWriter w) {
            w.string(room);
            if (privateFlag >= 0) {
                w.u32(privateFlag);
            }
        }
    }

    /** Code 15: leave a room. */
    record LeaveRoom(String room) implements ToServer {
        public int code() {
            return 15;
        }

        public void encode(SlskWriter w) {
            w.string(room);
        }
    }

    /** Code 18: ask the server to have a peer connect to us. */
    record ConnectToPeer(int ticket, String user, String type) implements ToServer {
        public int code() {
            return 18;
        }

        public void encode(SlskWriter w) {
            w.u32(ticket).string(user).string(type);
        }
    }

    /** Code 22: send a private message. */
    record MessageUser(String user, String message) implements ToServer {
        public int code() {
            return 22;
        }

        public void encode(SlskWriter w) {
            w.string(user).string(message);
        }
    }

    /** Code 23: acknowledge a private message. */
    record MessageAcked(int id) implements ToServer {
        public int code() {
            return 23;
        }

        public void encode(SlskWriter w) {
            w.u32(id);
        }
    }

    /** Code 26: a file search. */
    record FileSearch(int ticket, String query) implements ToServer {
        public int code() {
            return 26;
        }

        public void encode(SlskWriter w) {
            w.u32(ticket).string(query);
        }
    }

    /** Code 28: our status (1 away, 2 online). */
    record SetStatus(int status) implements ToServer {
        public int code() {
            return 28;
        }

        public void encode(SlskWriter w) {
            w.u32(status);
        }
    }

    /** Code 32: keepalive. */
    record Ping() implements ToServer {
        public int code() {
            return 32;
        }

        public void encode(SlskWriter w) {}
    }

    /** Code 35: what we share. */
    record SharedFoldersFiles(int dirs, int files) implements ToServer {
        public int code() {
            return 35;
        }

        public void encode(SlskWriter w) {
            w.u32(dirs).u32(files);
        }
    }

    /** Code 36: ask for a user's statistics. */
    record GetUserStats(String user) implements ToServer {
        public int code() {
            return 36;
        }

        public void encode(SlskWriter w) {
            w.string(user);
        }
    }

    /** Code 42: search one user's files. */
    record UserSearch(String user, int ticket, String query) implements ToServer {
        public int code() {
            return 42;
        }

        public void encode(SlskWriter w) {
            w.string(user).u32(ticket).string(query);
        }
    }

    /** Code 71: whether we lack a distributed parent. */
    record HaveNoParent(boolean noParent) implements ToServer {
        public int code() {
            return 71;
        }

        public void encode(SlskWriter w) {
            w.bool(noParent);
        }
    }

    /** Code 73: our parent's address. */
    record ParentIp(int ip) implements ToServer {
        public int code() {
            return 73;
        }

        public void encode(SlskWriter w) {
            w.u32(ip);
        }
    }

    /** Code 91: add a privileged user. */
    record AddPrivilegedUser(String user) implements ToServer {
        public int code() {
            return 91;
        }

        public void encode(SlskWriter w) {
            w.string(user);
        }
    }

    /** Code 92: ask how long our privileges last. */
    record CheckPrivileges() implements ToServer {
        public int code() {
            return 92;
        }

        public void encode(SlskWriter w) {}
    }

    /** Code 100: whether we accept distributed children. */
    record AcceptChildren(boolean accept) implements ToServer {
        public int code() {
            return 100;
        }

        public void encode(SlskWriter w) {
            w.bool(accept);
        }
    }

    /** Code 103: a wishlist search (the spec's first field is the ticket). */
    record WishlistSearch(int ticket, String query) implements ToServer {
        public int code() {
            return 103;
        }

        public void encode(SlskWriter w) {
            w.u32(ticket).string(query);
        }
    }

    /** Code 110: ask for similar users. */
    record GetSimilarUsers() implements ToServer {
        public int code() {
            return 110;
        }

        public void encode(SlskWriter w) {}
    }

    /** Code 111: ask for recommendations about an item. */
    record GetItemRecommendations(String item) implements ToServer {
        public int code() {
            return 111;
        }

        public void encode(SlskWriter w) {
            w.string(item);
        }
    }

    /** Code 120: search the users of a room. */
    record RoomSearch(String room, int ticket, String query) implements ToServer {
        public int code() {
            return 120;
        }

        public void encode(SlskWriter w) {
            w.string(room).u32(ticket).string(query);
        }
    }

    /**
     * Code 121: our upload speed after an upload. The spec lists it under code 120 (a copy-paste
     * slip); deployed clients use 121, and a 4-byte payload under 120 is read as this too.
     */
    record SendUploadSpeed(int speed) implements ToServer {
        public int code() {
            return 121;
        }

        public void encode(SlskWriter w) {
            w.u32(speed);
        }
    }

    /**
     * Code 122: ask whether a user is privileged. The spec sends nothing; deployed clients send the
     * name, so it is optional.
     *
     * @param user the user, or null when absent
     */
    record GetUserPrivileges(String user) implements ToServer {
        public int code() {
            return 122;
        }

        public void encode(SlskWriter w) {
            if (user != null) {
                w.string(user);
            }
        }
    }

    /** Code 123: give days of privileges to a user. */
    record GiveUserPrivileges(String user, int days) implements ToServer {
        public int code() {
            return 123;
        }

        public void encode(SlskWriter w) {
            w.string(user).u32(days);
        }
    }

    /** Code 124: a privileges notification. */
    record PrivilegesNotification(int id, String user) implements ToServer {
        public int code() {
            return 124;
        }

        public void encode(SlskWriter w) {
            w.u32(id).string(user);
        }
    }

    /** Code 125: acknowledge a privileges notification. */
    record PrivilegesNotificationAck(int id) implements ToServer {
        public int code() {
            return 125;
        }

        public void encode(SlskWriter w) {
            w.u32(id);
        }
    }

    /** Code 126: our branch level. */
    record BranchLevel(int level) implements ToServer {
        public int code() {
            return 126;
        }

        public void encode(SlskWriter w) {
            w.u32(level);
        }
    }

    /** Code 127: our branch root. */
    record BranchRoot(String user) implements ToServer {
        public int code() {
            return 127;
        }

        public void encode(SlskWriter w) {
            w.string(user);
        }
    }

    /** Code 129: our child depth. */
    record ChildDepth(int depth) implements ToServer {
        public int code() {
            return 129;
        }

        public void encode(SlskWriter w) {
            w.u32(depth);
        }
    }

    /** Code 136: leave a private room's membership. */
    record PrivateRoomDropMembership(String room) implements ToServer {
        public int code() {
            return 136;
        }

        public void encode(SlskWriter w) {
            w.string(room);
        }
    }

    /** Code 137: give up (and delete) a private room we own. */
    record PrivateRoomDropOwnership(String room) implements ToServer {
        public int code() {
            return 137;
        }

        public void encode(SlskWriter w) {
            w.string(room);
        }
    }

    /** Code 142: change our password. */
    record NewPassword(String password) implements ToServer {
        public int code() {
            return 142;
        }

        public void encode(SlskWriter w) {
            w.string(password);
        }

        @Override
        public String toString() {
            return "NewPassword[***]";
        }
    }

    /** Code 149: one message to several users. */
    record MessageUsers(List<String> users, String message) implements ToServer {
        /** Copies the list. */
        public MessageUsers {
            users = List.copyOf(users);
        }

        public int code() {
            return 149;
        }

        public void encode(SlskWriter w) {
            w.strings(users).string(message);
        }
    }

    /** Code 150: receive the public chat feed. */
    record ChatEnablePublic() implements ToServer {
        public int code() {
            return 150;
        }

        public void encode(SlskWriter w) {}
    }

    /** Code 151: stop the public chat feed. */
    record ChatDisablePublic() implements ToServer {
        public int code() {
            return 151;
        }

        public void encode(SlskWriter w) {}
    }

    /** Code 153: an extended file search. */
    record FileSearchEx(String query) implements ToServer {
        public int code() {
            return 153;
        }

        public void encode(SlskWriter w) {
            w.string(query);
        }
    }

    // ---------------------------------------------------------------- server to client

    /**
     * Code 1: the login result.
     *
     * @param ok true on success
     * @param greeting the greeting (success)
     * @param ip our address as the server sees it (success)
     * @param passwordHash md5 hex of the password (success)
     * @param privileged the optional trailing flag, or -1 when absent
     * @param reason why it failed (failure)
     */
    record LoginReply(
            boolean ok, String greeting, int ip, String passwordHash, int privileged, String reason)
            implements FromServer {
        /** A successful login. */
        public static LoginReply success(String greeting, int ip, String passwordHash) {
            return new LoginReply(true, greeting, ip, passwordHash, 0, null);
        }

        /** A refused login. */
        public static LoginReply failure(String reason) {
            return new LoginReply(false, null, 0, null, -1, reason);
        }

        public int code() {
            return 1;
        }

        public void encode(SlskWriter w) {
            w.bool(ok);
            if (ok) {
                w.string(greeting).u32(ip).string(passwordHash);
                if (privileged >= 0) {
                    w.u8(privileged);
                }
            } else {
                w.string(reason);
            }
        }
    }

    /**
     * Code 3: a peer's address. The trailing obfuscation fields are always sent (uint32 type,
     * uint16 port, as deployed servers do) and optional when read.
     */
    record PeerAddress(String user, int ip, int port, int obfuscationType, int obfuscatedPort)
            implements FromServer {
        public int code() {
            return 3;
        }

        public void encode(SlskWriter w) {
            w.string(user).u32(ip).u32(port).u32(obfuscationType).u16(obfuscatedPort);
        }
    }

    /**
     * Code 5: whether a watched user exists, with status and statistics.
     *
     * @param country the optional country code, or null
     */
    record AddUserReply(String user, boolean exists, int status, Stats stats, String country)
            implements FromServer {
        public int code() {
            return 5;
        }

        public void encode(SlskWriter w) {
            w.string(user).bool(exists);
            if (exists) {
                w.u32(status);
                stats.encode(w);
                if (country != null) {
                    w.string(country);
                }
            }
        }
    }

    /** Code 7: a user's status (0 offline, 1 away, 2 online). */
    record UserStatus(String user, int status, boolean privileged) implements FromServer {
        public int code() {
            return 7;
        }

        public void encode(SlskWriter w) {
            w.string(user).u32(status).bool(privileged);
        }
    }

    /** Code 13: a message said in a room (sent to every member, the sender included). */
    record ChatRoomMessage(String room, String user, String message) implements FromServer {
        public int code() {
            return 13;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user).string(message);
        }
    }

    /**
     * Code 14: we joined a room; its members, and for private rooms the owner and operators.
     *
     * @param owner the owner, or null when the optional part is absent
     */
    record JoinRoomReply(
            String room, List<RoomMember> members, String owner, List<String> operators)
            implements FromServer {
        /** Copies the lists. */
        public JoinRoomReply {
            members = List.copyOf(members);
            operators = operators == null ? List.of() : List.copyOf(operators);
        }

        public int code() {
            return 14;
        }

        public void encode(SlskWriter w) {
            w.string(room);
            w.list(members, (x, m) -> x.string(m.user()));
            w.list(members, (x, m) -> x.u32(m.status()));
            w.list(members, (x, m) -> m.stats().encode(x));
            w.list(members, (x, m) -> x.u32(m.slotsFree()));
            w.list(members, (x, m) -> x.string(m.country()));
            if (owner != null) {
                w.string(owner).strings(operators);
            }
        }
    }

    /** Code 15: we left a room. */
    record LeaveRoomReply(String room) implements FromServer {
        public int code() {
            return 15;
        }

        public void encode(SlskWriter w) {
            w.string(room);
        }
    }

    /** Code 16: someone joined a room. */
    record UserJoinedRoom(
            String room, String user, int status, Stats stats, int slotsFree, String country)
            implements FromServer {
        public int code() {
            return 16;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user).u32(status);
            stats.encode(w);
            w.u32(slotsFree).string(country);
        }
    }

    /** Code 17: someone left a room. */
    record UserLeftRoom(String room, String user) implements FromServer {
        public int code() {
            return 17;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user);
        }
    }

    /**
     * Code 18: a peer asks us to connect to it.
     *
     * @param privileged uint8
     * @param obfuscated true when the optional obfuscation pair is present
     */
    record ConnectToPeerRequest(
            String user,
            String type,
            int ip,
            int port,
            int ticket,
            int privileged,
            boolean obfuscated,
            int obfuscationType,
            int obfuscatedPort)
            implements FromServer {
        public int code() {
            return 18;
        }

        public void encode(SlskWriter w) {
            w.string(user).string(type).u32(ip).u32(port).u32(ticket).u8(privileged);
            if (obfuscated) {
                w.u32(obfuscationType).u32(obfuscatedPort);
            }
        }
    }

    /**
     * Code 22: a private message to us; acknowledge with {@link MessageAcked}.
     *
     * @param flag the optional trailing bool (is_admin / new), or -1 when absent
     */
    record PrivateMessage(int id, int timestamp, String user, String message, int flag)
            implements FromServer {
        public int code() {
            return 22;
        }

        public void encode(SlskWriter w) {
            w.u32(id).u32(timestamp).string(user).string(message);
            if (flag >= 0) {
                w.u8(flag);
            }
        }
    }

    /** Code 26: someone searches. */
    record FileSearchRequest(String user, int ticket, String query) implements FromServer {
        public int code() {
            return 26;
        }

        public void encode(SlskWriter w) {
            w.string(user).u32(ticket).string(query);
        }
    }

    /** Code 36: a user's statistics. */
    record UserStats(String user, Stats stats) implements FromServer {
        public int code() {
            return 36;
        }

        public void encode(SlskWriter w) {
            w.string(user);
            stats.encode(w);
        }
    }

    /**
     * Code 41: we were kicked, usually because the same name logged in elsewhere. (The spec's
     * heading says 41 and its body 42; 42 is UserSearch.)
     */
    record Kicked() implements FromServer {
        public int code() {
            return 41;
        }

        public void encode(SlskWriter w) {}
    }

    /**
     * Code 66: a message from the server's administrators; servers report errors this way (not in
     * the spec, deployed servers send it).
     */
    record AdminMessage(String message) implements FromServer {
        public int code() {
            return 66;
        }

        public void encode(SlskWriter w) {
            w.string(message);
        }
    }

    /**
     * Code 64: the room list (not in the spec; deployed servers send it after login). Public rooms,
     * owned private rooms, other private rooms (each with user counts), operated private rooms.
     */
    record RoomList(
            List<String> rooms,
            List<Integer> counts,
            List<String> owned,
            List<Integer> ownedCounts,
            List<String> privateRooms,
            List<Integer> privateCounts,
            List<String> operated)
            implements FromServer {
        /** Copies the lists. */
        public RoomList {
            rooms = List.copyOf(rooms);
            counts = List.copyOf(counts);
            owned = List.copyOf(owned);
            ownedCounts = List.copyOf(ownedCounts);
            privateRooms = List.copyOf(privateRooms);
            privateCounts = List.copyOf(privateCounts);
            operated = List.copyOf(operated);
        }

        public int code() {
            return 64;
        }

        public void encode(SlskWriter w) {
            w.strings(rooms).list(counts, SlskWriter::u32);
            w.strings(owned).list(ownedCounts, SlskWriter::u32);
            w.strings(privateRooms).list(privateCounts, SlskWriter::u32);
            w.strings(operated);
        }
    }

    /** Code 83. */
    record ParentMinSpeed(int speed) implements FromServer {
        public int code() {
            return 83;
        }

        public void encode(SlskWriter w) {
            w.u32(speed);
        }
    }

    /** Code 84. */
    record ParentSpeedRatio(int ratio) implements FromServer {
        public int code() {
            return 84;
        }

        public void encode(SlskWriter w) {
            w.u32(ratio);
        }
    }

    /** Code 86: timeout of the distributed parent. */
    record ParentInactivityTimeout(int timeout) implements FromServer {
        public int code() {
            return 86;
        }

        public void encode(SlskWriter w) {
            w.u32(timeout);
        }
    }

    /** Code 87. */
    record SearchInactivityTimeout(int timeout) implements FromServer {
        public int code() {
            return 87;
        }

        public void encode(SlskWriter w) {
            w.u32(timeout);
        }
    }

    /** Code 88. */
    record MinParentsInCache(int amount) implements FromServer {
        public int code() {
            return 88;
        }

        public void encode(SlskWriter w) {
            w.u32(amount);
        }
    }

    /** Code 90. */
    record DistributedAliveInterval(int interval) implements FromServer {
        public int code() {
            return 90;
        }

        public void encode(SlskWriter w) {
            w.u32(interval);
        }
    }

    /** Code 92: seconds of privileges left. */
    record PrivilegesLeft(int timeLeft) implements FromServer {
        public int code() {
            return 92;
        }

        public void encode(SlskWriter w) {
            w.u32(timeLeft);
        }
    }

    /** Code 93: a search request embedded for the distributed network. */
    record ServerSearchRequest(
            int distributedCode, int unknown, String user, int ticket, String query)
            implements FromServer {
        public int code() {
            return 93;
        }

        public void encode(SlskWriter w) {
            w.u8(distributedCode).u32(unknown).string(user).u32(ticket).string(query);
        }
    }

    /** Code 102: possible distributed parents. */
    record PotentialParents(List<Parent> parents) implements FromServer {
        /** Copies the list. */
        public PotentialParents {
            parents = List.copyOf(parents);
        }

        public int code() {
            return 102;
        }

        public void encode(SlskWriter w) {
            w.list(parents, (x, p) -> x.string(p.user()).u32(p.ip()).u32(p.port()));
        }
    }

    /** Code 104: how often to run wishlist searches. */
    record WishlistInterval(int interval) implements FromServer {
        public int code() {
            return 104;
        }

        public void encode(SlskWriter w) {
            w.u32(interval);
        }
    }

    /** Code 110: similar users. */
    record SimilarUsers(List<UserAndStatus> users) implements FromServer {
        /** Copies the list. */
        public SimilarUsers {
            users = List.copyOf(users);
        }

        public int code() {
            return 110;
        }

        public void encode(SlskWriter w) {
            w.list(users, (x, u) -> x.string(u.user()).u32(u.status()));
        }
    }

    /** Code 111: recommendations for an item. */
    record ItemRecommendations(List<Recommendation> recommendations) implements FromServer {
        /** Copies the list. */
        public ItemRecommendations {
            recommendations = List.copyOf(recommendations);
        }

        public int code() {
            return 111;
        }

        public void encode(SlskWriter w) {
            w.list(recommendations, (x, r) -> x.string(r.item()).u32(r.score()));
        }
    }

    /** Code 113: all tickers of a room (the room wall). */
    record RoomTickers(String room, List<Ticker> tickers) implements FromServer {
        /** Copies the list. */
        public RoomTickers {
            tickers = List.copyOf(tickers);
        }

        public int code() {
            return 113;
        }

        public void encode(SlskWriter w) {
            w.string(room).list(tickers, (x, t) -> x.string(t.user()).string(t.text()));
        }
    }

    /** Code 114: a ticker was added. */
    record RoomTickerAdded(String room, String user, String ticker) implements FromServer {
        public int code() {
            return 114;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user).string(ticker);
        }
    }

    /** Code 115: a ticker was removed. */
    record RoomTickerRemoved(String room, String user) implements FromServer {
        public int code() {
            return 115;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user);
        }
    }

    /** Code 122: whether a user is privileged. */
    record UserPrivileges(String user, boolean privileged) implements FromServer {
        public int code() {
            return 122;
        }

        public void encode(SlskWriter w) {
            w.string(user).bool(privileged);
        }
    }

    /** Code 133: the members of a private room. */
    record PrivateRoomUsers(String room, List<String> users) implements FromServer {
        /** Copies the list. */
        public PrivateRoomUsers {
            users = List.copyOf(users);
        }

        public int code() {
            return 133;
        }

        public void encode(SlskWriter w) {
            w.string(room).strings(users);
        }
    }

    /** Code 139: we were added to a private room. */
    record PrivateRoomAdded(String room) implements FromServer {
        public int code() {
            return 139;
        }

        public void encode(SlskWriter w) {
            w.string(room);
        }
    }

    /** Code 140: we were removed from a private room. */
    record PrivateRoomRemoved(String room) implements FromServer {
        public int code() {
            return 140;
        }

        public void encode(SlskWriter w) {
            w.string(room);
        }
    }

    /** Code 145: we became an operator of a private room. */
    record PrivateRoomOperatorAdded(String room) implements FromServer {
        public int code() {
            return 145;
        }

        public void encode(SlskWriter w) {
            w.string(room);
        }
    }

    /** Code 146: we are no longer an operator of a private room. */
    record PrivateRoomOperatorRemoved(String room) implements FromServer {
        public int code() {
            return 146;
        }

        public void encode(SlskWriter w) {
            w.string(room);
        }
    }

    /** Code 148: the operators of a private room. */
    record PrivateRoomOperators(String room, List<String> operators) implements FromServer {
        /** Copies the list. */
        public PrivateRoomOperators {
            operators = List.copyOf(operators);
        }

        public int code() {
            return 148;
        }

        public void encode(SlskWriter w) {
            w.string(room).strings(operators);
        }
    }

    /** Code 152: a message from the public chat feed. */
    record PublicChatMessage(String room, String user, String message) implements FromServer {
        public int code() {
            return 152;
        }

        public void encode(SlskWriter w) {
            w.string(room).string(user).string(message);
        }
    }

    /** Code 153: the reply to an extended search. */
    record FileSearchExReply(String query, int unknown) implements FromServer {
        public int code() {
            return 153;
        }

        public void encode(SlskWriter w) {
            w.string(query).u32(unknown);
        }
    }
}
