package io.jobpulse.app.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Bounds a WebSocket message however it is cut into frames. Netty refuses a single frame larger
 * than the socket's maximum, but Micronaut joins the frames of a fragmented message (a first
 * frame, then continuations) without a bound, so a client could make the server hold a message of
 * any size. This handler counts the payload of each message as its frames pass and, past the
 * maximum, drops the frame and closes the socket with 1009 (message too big). It counts the bytes
 * as they came, which are the bytes the server holds because sockets decline permessage-deflate
 * ({@link ConnectionHandlers}).
 */
final class SocketMessageLimit extends ChannelInboundHandlerAdapter {

    /** The name of the handler that installs the limit once the connection has become a WebSocket. */
    static final String INSTALLER = "jobpulse-socket-message-limit-installer";
    /** The name Netty's WebSocket handshake gives the frame decoder. */
    private static final String FRAME_DECODER = "wsdecoder";

    private final int maxBytes;
    private long inMessage;
    private boolean closing;

    SocketMessageLimit(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame || msg instanceof ContinuationWebSocketFrame) {
            WebSocketFrame frame = (WebSocketFrame) msg;
            inMessage = (frame instanceof ContinuationWebSocketFrame ? inMessage : 0) + frame.content().readableBytes();
            if (inMessage > maxBytes) {
                closing = true;
                ReferenceCountUtil.release(frame);
                ctx.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                        "a message is at most " + maxBytes + " bytes")).addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /**
     * Watches a connection's bytes until Netty's WebSocket frame decoder is in its pipeline (the
     * handshake put it there), then puts the limit and the {@link ClosingHandshake} right after it
     * and leaves.
     */
    static final class Installer extends ChannelInboundHandlerAdapter {

        private final int maxBytes;

        Installer(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof ByteBuf && ctx.pipeline().context(FRAME_DECODER) != null) {
                ctx.pipeline().addAfter(FRAME_DECODER, "jobpulse-socket-message-limit", new SocketMessageLimit(maxBytes));
                ctx.pipeline().addAfter("jobpulse-socket-message-limit", "jobpulse-closing-handshake", new ClosingHandshake());
                ctx.pipeline().remove(this);
            }
            ctx.fireChannelRead(msg);
        }
    }
}
