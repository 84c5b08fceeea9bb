package dev.sabir.simplex;

/** The member statuses of the spec's "Group member statuses" section. */
public enum MemberStatus {
    /** A member I invited: invitation created. */
    INVITED(false),
    /** The invitee accepted (confirmation received). */
    ACCEPTED(false),
    /** The connection with this member works both ways. */
    CONNECTED(true),
    /** The member I invited was announced to the group (x.grp.mem.new). */
    ANNOUNCED(true),
    /** Confirmed as connected to the whole group (x.grp.mem.con.all). */
    COMPLETE(true),
    /** The member who invited me, before the connection works. */
    INVITED_ME(false),
    /** A prior member introduced to me (x.grp.mem.intro). */
    INTRODUCED(false),
    /** I sent my invitation for an introduced member (x.grp.mem.inv). */
    INTRO_INVITED(false),
    /** A later member announced to me (x.grp.mem.new). */
    ANNOUNCED_TO_ME(false),
    /** I received that member's invitation (x.grp.mem.fwd) and joined it. */
    RECEIVED_INVITATION(false),
    /** The member left the group. */
    LEFT(false);

    private final boolean connected;

    MemberStatus(boolean connected) {
        this.connected = connected;
    }

    /** True when messages can be sent to the member. */
    public boolean connected() {
        return connected;
    }
}
