package dev.sabir.torchat.codec;

import io.netty.channel.ChannelPipeline;

/** Installs the TorChat framing, decoder and encoder in a pipeline. */
public final class TorChatCodec {
    private TorChatCodec() {}

    /**
     * Adds {@code tc-frame}, {@code tc-decoder} and {@code tc-encoder} at the end of the pipeline.
     *
     * @param maxLine the longest line accepted
     */
    public static void install(ChannelPipeline pipeline, int maxLine) {
        pipeline.addLast("tc-frame", new TorChatFrameDecoder(maxLine));
        pipeline.addLast("tc-decoder", new TorChatPacketDecoder());
        pipeline.addLast("tc-encoder", new TorChatPacketEncoder());
    }
}
