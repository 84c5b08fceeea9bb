/**
 * The TorChat wire protocol: packet records ({@link dev.sabir.torchat.codec.TorChatPacket}), their
 * factories and parser ({@link dev.sabir.torchat.codec.TorChatPackets}), the escaping, and the
 * Netty frame decoder, packet decoder and encoder. No session logic lives here.
 */
package dev.sabir.torchat.codec;
