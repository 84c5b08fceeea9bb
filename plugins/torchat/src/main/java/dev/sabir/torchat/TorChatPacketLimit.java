package dev.sabir.torchat;

import dev.sabir.torchat.codec.TorChatPacket;

/** Line limits used by the session. */
final class TorChatPacketLimit {
    /** The default longest accepted line. */
    static final int DEFAULT = TorChatPacket.MAX_LINE;

    /** The longest chunk of chat text put into one packet (escaped bytes). */
    static final int TEXT_CHUNK = 32 * 1024;

    private TorChatPacketLimit() {}
}
