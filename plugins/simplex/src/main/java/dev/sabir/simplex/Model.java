package dev.sabir.simplex;

/** Persistent records of the group layer, stored as JSON. */
final class Model {
    private Model() {}

    /** A group I belong to ({@code grp/<id>}). */
    static final class Group {
        public String id;
        public String name;
        public String myMemberId;
        public String myRole;
        public MemberStatus myStatus;
        public String inviter;
        public long nextMsgId = 1;
    }

    /** Another member of a group ({@code mem/<group>/<member>}). */
    static final class Member {
        public String memberId;
        public String role;
        public String name;
        public String category;
        public MemberStatus status;
        public String connId;
        public String introducedBy;

        /** The member who forwarded this member's invitation to me (x.grp.mem.fwd), if any. */
        public String forwardedBy;

        public String probe;
    }

    /** An introduction I made between a member I invited and a prior member ({@code intro/...}). */
    static final class Intro {
        public boolean fromInvitee;
        public boolean fromMember;
    }

    /** A file being sent to one member ({@code fout/<group>/<member>/<msgId>}). */
    static final class FileOut {
        public String spoolId;
        public long size;
        public long nextChunk = 1;
    }

    /** A file being received ({@code fin/<group>/<member>/<msgId>}). */
    static final class FileIn {
        public String name;
        public long size;
        public String sha256;
    }
}
