package dev.sabir.torchat;

import dev.sabir.torchat.codec.TorChatPacket;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/** Packets waiting for a buddy to come online, with the delivery they complete. */
final class PendingSend {
    final List<TorChatPacket> packets;
    final CompletableFuture<String> done;
    final String resultId;
    ScheduledFuture<?> timeout;

    PendingSend(List<TorChatPacket> packets, CompletableFuture<String> done, String resultId) {
        this.packets = packets;
        this.done = done;
        this.resultId = resultId;
    }
}
