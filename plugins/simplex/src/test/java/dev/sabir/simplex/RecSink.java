package dev.sabir.simplex;

import dev.sabir.api.BridgeEvent;
import dev.sabir.api.ChatMessage;
import dev.sabir.api.EventSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

/** Records every event (until the testkit's RecordingSink is published). */
final class RecSink implements EventSink {
    final List<BridgeEvent> events = new CopyOnWriteArrayList<>();

    @Override
    public void accept(BridgeEvent event) {
        events.add(event);
    }

    List<ChatMessage> messages() {
        return events.stream()
                .filter(ChatMessage.class::isInstance)
                .map(ChatMessage.class::cast)
                .collect(Collectors.toList());
    }

    <T> List<T> of(Class<T> type) {
        return events.stream()
                .filter(type::isInstance)
                .map(type::cast)
                .collect(Collectors.toList());
    }
}
