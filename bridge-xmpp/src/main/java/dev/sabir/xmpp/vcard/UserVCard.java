package dev.sabir.xmpp.vcard;

import dev.sabir.api.Address;
import dev.sabir.api.ProfileUpdate;
import dev.sabir.api.Sender;
import java.io.StringReader;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import org.jivesoftware.smack.xml.SmackXmlParser;
import org.jivesoftware.smack.xml.XmlPullParser;

/**
 * The profile an XMPP user published in their own vcard-temp (XEP-0054) vCard: display name ({@code
 * NICKNAME}, else {@code FN}), description ({@code DESC}) and photo ({@code PHOTO/TYPE} and base64
 * {@code PHOTO/BINVAL}).
 *
 * @param name the display name, empty when none
 * @param text the description, empty when none
 * @param avatar the photo bytes, or null
 * @param avatarType the photo's media type, null exactly when there is no photo
 * @param avatarDropped why a photo present in the vCard was left out (too large, not base64), or
 *     null
 */
public record UserVCard(
        String name, String text, byte[] avatar, String avatarType, String avatarDropped) {

    /** Checks the parts. */
    public UserVCard {
        name = name == null ? "" : name;
        text = text == null ? "" : text;
        if (avatar == null) {
            avatarType = null;
        } else {
            avatar = avatar.clone();
            Objects.requireNonNull(avatarType, "avatarType");
        }
    }

    /** The photo bytes (a copy), or null. */
    @Override
    public byte[] avatar() {
        return avatar == null ? null : avatar.clone();
    }

    /** True when the vCard carries nothing Sabir shows (no name, no text, no photo). */
    public boolean isEmpty() {
        return name.isEmpty() && text.isEmpty() && avatar == null;
    }

    /** The lower-case hex SHA-1 of the photo (the XEP-0153 hash), or empty when there is none. */
    public String photoHash() {
        return avatar == null ? "" : Profiles.sha1(avatar);
    }

    /** This profile as an event about {@code who} in {@code conversation}. */
    public ProfileUpdate toUpdate(Address conversation, Sender who) {
        return new ProfileUpdate(conversation, who, name, text, avatar, avatarType);
    }

    /** Compares the photo by content. */
    @Override
    public boolean equals(Object o) {
        return o instanceof UserVCard v
                && name.equals(v.name)
                && text.equals(v.text)
                && Arrays.equals(avatar, v.avatar)
                && Objects.equals(avatarType, v.avatarType)
                && Objects.equals(avatarDropped, v.avatarDropped);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, text, Arrays.hashCode(avatar), avatarType, avatarDropped);
    }

    @Override
    public String toString() {
        return "UserVCard[name="
                + name
                + ", text="
                + text.length()
                + " chars, avatar="
                + (avatar == null ? "none" : avatar.length + " bytes " + avatarType)
                + (avatarDropped == null ? "" : ", dropped: " + avatarDropped)
                + "]";
    }

    /** The answer could not be read as a vCard. */
    public static final class VCardParseException extends Exception {
        private static final long serialVersionUID = 1L;

        /**
         * @param message why
         */
        public VCardParseException(String message) {
            super(message);
        }
    }

    /**
     * Reads the vCard out of an IQ result (the raw stanza as it came on the stream). A result
     * without a {@code vCard} child is an empty profile. Texts longer than {@link
     * ProfileUpdate#MAX_TEXT} are cut; a photo over {@link ProfileUpdate#MAX_AVATAR} bytes or not
     * valid base64 is left out and named in {@link #avatarDropped()}.
     *
     * @throws VCardParseException when the XML is not well-formed
     */
    public static UserVCard parse(String iqXml) throws VCardParseException {
        String nickname = null;
        String fn = null;
        String desc = null;
        String type = null;
        String binval = null;
        try {
            XmlPullParser p = SmackXmlParser.newXmlParser(new StringReader(iqXml));
            boolean found = false;
            for (XmlPullParser.Event ev = p.getEventType();
                    ev != XmlPullParser.Event.END_DOCUMENT;
                    ev = p.next()) {
                if (ev == XmlPullParser.Event.START_ELEMENT
                        && p.getDepth() == 2
                        && p.getName().equals("vCard")) {
                    found = true;
                    break;
                }
            }
            int top = p.getDepth();
            boolean inPhoto = false;
            while (found) {
                XmlPullParser.Event ev = p.next();
                if (ev == XmlPullParser.Event.END_DOCUMENT) {
                    throw new VCardParseException("document ends inside the vCard");
                }
                if (ev == XmlPullParser.Event.END_ELEMENT) {
                    if (p.getDepth() == top) {
                        break;
                    }
                    inPhoto = false; // only PHOTO is left open at the level below the vCard
                    continue;
                }
                if (ev != XmlPullParser.Event.START_ELEMENT) {
                    continue;
                }
                String n = p.getName();
                if (p.getDepth() == top + 1) {
                    switch (n) {
                        case "NICKNAME" -> nickname = text(p);
                        case "FN" -> fn = text(p);
                        case "DESC" -> desc = text(p);
                        case "PHOTO" -> inPhoto = true;
                        default -> text(p); // skipped
                    }
                } else if (inPhoto && n.equals("TYPE")) {
                    type = text(p);
                } else if (inPhoto && n.equals("BINVAL")) {
                    binval = text(p);
                } else {
                    text(p);
                }
            }
        } catch (VCardParseException e) {
            throw e;
        } catch (Exception e) {
            throw new VCardParseException(
                    "unreadable vCard: " + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        String name = blank(nickname) ? fn : nickname;
        byte[] avatar = null;
        String dropped = null;
        if (binval != null && !binval.isBlank()) {
            String compact = binval.replaceAll("\\s+", "");
            long estimate = compact.length() / 4L * 3L;
            if (estimate > ProfileUpdate.MAX_AVATAR + 3L) {
                dropped =
                        "photo of about " + estimate + " bytes is over " + ProfileUpdate.MAX_AVATAR;
            } else {
                try {
                    avatar = Base64.getDecoder().decode(compact);
                    if (avatar.length > ProfileUpdate.MAX_AVATAR) {
                        dropped =
                                "photo of "
                                        + avatar.length
                                        + " bytes is over "
                                        + ProfileUpdate.MAX_AVATAR;
                        avatar = null;
                    } else if (avatar.length == 0) {
                        avatar = null;
                    }
                } catch (IllegalArgumentException e) {
                    dropped = "photo is not valid base64";
                }
            }
        }
        return new UserVCard(
                cut(name),
                cut(desc),
                avatar,
                avatar == null ? null : mediaType(type, avatar),
                dropped);
    }

    /** The element's text, leaving the parser on its end tag. */
    private static String text(XmlPullParser p) throws Exception {
        StringBuilder b = new StringBuilder();
        int depth = 1;
        while (depth > 0) {
            XmlPullParser.Event ev = p.next();
            switch (ev) {
                case START_ELEMENT -> depth++;
                case END_ELEMENT -> depth--;
                case TEXT_CHARACTERS, ENTITY_REFERENCE -> {
                    if (depth == 1 && b.length() <= 2 * ProfileUpdate.MAX_AVATAR) {
                        b.append(p.getText());
                    }
                }
                case END_DOCUMENT -> throw new VCardParseException("document ends inside a field");
                default -> {
                    // comments and the like
                }
            }
        }
        return b.toString();
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String cut(String s) {
        if (s == null) {
            return "";
        }
        String t = s.strip();
        return t.length() > ProfileUpdate.MAX_TEXT ? t.substring(0, ProfileUpdate.MAX_TEXT) : t;
    }

    /** The declared type when it looks like one, else a guess from the first bytes. */
    static String mediaType(String declared, byte[] data) {
        if (declared != null && declared.strip().matches("[A-Za-z0-9.+-]+/[A-Za-z0-9.+-]+")) {
            return declared.strip().toLowerCase(java.util.Locale.ROOT);
        }
        if (data.length >= 4
                && (data[0] & 0xff) == 0x89
                && data[1] == 'P'
                && data[2] == 'N'
                && data[3] == 'G') {
            return "image/png";
        }
        if (data.length >= 3 && (data[0] & 0xff) == 0xff && (data[1] & 0xff) == 0xd8) {
            return "image/jpeg";
        }
        if (data.length >= 4 && data[0] == 'G' && data[1] == 'I' && data[2] == 'F') {
            return "image/gif";
        }
        if (data.length >= 12 && data[8] == 'W' && data[9] == 'E' && data[10] == 'B') {
            return "image/webp";
        }
        return "application/octet-stream";
    }
}
