package io.jobpulse.app.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.TimeUnit;

/**
 * Closes a connection the way HTTP servers must when the client may still be sending: an answer
 * given before the request was read to its end (a {@code 413} for a body or headers that are too
 * large, a {@code 431}) is followed by a half-close, and what the client still sends is read and
 * dropped, for at most {@link #LINGER_MILLIS} and {@link #LINGER_BYTES}, before the socket is
 * closed. Closing at once, with unread bytes in the socket, makes the kernel reset the connection,
 * and a reset can destroy the answer before the client has read it: the client then sees the
 * connection closed with no answer at all (about one request in twelve with a 70 KB header, here).
 * Apache httpd and nginx call this a lingering close.
 */
final class LingeringClose extends ChannelDuplexHandler {

    /** The longest a closing connection waits for the client to stop sending. */
    static final long LINGER_MILLIS = 2_000;
    /** The most a closing connection reads and drops before it closes anyway. */
    static final long LINGER_BYTES = 16L << 20;

    private boolean lingering;
    private long dropped;

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        DuplexChannel channel = (DuplexChannel) ctx.channel();
        if (lingering || !channel.isActive() || channel.isInputShutdown() || channel.isOutputShutdown()) {
            ctx.close(promise);
            return;
        }
        lingering = true;
        channel.closeFuture().addListener(closed -> promise.trySuccess());
        ctx.flush();
        channel.shutdownOutput().addListener(shut -> {
            ctx.executor().schedule(() -> ctx.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            channel.config().setAutoRead(true);
            ctx.read();
        });
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!lingering) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (msg instanceof ByteBuf bytes) {
            dropped += bytes.readableBytes();
        }
        ReferenceCountUtil.release(msg);
        if (dropped > LINGER_BYTES) {
            ctx.close();
        }
    }
}
