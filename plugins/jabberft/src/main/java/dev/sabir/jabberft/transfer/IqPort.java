package dev.sabir.jabberft.transfer;

import dev.sabir.jabberft.codec.XmlElement;
import java.util.concurrent.CompletableFuture;

/** How the transfer engine talks over the component stream. */
public interface IqPort {
    /** Sends an IQ request and completes with the answer (result or error stanza). */
    CompletableFuture<XmlElement> request(String type, String to, String payload);

    /** Writes a stanza without waiting for anything; false when offline. */
    boolean send(String xml);

    /** The component's own JID. */
    String self();
}
