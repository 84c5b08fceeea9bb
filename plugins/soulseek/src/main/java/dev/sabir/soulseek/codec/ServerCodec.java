package dev.sabir.soulseek.codec;

import dev.sabir.soulseek.codec.ServerMessage.*;
import io.netty.buffer.ByteBuf;

/**
 * Decodes server-message payloads by code, for either direction. Unknown codes become {@link
 * Unknown}; trailing bytes a message does not define are ignored (newer clients append fields).
 */
public final class ServerCodec {
    private ServerCodec() {}

    /** Writes a whole frame: length, code, payload. */
    public static void writeFrame(ServerMessage m, ByteBuf out) {
        int start = out.writerIndex();
        out.writeIntLE(0);
        out.writeIntLE(m.code());
        m.encode(new SlskWriter(out));
        out.setIntLE(start, out.writerIndex() - start - 4);
    }

    /** Decodes a message a client sent (what a server reads). */
    public static ToServer decodeToServer(int code, SlskReader r) {
        return switch (code) {
            case 1 ->
                    new Login(r.string(), r.string(), r.u32(), r.string(), r.has(4) ? r.u32() : 0);
            case 2 -> {
                int port = r.u32();
                yield r.has(8)
                        ? new SetListenPort(port, true, r.u32(), r.u32())
                        : new SetListenPort(port, false, 0, 0);
            }
            case 3 -> new GetPeerAddress(r.string());
            case 5 -> new AddUser(r.string());
            case 7 -> new GetUserStatus(r.string());
            case 13 -> new SayChatroom(r.string(), r.string());
            case 14 -> new JoinRoom(r.string(), r.has(4) ? r.u32() & 1 : -1);
            case 15 -> new LeaveRoom(r.string());
            case 18 -> new ConnectToPeer(r.u32(), r.string(), r.string());
            case 22 -> new MessageUser(r.string(), r.string());
            case 23 -> new MessageAcked(r.u32());
            case 26 -> new FileSearch(r.u32(), r.string());
            case 28 -> new SetStatus(r.u32());
            case 32 -> new Ping();
            case 35 -> new SharedFoldersFiles(r.u32(), r.u32());
            case 36 -> new GetUserStats(r.string());
            case 42 -> new UserSearch(r.string(), r.u32(), r.string());
            case 71 -> new HaveNoParent(r.bool());
            case 73 -> new ParentIp(r.u32());
            case 91 -> new AddPrivilegedUser(r.string());
            case 92 -> new CheckPrivileges();
            case 100 -> new AcceptChildren(r.bool());
            case 103 -> new WishlistSearch(r.u32(), r.string());
            case 110 -> new GetSimilarUsers();
            case 111 -> new GetItemRecommendations(r.string());
            case 116 -> new RoomTickerSet(r.string(), r.string());
            case 120 ->
                    r.remaining() == 4
                            ? new SendUploadSpeed(r.u32())
                            : new RoomSearch(r.string(), r.u32(), r.string());
            case 121 -> new SendUploadSpeed(r.u32());
            case 122 -> new GetUserPrivileges(r.has(4) ? r.string() : null);
            case 123 -> new GiveUserPrivileges(r.string(), r.u32());
            case 124 -> new PrivilegesNotification(r.u32(), r.string());
            case 125 -> new PrivilegesNotificationAck(r.u32());
            case 126 -> new BranchLevel(r.u32());
            case 127 -> new BranchRoot(r.string());
            case 129 -> new ChildDepth(r.u32());
            case 134 -> new PrivateRoomAddUser(r.string(), r.string());
            case 135 -> new PrivateRoomRemoveUser(r.string(), r.string());
            case 136 -> new PrivateRoomDropMembership(r.string());
            case 137 -> new PrivateRoomDropOwnership(r.string());
            case 141 -> new TogglePrivateRooms(r.bool());
            case 142 -> new NewPassword(r.string());
            case 143 -> new PrivateRoomAddOperator(r.string(), r.string());
            case 144 -> new PrivateRoomRemoveOperator(r.string(), r.string());
            case 149 -> new MessageUsers(r.strings(), r.string());
            case 150 -> new ChatEnablePublic();
            case 151 -> new ChatDisablePublic();
            case 153 -> new FileSearchEx(r.string());
            case 1001 -> new CannotConnect(r.u32(), r.has(4) ? r.string() : null);
            default -> new Unknown(code, r.rest());
        };
    }

