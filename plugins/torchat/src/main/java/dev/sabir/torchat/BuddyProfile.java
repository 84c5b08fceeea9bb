package dev.sabir.torchat;

import java.util.Arrays;

/**
 * What a buddy told about itself.
 *
 * @param id the buddy's onion id
 * @param kind permanent, temporary or blocked
 * @param name the profile name (may be empty)
 * @param text the profile text (may be empty)
 * @param avatarRgb 64x64 RGB pixels (12288 bytes), or empty
 * @param avatarAlpha 64x64 alpha values (4096 bytes), or empty
 * @param client the client name it announced, or empty
 * @param version the client version it announced, or empty
 */
public record BuddyProfile(
        String id,
        BuddyKind kind,
        String name,
        String text,
        byte[] avatarRgb,
        byte[] avatarAlpha,
        String client,
        String version) {

    /** Copies the arrays. */
    public BuddyProfile {
        avatarRgb = avatarRgb == null ? new byte[0] : avatarRgb.clone();
        avatarAlpha = avatarAlpha == null ? new byte[0] : avatarAlpha.clone();
    }

    @Override
    public byte[] avatarRgb() {
        return avatarRgb.clone();
    }

    @Override
    public byte[] avatarAlpha() {
        return avatarAlpha.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BuddyProfile p
                && id.equals(p.id)
                && kind == p.kind
                && name.equals(p.name)
                && text.equals(p.text)
                && Arrays.equals(avatarRgb, p.avatarRgb)
                && Arrays.equals(avatarAlpha, p.avatarAlpha)
                && client.equals(p.client)
                && version.equals(p.version);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    /** The kinds of buddy-list entry. */
    public enum BuddyKind {
        /** On the buddy list; reconnected and sent {@code add_me}. */
        PERMANENT,
        /** Known for this session only (an unknown peer that connected, a groupchat member). */
        TEMPORARY,
        /** Refused. */
        BLOCKED
    }
}
