package dev.sabir.simplex;

/**
 * Operator commands of a SimpleX-style session ({@code ./sabir simplex invite|join}). The session
 * object returned by the connector implements it.
 */
public interface SimplexAdmin {

    /**
     * Invites a new member into a group this account belongs to.
     *
     * @param group the group's conversation id without the {@code group:} prefix (its name)
     * @return pasteable invitation text ({@code simplex:/group#...}) for the new member
     * @throws IllegalArgumentException when the group is unknown or this member may not invite
     */
    String createInvitation(String group);

    /**
     * The text of one of this account's preset invitations (see the {@code inviteSecret} key):
     * always the same for a group, so it can be put into another account's {@code join} list.
     *
     * @param group an owned group's name
     * @param number which preset invitation, 1 to {@code presetInvites}
     * @throws IllegalArgumentException when there is no such preset invitation or it was used
     */
    String presetInvitation(String group, int number);

    /**
     * Accepts an invitation made by {@link #createInvitation} on another member's account.
     *
     * @param text the invitation text
     * @throws IllegalArgumentException when the text is not a valid invitation
     */
    void acceptInvitation(String text);
}
