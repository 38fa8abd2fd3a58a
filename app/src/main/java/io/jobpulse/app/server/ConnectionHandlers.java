package io.jobpulse.app.server;

import io.jobpulse.push.WebSocketTransport;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.http.server.netty.NettyServerCustomizer;
import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import jakarta.inject.Singleton;

/**
 * What every HTTP connection of the server gets beside Micronaut's own handlers, next to its
 * socket: a {@link LingeringClose}, and a {@link SocketMessageLimit} and a {@link ClosingHandshake}
 * for when it becomes a WebSocket; and what it loses: WebSocket compression.
 */
@Singleton
class ConnectionHandlers implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

    /** The name Micronaut gives the handler that accepts a WebSocket's permessage-deflate. */
    private static final String MICRONAUT_COMPRESSION = "WebSocketServerCompressionHandler";

    @Override
    public NettyServerCustomizer.Registry onCreated(BeanCreatedEvent<NettyServerCustomizer.Registry> event) {
        event.getBean().register(new Customizer(null));
        return event.getBean();
    }

    private record Customizer(Channel channel) implements NettyServerCustomizer {

        @Override
        public NettyServerCustomizer specializeForChannel(Channel channel, ChannelRole role) {
            return role == ChannelRole.CONNECTION ? new Customizer(channel) : this;
        }

        @Override
        public void onStreamPipelineBuilt() {
            if (channel instanceof DuplexChannel) {
                // Sockets decline permessage-deflate. Netty's inflater sits between the frame decoder and
                // any handler that could count, and inflates a whole frame before passing it on: a frame
                // within the 16 KiB limit could become megabytes (1,000 to 1 for zeros) before the
                // message limit saw it, and a fragmented message many times that. Messages clients send
                // are short JSON, so declining costs nothing there; what the server sends goes
                // uncompressed, which is the price of a limit that counts the bytes the server holds.
                if (channel.pipeline().get(MICRONAUT_COMPRESSION) != null) {
                    channel.pipeline().remove(MICRONAUT_COMPRESSION);
                }
                channel.pipeline().addFirst(SocketMessageLimit.INSTALLER, new SocketMessageLimit.Installer(WebSocketTransport.MAX_MESSAGE_BYTES));
                channel.pipeline().addFirst("jobpulse-lingering-close", new LingeringClose());
            }
        }
    }
}
