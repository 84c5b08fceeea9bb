package dev.sabir.api;

import java.util.Objects;

/**
 * A file offered in a conversation.
 *
 * <p>A session that receives a file from its network writes it into the host's {@link FileSpool}
 * and reports the offer with the spool's file id once the bytes are complete. In a delivery, {@code
 * spoolId} names the spooled file the destination session reads from.
 *
 * @param conversation the room or peer
 * @param sender who offers it
 * @param offerId the source network's id for the offer
 * @param name the file name (already sanitised by the spool when spooled)
 * @param size the size in bytes, or -1 when unknown
 * @param sha256 lower-case hex SHA-256 of the content, or null when unknown
 * @param mediaType the MIME type, or {@code application/octet-stream}
 * @param spoolId the host spool's id for the bytes, or null when not spooled
 */
public record FileOffer(
        Address conversation,
        Sender sender,
        String offerId,
        String name,
        long size,
        String sha256,
        String mediaType,
        String spoolId)
        implements BridgeEvent {

    /** Checks the parts. */
    public FileOffer {
        Objects.requireNonNull(conversation, "conversation");
        Objects.requireNonNull(sender, "sender");
        Objects.requireNonNull(offerId, "offerId");
        Objects.requireNonNull(name, "name");
        mediaType = mediaType == null ? "application/octet-stream" : mediaType;
    }

    /** The same offer addressed to another conversation. */
    public FileOffer withConversation(Address other) {
        return new FileOffer(other, sender, offerId, name, size, sha256, mediaType, spoolId);
    }
}
