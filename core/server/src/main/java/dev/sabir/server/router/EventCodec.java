package dev.sabir.server.router;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.FileOffer;
import dev.sabir.api.Sender;
import java.time.Instant;

/**
 * JSON form of the durable events ({@link ChatMessage}, {@link FileOffer}) as stored in the {@code
 * deliveries} table. Written by hand so the stored form does not change with the records' shape.
 */
final class EventCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private EventCodec() {}

    /** True for the events that are stored before delivery. */
    static boolean durable(BridgeEvent e) {
        return e instanceof ChatMessage || e instanceof FileOffer;
    }

    /** The source network's id of a durable event. */
    static String sourceId(BridgeEvent e) {
        if (e instanceof ChatMessage m) {
            return m.id();
        }
        if (e instanceof FileOffer f) {
            return f.offerId();
        }
        throw new IllegalArgumentException("not a durable event: " + e.getClass().getSimpleName());
    }

    static String encode(BridgeEvent e) {
        ObjectNode n = JSON.createObjectNode();
        if (e instanceof ChatMessage m) {
            n.put("type", "message");
            n.put("conversation", m.conversation().toString());
            sender(n, m.sender());
            n.put("id", m.id());
            n.put("text", m.text());
            n.put("kind", m.kind().name());
            n.put("replyTo", m.replyTo());
            n.put("editOf", m.editOf());
            n.put("retractOf", m.retractOf());
            n.put("timestamp", m.timestamp().toString());
        } else if (e instanceof FileOffer f) {
            n.put("type", "file");
            n.put("conversation", f.conversation().toString());
            sender(n, f.sender());
            n.put("offerId", f.offerId());
            n.put("name", f.name());
            n.put("size", f.size());
            n.put("sha256", f.sha256());
            n.put("mediaType", f.mediaType());
            n.put("spoolId", f.spoolId());
        } else {
            throw new IllegalArgumentException("not a durable event: " + e.getClass().getSimpleName());
        }
        try {
            return JSON.writeValueAsString(n);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("cannot encode event", ex);
        }
    }

    static BridgeEvent decode(String json) {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (JsonProcessingException ex) {
            throw new IllegalArgumentException("stored event is not JSON", ex);
        }
        Address conversation = Address.parse(n.path("conversation").asText());
        Sender sender =
                new Sender(
                        n.path("senderId").asText(),
                        n.path("senderNick").asText(),
                        n.path("senderSelf").asBoolean(false));
        String type = n.path("type").asText();
        return switch (type) {
            case "message" ->
                    new ChatMessage(
                            conversation,
                            sender,
                            n.path("id").asText(),
                            n.path("text").asText(),
                            ChatMessage.MessageKind.valueOf(n.path("kind").asText("NORMAL")),
                            text(n, "replyTo"),
                            text(n, "editOf"),
                            text(n, "retractOf"),
                            Instant.parse(n.path("timestamp").asText()));
            case "file" ->
                    new FileOffer(
                            conversation,
                            sender,
                            n.path("offerId").asText(),
                            n.path("name").asText(),
                            n.path("size").asLong(-1),
                            text(n, "sha256"),
                            text(n, "mediaType"),
                            text(n, "spoolId"));
            default -> throw new IllegalArgumentException("unknown stored event type '" + type + "'");
        };
    }

    private static void sender(ObjectNode n, Sender s) {
        n.put("senderId", s.id());
        n.put("senderNick", s.nick());
        n.put("senderSelf", s.self());
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
