package dev.sabir.api;

import java.util.List;
import java.util.Objects;

/**
 * Something changed in a room: a member joined or left, the topic changed, the member list is
 * known, or the session itself joined or was removed.
 *
 * @param conversation the room
 * @param change what changed
 * @param member the member concerned (joined, left, kicked, topic setter), or null
 * @param detail the topic, a part or kick reason, or empty
 * @param members the full member list for {@link Change#MEMBERS}, otherwise empty
 */
public record RoomUpdate(
        Address conversation, Change change, Sender member, String detail, List<Sender> members)
        implements BridgeEvent {

    /** Checks the parts and copies the list. */
    public RoomUpdate {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(change, "change");
        detail = detail == null ? "" : detail;
        members = members == null ? List.of() : List.copyOf(members);
    }

    /** A member joined. */
    public static RoomUpdate joined(Address room, Sender member) {
        return new RoomUpdate(room, Change.JOINED, member, "", List.of());
    }

    /** A member left, with an optional reason. */
    public static RoomUpdate left(Address room, Sender member, String reason) {
        return new RoomUpdate(room, Change.LEFT, member, reason, List.of());
    }

    /** The topic changed. */
    public static RoomUpdate topic(Address room, Sender setter, String topic) {
        return new RoomUpdate(room, Change.TOPIC, setter, topic, List.of());
    }

    /** The full member list. */
    public static RoomUpdate members(Address room, List<Sender> members) {
        return new RoomUpdate(room, Change.MEMBERS, null, "", members);
    }

    /** Kinds of room change. */
    public enum Change {
        /** {@code member} joined. */
        JOINED,
        /** {@code member} left ({@code detail} is the reason). */
        LEFT,
        /** {@code member} was kicked ({@code detail} is the reason). */
        KICKED,
        /** The topic is now {@code detail}. */
        TOPIC,
        /** {@code members} is the full member list. */
        MEMBERS
    }
}
