package dev.sabir.irc.codec;

import dev.sabir.irc.codec.IrcCodecException.Kind;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToByteEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Writes an {@link IrcMessage} as UTF-8 followed by CR LF, refusing lines the server would cut:
 * more than 512 bytes without the tags (including CR LF) or a tags section over 8191 bytes.
 */
@Sharable
public final class IrcLineEncoder extends MessageToByteEncoder<IrcMessage> {

    /** The encoder; it keeps no state. */
    public IrcLineEncoder() {
        super(IrcMessage.class);
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, IrcMessage msg, ByteBuf out) {
        String line = msg.encode();
        byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
        int bodyStart = 0;
        if (!msg.tags().isEmpty()) {
            bodyStart =
                    line.substring(0, line.indexOf(' ') + 1)
                            .getBytes(StandardCharsets.UTF_8)
                            .length;
            if (bodyStart > IrcLineDecoder.DEFAULT_MAX_TAGS) {
                throw new IrcCodecException(Kind.TAGS_TOO_LONG, msg.command());
            }
        }
        if (bytes.length - bodyStart + 2 > IrcLineDecoder.DEFAULT_MAX_LINE) {
            throw new IrcCodecException(
                    Kind.LINE_TOO_LONG,
                    msg.command() + " of " + (bytes.length - bodyStart + 2) + " bytes");
        }
        out.writeBytes(bytes).writeByte('\r').writeByte('\n');
    }
}
