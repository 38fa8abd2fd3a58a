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
 * for when it becomes a WebSocket.
 */
@Singleton
class ConnectionHandlers implements BeanCreatedEventListener<NettyServerCustomizer.Registry> {

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
                channel.pipeline().addFirst(SocketMessageLimit.INSTALLER, new SocketMessageLimit.Installer(WebSocketTransport.MAX_MESSAGE_BYTES));
                channel.pipeline().addFirst("jobpulse-lingering-close", new LingeringClose());
            }
        }
    }
}
