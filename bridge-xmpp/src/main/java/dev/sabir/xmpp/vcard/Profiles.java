package dev.sabir.xmpp.vcard;

import dev.sabir.api.KeyValueStore;
import dev.sabir.api.ProfileUpdate;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smackx.vcardtemp.packet.VCard;
import org.jxmpp.jid.Jid;

/**
 * The profiles of the JIDs the component shows (gateway puppets, bridged MUC occupants), with the
 * vcard-temp answer and XEP-0153 presence element built from them.
 *
 * <p>Kept in memory (the most recent {@link #MAX_IN_MEMORY}); profiles of gateway puppets are also
 * written to the host's store so their avatar survives a restart. Not thread-safe: used on the
 * component's event loop only.
 */
public final class Profiles {
    /** The vcard-temp namespace (XEP-0054). */
    public static final String NS_VCARD = "vcard-temp";

    /** The vCard-based avatar update namespace (XEP-0153). */
    public static final String NS_UPDATE = "vcard-temp:x:update";

    /** Profiles held in memory at most. */
    static final int MAX_IN_MEMORY = 2000;

    private static final String PREFIX = "vcard.";

    private final KeyValueStore store;
    private final Map<String, Profile> memory =
            new LinkedHashMap<>(64, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Profile> eldest) {
                    return size() > MAX_IN_MEMORY;
                }
            };

    /**
     * A known profile.
     *
     * @param name the display name (may be empty)
     * @param text the description (may be empty)
     * @param photo the avatar bytes, or null
     * @param photoType the avatar's MIME type, or null
     * @param photoHash lower-case hex SHA-1 of the avatar bytes, or empty when there is none
     */
    public record Profile(
            String name, String text, byte[] photo, String photoType, String photoHash) {}

    /**
     * @param store where puppet profiles are kept across restarts
     */
    public Profiles(KeyValueStore store) {
        this.store = store;
    }

    /**
     * Records the profile shown for a JID.
     *
     * @param jid the puppet's bare JID or the occupant's full JID
     * @param p the profile
     * @param persist true to keep it in the store too (gateway puppets)
     * @return what was recorded
     */
    public Profile put(Jid jid, ProfileUpdate p, boolean persist) {
        byte[] photo = p.avatar();
        Profile profile =
                new Profile(
                        p.displayName(),
                        p.text(),
                        photo,
                        p.avatarType(),
                        photo == null ? "" : sha1(photo));
        String key = key(jid);
        memory.put(key, profile);
        if (persist) {
            store.put(PREFIX + key + ".name", profile.name());
            store.put(PREFIX + key + ".text", profile.text());
            store.put(PREFIX + key + ".hash", profile.photoHash());
            if (photo == null) {
                store.remove(PREFIX + key + ".photo");
                store.remove(PREFIX + key + ".type");
            } else {
                store.put(PREFIX + key + ".photo", Base64.getEncoder().encodeToString(photo));
                store.put(PREFIX + key + ".type", profile.photoType());
            }
        }
        return profile;
    }

    /**
     * The profile shown for a JID: from memory, else (for bare JIDs, the only ones persisted) from
     * the store.
     */
    public Optional<Profile> get(Jid jid) {
        String key = key(jid);
        Profile p = memory.get(key);
        if (p != null || jid.hasResource()) {
            return Optional.ofNullable(p);
        }
        Optional<String> name = store.get(PREFIX + key + ".name");
        if (name.isEmpty()) {
            return Optional.empty();
        }
        byte[] photo;
        try {
            photo =
                    store.get(PREFIX + key + ".photo")
                            .map(Base64.getDecoder()::decode)
                            .orElse(null);
        } catch (IllegalArgumentException e) {
            photo = null;
        }
        p =
                new Profile(
                        name.get(),
                        store.get(PREFIX + key + ".text").orElse(""),
                        photo,
                        photo == null
                                ? null
                                : store.get(PREFIX + key + ".type").orElse("image/png"),
                        photo == null ? "" : sha1(photo));
        memory.put(key, p);
        return Optional.of(p);
    }

    /** Forgets the in-memory profile of a JID (an occupant that left). */
    public void forget(Jid jid) {
        memory.remove(key(jid));
    }

    /**
     * The XEP-0153 element for presence from a JID, or null when no profile is known (the element
     * is then left out, meaning "not ready").
     */
    public StandardExtensionElement updateElement(Jid jid) {
        return get(jid).map(Profiles::updateElement).orElse(null);
    }

    /** The XEP-0153 element for a profile: the photo hash, or an empty photo for none. */
    public static StandardExtensionElement updateElement(Profile p) {
        return StandardExtensionElement.builder("x", NS_UPDATE)
                .addElement("photo", p.photoHash())
                .build();
    }

    /**
     * The vCard answering a vcard-temp get for a JID: name, description and photo when a profile is
     * known, otherwise empty.
     */
    public VCard answer(IQ request) {
        VCard v = new VCard();
        v.setType(IQ.Type.result);
        v.setStanzaId(request.getStanzaId());
        v.setTo(request.getFrom());
        v.setFrom(request.getTo());
        get(request.getTo())
                .ifPresent(
                        p -> {
                            if (!p.name().isEmpty()) {
                                v.setField("FN", p.name());
                                v.setNickName(p.name());
                            }
                            if (!p.text().isEmpty()) {
                                v.setField("DESC", p.text());
                            }
                            if (p.photo() != null) {
                                v.setAvatar(p.photo(), p.photoType());
                            }
                        });
        return v;
    }

    /** True for a vcard-temp get request. */
    public static boolean isVCardGet(IQ iq) {
        return iq.getType() == IQ.Type.get && NS_VCARD.equals(iq.getChildElementNamespace());
    }

    /** Bare JIDs are case-insensitive (servers lower-case them); occupant nicks are not. */
    static String key(Jid jid) {
        String bare = jid.asBareJid().toString().toLowerCase(Locale.ROOT);
        return jid.hasResource() ? bare + "/" + jid.getResourceOrThrow() : bare;
    }

    static String sha1(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing", e);
        }
    }
}