    /** Decodes a message the server sent (what a client reads). */
    public static FromServer decodeFromServer(int code, SlskReader r) {
        return switch (code) {
            case 1 -> {
                boolean ok = r.bool();
                if (!ok) {
                    yield LoginReply.failure(r.string());
                }
                String greet = r.string();
                int ip = r.u32();
                String hash = r.has(4) ? r.string() : "";
                int priv = r.has(1) ? r.u8() : -1;
                yield new LoginReply(true, greet, ip, hash, priv, null);
            }
            case 3 -> {
                String user = r.string();
                int ip = r.u32();
                int port = r.u32();
                int type = r.has(4) ? r.u32() : 0;
                int obf = r.has(4) ? r.u32() : r.has(2) ? r.u16() : 0;
                yield new PeerAddress(user, ip, port, type, obf);
            }
            case 5 -> {
                String user = r.string();
                boolean exists = r.bool();
                if (!exists) {
                    yield new AddUserReply(user, false, 0, Stats.NONE, null);
                }
                int status = r.u32();
                Stats stats = Stats.decode(r);
                yield new AddUserReply(user, true, status, stats, r.has(4) ? r.string() : null);
            }
            case 7 -> new UserStatus(r.string(), r.u32(), r.has(1) && r.bool());
            case 13 -> new ChatRoomMessage(r.string(), r.string(), r.string());
            case 14 -> decodeJoinRoom(r);
            case 15 -> new LeaveRoomReply(r.string());
            case 16 ->
                    new UserJoinedRoom(
                            r.string(),
                            r.string(),
                            r.u32(),
                            Stats.decode(r),
                            r.u32(),
                            r.has(4) ? r.string() : "");
            case 17 -> new UserLeftRoom(r.string(), r.string());
            case 18 -> {
                String user = r.string();
                String type = r.string();
                int ip = r.u32();
                int port = r.u32();
                int ticket = r.u32();
                int priv = r.has(1) ? r.u8() : 0;
                yield r.has(8)
                        ? new ConnectToPeerRequest(
                                user, type, ip, port, ticket, priv, true, r.u32(), r.u32())
                        : new ConnectToPeerRequest(user, type, ip, port, ticket, priv, false, 0, 0);
            }
            case 22 ->
                    new PrivateMessage(
                            r.u32(), r.u32(), r.string(), r.string(), r.has(1) ? r.u8() : -1);
            case 26 -> new FileSearchRequest(r.string(), r.u32(), r.string());
            case 36 -> new UserStats(r.string(), Stats.decode(r));
            case 41 -> new Kicked();
            case 64 ->
                    new RoomList(
                            r.strings(),
                            r.list(4, SlskReader::u32),
                            r.strings(),
                            r.list(4, SlskReader::u32),
                            r.strings(),
                            r.list(4, SlskReader::u32),
                            r.has(4) ? r.strings() : java.util.List.of());
            case 66 -> new AdminMessage(r.string());
            case 83 -> new ParentMinSpeed(r.u32());
            case 84 -> new ParentSpeedRatio(r.u32());
            case 86 -> new ParentInactivityTimeout(r.u32());
            case 87 -> new SearchInactivityTimeout(r.u32());
            case 88 -> new MinParentsInCache(r.u32());
            case 90 -> new DistributedAliveInterval(r.u32());
            case 92 -> new PrivilegesLeft(r.u32());
            case 93 -> new ServerSearchRequest(r.u8(), r.u32(), r.string(), r.u32(), r.string());
            case 102 ->
                    new PotentialParents(r.list(12, x -> new Parent(x.string(), x.u32(), x.u32())));
            case 104 -> new WishlistInterval(r.u32());
            case 110 -> new SimilarUsers(r.list(8, x -> new UserAndStatus(x.string(), x.u32())));
            case 111 ->
                    new ItemRecommendations(
                            r.list(8, x -> new Recommendation(x.string(), x.u32())));
            case 113 ->
                    new RoomTickers(r.string(), r.list(8, x -> new Ticker(x.string(), x.string())));
            case 114 -> new RoomTickerAdded(r.string(), r.string(), r.string());
            case 115 -> new RoomTickerRemoved(r.string(), r.string());
            case 116 -> new RoomTickerSet(r.string(), r.string());
            case 122 -> new UserPrivileges(r.string(), r.bool());
            case 133 -> new PrivateRoomUsers(r.string(), r.strings());
            case 134 -> new PrivateRoomAddUser(r.string(), r.string());
            case 135 -> new PrivateRoomRemoveUser(r.string(), r.string());
            case 139 -> new PrivateRoomAdded(r.string());
            case 140 -> new PrivateRoomRemoved(r.string());
            case 141 -> new TogglePrivateRooms(r.bool());
            case 143 -> new PrivateRoomAddOperator(r.string(), r.string());
            case 144 -> new PrivateRoomRemoveOperator(r.string(), r.string());
            case 145 -> new PrivateRoomOperatorAdded(r.string());
            case 146 -> new PrivateRoomOperatorRemoved(r.string());
            case 148 -> new PrivateRoomOperators(r.string(), r.strings());
            case 152 -> new PublicChatMessage(r.string(), r.string(), r.string());
            case 153 -> new FileSearchExReply(r.string(), r.u32());
            case 1001 -> new CannotConnect(r.u32(), r.has(4) ? r.string() : null);
            default -> new Unknown(code, r.rest());
        };
    }

    private static JoinRoomReply decodeJoinRoom(SlskReader r) {
        String room = r.string();
        var names = r.strings();
        var statuses = r.list(4, SlskReader::u32);
        var stats = r.list(20, Stats::decode);
        var slots = r.list(4, SlskReader::u32);
        var countries = r.has(4) ? r.strings() : java.util.List.<String>of();
        int n = names.size();
        if (statuses.size() != n
                || stats.size() != n
                || slots.size() != n
                || (!countries.isEmpty() && countries.size() != n)) {
            throw new SoulseekCodecException(
                    SoulseekCodecException.Kind.BAD_VALUE, "JoinRoom arrays differ in length");
        }
        var members = new java.util.ArrayList<RoomMember>(n);
        for (int i = 0; i < n; i++) {
            members.add(
                    new RoomMember(
                            names.get(i),
                            statuses.get(i),
                            stats.get(i),
                            slots.get(i),
                            countries.isEmpty() ? "" : countries.get(i)));
        }
        String owner = null;
        java.util.List<String> ops = java.util.List.of();
        if (r.has(4)) {
            owner = r.string();
            ops = r.has(4) ? r.strings() : java.util.List.of();
        }
        return new JoinRoomReply(room, members, owner, ops);
    }
}
