package dev.sabir.api;

import java.util.Arrays;
import java.util.Objects;

/**
 * A user's profile became known or changed: display name, free text and avatar image.
 *
 * <p>Relayed live like presence (never stored as a delivery); the router remembers the last one per
 * conversation and user and repeats it to a destination that comes online later. Destinations
 * without {@link Capability#AVATARS} never see it.
 *
 * @param conversation the 1:1 conversation with the user, or the room where the user is
 * @param who the user the profile describes
 * @param displayName the profile's display name, empty when the user set none
 * @param text the profile's free text (description), empty when none
 * @param avatar the avatar as encoded image bytes (for example PNG), or null when the user has no
 *     avatar; at most {@link #MAX_AVATAR} bytes; copied on the way in and out
 * @param avatarType the MIME type of {@code avatar} (for example {@code image/png}), null exactly
 *     when {@code avatar} is null
 */
public record ProfileUpdate(
        Address conversation,
        Sender who,
        String displayName,
        String text,
        byte[] avatar,
        String avatarType)
        implements BridgeEvent {

    /** Largest accepted avatar in bytes (256 KiB). */
    public static final int MAX_AVATAR = 256 * 1024;

    /** Largest accepted display name or text, in characters. */
    public static final int MAX_TEXT = 16 * 1024;

    /**
     * Checks the parts and copies the avatar.
     *
     * @throws IllegalArgumentException when the avatar is larger than {@link #MAX_AVATAR}, a text
     *     is longer than {@link #MAX_TEXT}, or an avatar comes without a type
     */
    public ProfileUpdate {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(who, "who");
        displayName = displayName == null ? "" : displayName;
        text = text == null ? "" : text;
        if (displayName.length() > MAX_TEXT || text.length() > MAX_TEXT) {
            throw new IllegalArgumentException("profile name or text too long");
        }
        if (avatar != null && avatar.length == 0) {
            avatar = null;
        }
        if (avatar != null) {
            if (avatar.length > MAX_AVATAR) {
                throw new IllegalArgumentException(
                        "avatar of " + avatar.length + " bytes exceeds " + MAX_AVATAR);
            }
            if (avatarType == null || avatarType.isBlank()) {
                throw new IllegalArgumentException("an avatar needs a media type");
            }
            avatar = avatar.clone();
        } else {
            avatarType = null;
        }
    }

    /** The avatar bytes (a copy), or null when there is none. */
    @Override
    public byte[] avatar() {
        return avatar == null ? null : avatar.clone();
    }

    /** The avatar's size in bytes (0 when there is none), without copying it. */
    public int avatarLength() {
        return avatar == null ? 0 : avatar.length;
    }

    /** True when the profile carries an avatar image. */
    public boolean hasAvatar() {
        return avatar != null;
    }

    /** The same profile described in another conversation. */
    public ProfileUpdate withConversation(Address other) {
        return new ProfileUpdate(other, who, displayName, text, avatar, avatarType);
    }

    /** Compares the avatar by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof ProfileUpdate p
                && conversation.equals(p.conversation)
                && who.equals(p.who)
                && displayName.equals(p.displayName)
                && text.equals(p.text)
                && Arrays.equals(avatar, p.avatar)
                && Objects.equals(avatarType, p.avatarType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                conversation, who, displayName, text, Arrays.hashCode(avatar), avatarType);
    }

    /** Shows the avatar's size rather than its bytes. */
    @Override
    public String toString() {
        return "ProfileUpdate[conversation="
                + conversation
                + ", who="
                + who
                + ", displayName="
                + displayName
                + ", text="
                + text.length()
                + " chars, avatar="
                + (avatar == null ? "none" : avatar.length + " bytes " + avatarType)
                + "]";
    }
}
