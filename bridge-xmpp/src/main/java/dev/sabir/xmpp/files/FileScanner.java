package dev.sabir.xmpp.files;

import dev.sabir.api.Address;
import dev.sabir.api.FileOffer;
import dev.sabir.api.Sender;
import java.util.function.Consumer;
import org.jivesoftware.smack.packet.Message;

/** Looks at a message from an XMPP user for file links and reports the files it fetched. */
@FunctionalInterface
public interface FileScanner {
    /** A scanner that finds nothing. */
    FileScanner NONE = (m, conversation, sender, id, emit) -> {};

    /**
     * Starts fetching the files a message links to; each complete one is passed to {@code emit}
     * (later, possibly on another thread).
     *
     * @param m the message
     * @param conversation where the offer belongs
     * @param sender who sent it
     * @param messageId the message's id (offer ids derive from it)
     * @param emit gets each fetched file
     */
    void scan(
            Message m,
            Address conversation,
            Sender sender,
            String messageId,
            Consumer<FileOffer> emit);
}
