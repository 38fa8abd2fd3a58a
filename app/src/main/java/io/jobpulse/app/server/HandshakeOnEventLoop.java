package io.jobpulse.app.server;

import io.jobpulse.http.Routes;
import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.Filter;
import io.micronaut.http.filter.HttpServerFilter;
import io.micronaut.http.filter.ServerFilterChain;
import io.micronaut.http.server.netty.NettyHttpRequest;
import io.netty.channel.EventLoop;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

/**
 * Finishes the filters of a WebSocket handshake on its connection's event loop. Micronaut answers an
 * upgrade on whatever thread the filter chain completes on: it writes the {@code 101}, which puts
 * Netty's frame decoder in the pipeline at once, and only then swaps its HTTP handler for its
 * WebSocket handler. A credential looked up off the event loop (a stream token or an API key, in
 * PostgreSQL) makes that thread another one, and the event loop goes on reading meanwhile: a frame
 * the client sends as soon as it sees the {@code 101}, as browsers do from {@code onopen}, reaches the
 * HTTP handler, which fails on it ({@code TextWebSocketFrame cannot be cast to HttpRequest}) and the
 * message is lost. On the event loop, the answer and the swap happen before the next bytes are read.
 * This filter comes first, so that it is the last to complete.
 */
@Filter(Routes.SOCKET)
final class HandshakeOnEventLoop implements HttpServerFilter {

    @Override
    public Publisher<MutableHttpResponse<?>> doFilter(HttpRequest<?> request, ServerFilterChain chain) {
        if (!(request instanceof NettyHttpRequest<?> netty)) {
            return chain.proceed(request);
        }
        EventLoop loop = netty.getChannelHandlerContext().channel().eventLoop();
        return Flux.from(chain.proceed(request)).publishOn(Schedulers.fromExecutor(task -> {
            if (loop.inEventLoop()) {
                task.run();
            } else {
                loop.execute(task);
            }
        }));
    }

    @Override
    public int getOrder() {
        return Ordered.HIGHEST_PRECEDENCE;
    }
}
