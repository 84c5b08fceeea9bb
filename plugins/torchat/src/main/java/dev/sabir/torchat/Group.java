package dev.sabir.torchat;

import java.util.LinkedHashSet;
import java.util.Set;

/** A groupchat this session takes part in or is joining. Only touched on the event loop. */
final class Group {
    final String id;

    /** Who invited us, or null when we created it. */
    final String inviter;

    /** True once we are a participant (created it, or sent {@code groupchat_join}). */
    boolean joined;

    /** Confirmed participants, without ourselves. */
    final Set<String> members = new LinkedHashSet<>();

    /** Participants named by the inviter while we are joining. */
    final Set<String> candidates = new LinkedHashSet<>();

    /** Buddies we invited that have not joined yet. */
    final Set<String> invitees = new LinkedHashSet<>();

    Group(String id, String inviter) {
        this.id = id;
        this.inviter = inviter;
    }
}
