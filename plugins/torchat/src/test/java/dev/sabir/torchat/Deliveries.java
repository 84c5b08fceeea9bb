package dev.sabir.torchat;

import dev.sabir.api.Address;
import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.Delivery;
import dev.sabir.api.Sender;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Builds deliveries the way the router would. */
final class Deliveries {
    private static final AtomicLong IDS = new AtomicLong();
    private static final Address SOURCE = new Address("loopback", "test", "room");

    private Deliveries() {}

    static Address conv(Node node, String id) {
        return node.account().address().withId(id);
    }

    static Delivery of(Node node, String convId, BridgeEvent event) {
        return new Delivery(IDS.incrementAndGet(), conv(node, convId), event, SOURCE, "");
    }

    static ChatMessage message(Node node, String convId, String text) {
        return ChatMessage.of(
                conv(node, convId), Sender.of("tester"), UUID.randomUUID().toString(), text);
    }

    /** Delivers a chat message and waits for the session to accept it. */
    static String say(Node node, String convId, String text) throws Exception {
        return node.session
                .deliver(of(node, convId, message(node, convId, text)))
                .toCompletableFuture()
                .get(Node.WAIT.toSeconds(), TimeUnit.SECONDS);
    }
}
