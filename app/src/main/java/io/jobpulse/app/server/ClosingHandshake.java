package io.jobpulse.app.server;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;

/**
 * Answers a client's close frame with one of the server's, echoing its status code, as RFC 6455
 * wants, before the connection is closed. Micronaut runs the endpoint's {@code @OnClose} and closes
 * the TCP connection without answering, so every clean close looked to the client like a lost
 * connection (1006). A close the server started itself has sent its frame already, and the client's
 * answer to it is not answered again.
 */
final class ClosingHandshake extends ChannelDuplexHandler {

    private boolean closeSent;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof CloseWebSocketFrame) {
            closeSent = true;
        }
        super.write(ctx, msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof CloseWebSocketFrame close && !closeSent) {
            closeSent = true;
            int code = close.statusCode();
            // A close frame without a code is answered without one (the client sees 1005, "no status").
            ctx.writeAndFlush(code < 0 ? new CloseWebSocketFrame() : new CloseWebSocketFrame(code, ""));
        }
        ctx.fireChannelRead(msg);
    }
}
