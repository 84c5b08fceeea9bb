package dev.sabir.torchat;

import dev.sabir.torchat.codec.TorChatPacket;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.proxy.ProxyConnectionEvent;

/** Hands a connection's packets and events to the session (on the session's event loop). */
final class PeerHandler extends SimpleChannelInboundHandler<TorChatPacket> {
    /** Which side opened the socket. */
    enum Role {
        /** We dialled: we send here. */
        OUT,
        /** The peer dialled: we read here. */
        IN
    }

    private final TorChatSession session;
    private final Role role;
    private final boolean proxied;

    PeerHandler(TorChatSession session, Role role, boolean proxied) {
        this.session = session;
        this.role = role;
        this.proxied = proxied;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        if (role == Role.OUT && !proxied) {
            session.onOutReady(ctx.channel());
        } else if (role == Role.IN) {
            session.onAccepted(ctx.channel());
        }
        super.channelActive(ctx);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof ProxyConnectionEvent && role == Role.OUT) {
            session.onOutReady(ctx.channel());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TorChatPacket packet) {
        session.onPacket(ctx.channel(), role, packet);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        session.onError(ctx.channel(), role, cause);
    }
}
