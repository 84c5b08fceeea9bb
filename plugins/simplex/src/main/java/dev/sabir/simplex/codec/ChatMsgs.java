package dev.sabir.simplex.codec;

import java.util.ArrayList;
import java.util.List;

/** Static factories for every message Sabir sends. */
public final class ChatMsgs {
    /**
     * Parameter used where the spec has a direct-message invitation: Sabir makes no direct
     * connection.
     */
    public static final String NO_DIRECT = "-";

    private ChatMsgs() {}

    private static ChatMsg plain(String id, String event, List<String> params) {
        return new ChatMsg(id, event, params, List.of(), List.of());
    }

    private static ChatMsg withBody(
            String id, String event, List<String> params, ContentPart part, BodyPart body) {
        return new ChatMsg(id, event, params, List.of(part), List.of(body));
    }

    private static ChatMsg json(String id, String event, List<String> params, String json) {
        BodyPart b = BodyPart.text(json);
        return withBody(id, event, params, ContentPart.json(b.length()), b);
    }

    /**
     * {@code x.grp.inv fromId,fromRole,toId,toRole,link x.json,x.json <group profile> <inviter
     * profile>}; the second part (the inviter's own profile) is Sabir's addition, since Sabir
     * invites out of band rather than over an existing contact connection.
     */
    public static ChatMsg groupInvitation(
            String fromId,
            String fromRole,
            String toId,
            String toRole,
            String link,
            String profile,
            String inviterProfile) {
        BodyPart g = BodyPart.text(profile);
        BodyPart i = BodyPart.text(inviterProfile);
        return new ChatMsg(
                null,
                "x.grp.inv",
                List.of(fromId, fromRole, toId, toRole, link),
                List.of(ContentPart.json(g.length()), ContentPart.json(i.length())),
                List.of(g, i));
    }

    /** {@code x.grp.acpt memberId x.json <profile>} (the profile body is Sabir's addition). */
    public static ChatMsg groupAccept(String memberId, String profile) {
        return json(null, "x.grp.acpt", List.of(memberId), profile);
    }

    /** {@code N x.grp.mem.new id,role,connectedIds... x.json <profile>}. */
    public static ChatMsg memberNew(
            long n, String id, String role, List<String> connected, String profile) {
        List<String> p = new ArrayList<>(List.of(id, role));
        p.addAll(connected);
        return json(Long.toString(n), "x.grp.mem.new", p, profile);
    }

    /** {@code x.grp.mem.intro id,role x.json <profile>}. */
    public static ChatMsg memberIntro(String id, String role, String profile) {
        return json(null, "x.grp.mem.intro", List.of(id, role), profile);
    }

    /** {@code x.grp.mem.inv id,grLink,dmLink,probe}. */
    public static ChatMsg memberInvitation(String id, String groupLink, String probe) {
        return plain(null, "x.grp.mem.inv", List.of(id, groupLink, NO_DIRECT, probe));
    }

    /** {@code x.grp.mem.fwd id,grLink,dmLink,probe}. */
    public static ChatMsg memberForward(
            String id, String groupLink, String directLink, String probe) {
        return plain(null, "x.grp.mem.fwd", List.of(id, groupLink, directLink, probe));
    }

    /**
     * {@code x.grp.mem.fwd id,grLink,dmLink,probe x.json <profile>}: the forwarded member's profile
     * rides along (as in SimpleX's own member info), so a member that was never told about the
     * invitee by an announcement still learns its name.
     */
    public static ChatMsg memberForward(
            String id, String groupLink, String directLink, String probe, String profile) {
        if (profile == null) {
            return memberForward(id, groupLink, directLink, probe);
        }
        return json(null, "x.grp.mem.fwd", List.of(id, groupLink, directLink, probe), profile);
    }

    /** {@code x.grp.mem.info id,role x.json <profile>}. */
    public static ChatMsg memberInfo(String id, String role, String profile) {
        return json(null, "x.grp.mem.info", List.of(id, role), profile);
    }

    /** {@code x.info.probe probe}. */
    public static ChatMsg probe(String probe) {
        return plain(null, "x.info.probe", List.of(probe));
    }

    /** {@code x.grp.mem.con id}. */
    public static ChatMsg memberConnected(String id) {
        return plain(null, "x.grp.mem.con", List.of(id));
    }

    /** {@code N x.grp.mem.con.all id}. */
    public static ChatMsg memberConnectedAll(long n, String id) {
        return plain(Long.toString(n), "x.grp.mem.con.all", List.of(id));
    }

    /** {@code N x.grp.leave} (Sabir's addition: the spec has no leave message). */
    public static ChatMsg leave(long n) {
        return plain(Long.toString(n), "x.grp.leave", List.of());
    }

    /** {@code N x.msg.new c.text x.text <text>}. */
    public static ChatMsg text(long n, String text) {
        BodyPart b = BodyPart.text(text);
        return withBody(
                Long.toString(n), "x.msg.new", List.of("c.text"), ContentPart.text(b.length()), b);
    }

    /** {@code N x.msg.update ref x.text <text>}. */
    public static ChatMsg update(long n, long ref, String text) {
        BodyPart b = BodyPart.text(text);
        return withBody(
                Long.toString(n),
                "x.msg.update",
                List.of(Long.toString(ref)),
                ContentPart.text(b.length()),
                b);
    }

    /** {@code N x.msg.delete ref}. */
    public static ChatMsg delete(long n, long ref) {
        return plain(Long.toString(n), "x.msg.delete", List.of(Long.toString(ref)));
    }

    /**
     * {@code N x.msg.new c.file,x.file:size:hash x.text <name>}: announces a file sent in chunks.
     */
    public static ChatMsg fileOffer(long n, String name, long size, String sha256Base64) {
        BodyPart b = BodyPart.text(name);
        String content = new ContentPart("x", "file", (int) size, sha256Base64).toString();
        return withBody(
                Long.toString(n),
                "x.msg.new",
                List.of("c.file", content),
                ContentPart.text(b.length()),
                b);
    }

    /** {@code x.msg.file ref,1.chunk x.file <bytes>}. */
    public static ChatMsg fileChunk(long ref, long chunk, byte[] data) {
        return withBody(
                null,
                "x.msg.file",
                List.of(Long.toString(ref), "1." + chunk),
                ContentPart.of("x", "file", data.length),
                new BodyPart(data));
    }
}
