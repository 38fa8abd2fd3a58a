import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.nio.charset.StandardCharsets;

/**
 * The baseline for push's memory and fan-out: a bare Netty SSE server doing nothing but holding
 * streams. {@code GET} of any other path than {@code /fire} opens an SSE stream (chunked, as
 * Micronaut's are) that stays idle; {@code POST /fire?version=N} writes one pre-encoded event, of
 * about the size of a Jobpulse update, with that version, to every open stream (the same bytes,
 * retained once per channel) and answers 204. Event loop threads: as many as Micronaut's
 * default (two per core).
 *
 * <p>Usage: java -cp "app/target/lib/*" bench/BareSseServer.java port
 */
public class BareSseServer {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        ChannelGroup streams = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        String padding = "x".repeat(900);
        MultiThreadIoEventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        MultiThreadIoEventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());
        new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 4096)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        channel.pipeline().addLast(new HttpServerCodec(), new SimpleChannelInboundHandler<HttpObject>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
                                if (!(message instanceof HttpRequest request)) {
                                    return;
                                }
                                if (request.uri().startsWith("/fire")) {
                                    long v = Long.parseLong(new QueryStringDecoder(request.uri()).parameters().get("version").getFirst());
                                    ByteBuf event = Unpooled.wrappedBuffer(("id: " + v + "\nevent: progress\ndata: {\"jobId\":\"bare\",\"version\":"
                                            + v + ",\"pad\":\"" + padding + "\"}\n\n").getBytes(StandardCharsets.UTF_8));
                                    streams.writeAndFlush(new DefaultHttpContent(event));
                                    DefaultFullHttpResponse done = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NO_CONTENT);
                                    done.headers().set(HttpHeaderNames.CONTENT_LENGTH, 0);
                                    ctx.writeAndFlush(done);
                                    return;
                                }
                                HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
                                response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                                        .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                                        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache, no-store");
                                ctx.write(response);
                                ctx.writeAndFlush(new DefaultHttpContent(Unpooled.copiedBuffer(": stream position\n\n", StandardCharsets.UTF_8)))
                                        .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                                streams.add(ctx.channel());
                            }
                        });
                    }
                })
                .bind(port).sync();
        System.out.println("bare SSE server on " + port);
        Thread.currentThread().join();
    }
}
