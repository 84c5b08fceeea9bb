package dev.sabir.api;

/**
 * What a connector's network can carry. The router degrades events for destinations that lack a
 * capability instead of calling what is absent.
 */
public enum Capability {
    /** Rooms with several members. */
    ROOMS,
    /** 1:1 conversations with peers. */
    DIRECT_MESSAGES,
    /** Message corrections; without it an edit arrives as a marked resend. */
    EDITS,
    /** Message retractions; without it a retraction arrives as a short notice. */
    RETRACTIONS,
    /** Replies referencing an earlier message; without it the quoted text is prefixed. */
    REPLIES,
    /** Typing notifications; dropped where absent. */
    TYPING,
    /** Presence of peers; dropped where absent. */
    PRESENCE,
    /** /me style action messages; without it rendered as {@code * nick text}. */
    ACTIONS,
    /** Native file transfer; without it a file offer becomes a link to the host's file endpoint. */
    FILES,
    /** Several lines in one message; without it the router leaves splitting to the session. */
    MULTILINE,
    /** The network can show remote users as distinct identities (puppets, occupants). */
    PUPPETS,
    /**
     * The network echoes the session's own messages back (the session or router must drop them).
     */
    ECHOES,
    /** Room topics. */
    TOPICS,
    /**
     * Profiles of remote users (display name, text, avatar image) can be shown; {@link
     * ProfileUpdate} is dropped where absent.
     */
    AVATARS
}
