package dev.sabir.xmpp.vcard;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jxmpp.jid.BareJid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The own vCards of the XMPP users the component serves (gateway users, occupants of its rooms),
 * fetched when their presence shows a new XEP-0153 photo hash and passed on as profiles.
 *
 * <p>Rules: the first presence from a bare JID, or one whose {@code vcard-temp:x:update} hash
 * differs from the last one fetched, starts a vcard-temp get to the user's bare JID; presence
 * without a hash fetches once per bare JID. At most one fetch per JID is under way; a change seen
 * meanwhile is fetched after it. An error answer or an empty vCard is remembered but not passed on.
 * The most recent {@link #MAX_USERS} JIDs are kept.
 *
 * <p>Not thread-safe: used on the component's event loop only; {@code loop} is where answers are
 * handled.
 */
public final class UserProfiles {
    private static final Logger LOG = LoggerFactory.getLogger(UserProfiles.class);

    /** Users remembered at most. */
    public static final int MAX_USERS = 1000;

    /** Fetches a user's vCard: completes with the raw IQ result, or fails. */
    @FunctionalInterface
    public interface Fetcher {
        /**
         * Sends a vcard-temp get to a bare JID.
         *
         * @param user the user's bare JID
         * @param timeout how long to wait for the answer
         * @return the answer as raw XML; fails on an error answer, a timeout or when offline
         */
        CompletableFuture<String> fetch(BareJid user, Duration timeout);
    }

    /** Told about each new non-empty profile. */
    @FunctionalInterface
    public interface Listener {
        /**
         * A user's profile became known or changed.
         *
         * @param user the user's bare JID
         * @param profile what the user's vCard shows
         */
        void changed(BareJid user, UserVCard profile);
    }

    /** What is known about one user. */
    private static final class Entry {
        /** The last photo hash fetched (or being fetched), null when none was announced yet. */
        String hash;

        /** True once a fetch started for this JID. */
        boolean fetched;

        /** True while a fetch is under way. */
        boolean busy;

        /** A presence seen while busy that may need another fetch; its hash (null for none). */
        boolean again;

        String againHash;

        /** The last non-empty profile, or null. */
        UserVCard profile;
    }

    private final boolean enabled;
    private final Fetcher fetcher;
    private final Listener listener;
    private final Executor loop;
    private final Duration timeout;
    private final String label;
    private final AtomicLong fetches = new AtomicLong();

    private final Map<String, Entry> users =
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                    return size() > MAX_USERS;
                }
            };

    /** Entries with a fetch under way, kept even when {@link #users} drops them. */
    private final Map<String, Entry> busy = new HashMap<>();

    /**
     * @param enabled false turns everything off (no fetch, no profile)
     * @param fetcher sends the vCard requests
     * @param listener told about new profiles
     * @param loop the component's event loop
     * @param timeout how long a vCard answer may take
     * @param label the component's domain, for logs
     */
    public UserProfiles(
            boolean enabled,
            Fetcher fetcher,
            Listener listener,
            Executor loop,
            Duration timeout,
            String label) {
        this.enabled = enabled;
        this.fetcher = fetcher;
        this.listener = listener;
        this.loop = loop;
        this.timeout = timeout;
        this.label = label;
    }

    /** True unless turned off by configuration. */
    public boolean enabled() {
        return enabled;
    }

    /** vCard requests sent so far. */
    public long fetches() {
        return fetches.get();
    }

    /** The last non-empty profile known for a user. */
    public Optional<UserVCard> known(BareJid user) {
        if (!enabled) {
            return Optional.empty();
        }
        Entry e = users.get(key(user));
        if (e == null) {
            e = busy.get(key(user));
        }
        return e == null ? Optional.empty() : Optional.ofNullable(e.profile);
    }

    /**
     * An available presence from a user the component serves: fetches the user's vCard when the
     * rules above ask for it.
     */
    public void presence(BareJid user, Presence p) {
        if (!enabled || p.getType() != Presence.Type.available) {
            return;
        }
        String k = key(user);
        Entry e = busy.get(k);
        if (e == null) {
            e = users.computeIfAbsent(k, x -> new Entry());
        } else {
            users.putIfAbsent(k, e);
        }
        consider(user, k, e, photoHash(p));
    }

    private void consider(BareJid user, String k, Entry e, String hash) {
        boolean wanted = hash == null ? !e.fetched : !hash.equals(e.hash);
        if (!wanted) {
            return;
        }
        if (e.busy) {
            e.again = true;
            e.againHash = hash;
            return;
        }
        e.fetched = true;
        if (hash != null) {
            e.hash = hash;
        }
        e.busy = true;
        busy.put(k, e);
        fetches.incrementAndGet();
        CompletableFuture<String> answer;
        try {
            answer = fetcher.fetch(user, timeout);
        } catch (RuntimeException ex) {
            answer = CompletableFuture.failedFuture(ex);
        }
        answer.whenCompleteAsync((xml, err) -> done(user, k, e, xml, err), loop);
    }

    private void done(BareJid user, String k, Entry e, String xml, Throwable err) {
        e.busy = false;
        busy.remove(k);
        if (err != null) {
            Throwable cause =
                    err instanceof CompletionException && err.getCause() != null
                            ? err.getCause()
                            : err;
            LOG.info("component {}: no vCard for {}: {}", label, user, cause.getMessage());
        } else {
            accept(user, e, xml);
        }
        if (e.again) {
            e.again = false;
            consider(user, k, e, e.againHash);
        }
    }

    private void accept(BareJid user, Entry e, String xml) {
        UserVCard v;
        try {
            v = UserVCard.parse(xml);
        } catch (UserVCard.VCardParseException ex) {
            LOG.info("component {}: vCard of {} dropped: {}", label, user, ex.getMessage());
            return;
        }
        if (v.avatarDropped() != null) {
            LOG.info("component {}: avatar of {} left out: {}", label, user, v.avatarDropped());
        }
        if (e.hash == null && v.avatarDropped() == null) {
            e.hash = v.photoHash(); // a later presence announcing this same photo fetches nothing
        }
        if (v.isEmpty()) {
            LOG.debug("component {}: {} has an empty vCard", label, user);
            return;
        }
        if (v.equals(e.profile)) {
            return;
        }
        e.profile = v;
        LOG.info("component {}: profile of {} is now {}", label, user, v);
        listener.changed(user, v);
    }

    /**
     * The XEP-0153 photo hash of a presence: lower-case hex, empty for "no photo", or null when the
     * presence carries no {@code vcard-temp:x:update} element or one without {@code photo}.
     */
    static String photoHash(Presence p) {
        ExtensionElement x = p.getExtensionElement("x", Profiles.NS_UPDATE);
        if (!(x instanceof StandardExtensionElement sx)) {
            return null;
        }
        StandardExtensionElement photo = sx.getFirstElement("photo");
        if (photo == null) {
            return null;
        }
        String text = photo.getText();
        return text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
    }

    private static String key(BareJid jid) {
        return jid.toString().toLowerCase(Locale.ROOT);
    }
}
