import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Push under many subscribers, Jobpulse (all roles in one process, {@code ./jobpulse dev}) beside
 * a bare Netty SSE server (bench/BareSseServer.java) measured the same way in the same run:
 *
 * 1. heap per idle SSE connection: the server's live heap (the total of jcmd GC.class_histogram,
 *    objects that survive a full collection) with N idle SSE streams open, minus the same before
 *    they opened, divided by N.
 *    Jobpulse's streams are multi-job streams ({@code GET /v1/stream?tag=...}) of one user.
 * 2. fan-out to the N streams: K changes sent open loop at a fixed rate (Jobpulse: worker reports
 *    on one job all the streams select; bare: {@code POST /fire?version=...}, one pre-encoded event to every
 *    stream), each change's latency from its intended send time to its arrival on each stream and
 *    on the last stream, in HdrHistogram percentiles; also printed, the fan-out alone: from a
 *    change's arrival on the first stream to its arrival on the last. Jobpulse's changes are known
 *    by version, in the order the fold applied them: report r makes version r + 2 (two reports that
 *    overtake each other on the way swap their figures, a small error). A stream that got a later version first
 *    (coalescing) counts as having the change then. The first fifth of the changes warm up and
 *    are not counted.
 *
 * The client side is two Netty event loops for all N connections, opened at most 64 at a time.
 * Set PUSH_HISTOGRAM_DIR to also keep each server's class histogram before and with the streams,
 * PUSH_JFR to a file name to record Jobpulse (JFR, settings=profile) during its fan-out only.
 *
 * Usage: java -cp "app/target/lib/*" bench/PushBench.java jobpulseUrl jobpulsePid bareUrl barePid jcmd
 *        [connections] [changes] [changes per second]
 */
public class PushBench {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)");
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static String jcmd;

    /** What one server's run measured. */
    record Figures(double kibPerConnection, Histogram toStream, Histogram toLast) {
    }

    /** One server under test: where its streams are and how a change is made on them. */
    interface Target {
        String name();

        long pid();

        URI base();

        String streamPath();

        String authorization();

        /** Sends change number {@code r}; completes when the server accepted it. */
        CompletableFuture<?> change(int r);
    }

    public static void main(String[] args) throws Exception {
        URI jobpulse = URI.create(args[0]);
        long jobpulsePid = Long.parseLong(args[1]);
        URI bare = URI.create(args[2]);
        long barePid = Long.parseLong(args[3]);
        jcmd = args[4];
        int connections = args.length > 5 ? Integer.parseInt(args[5]) : 5000;
        int changes = args.length > 6 ? Integer.parseInt(args[6]) : 50;
        double rate = args.length > 7 ? Double.parseDouble(args[7]) : 2;

        MultiThreadIoEventLoopGroup loop = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            Figures baseline = run(loop, bareTarget(bare, barePid), connections, changes, rate);
            if (jobpulsePid < 0) {
                return; // the baseline alone, to look at the benchmark itself
            }
            Figures measured = run(loop, jobpulseTarget(jobpulse, jobpulsePid), connections, changes, rate);
            String n = String.format("%,d", connections);
            new Results("push.idle-heap-per-connection", "heap per idle SSE connection (" + n + " open)", "KiB",
                    measured.kibPerConnection(), baseline.kibPerConnection(), "bare Netty SSE server", true, 8, Double.NaN).report();
            new Results("push.fanout." + connections + ".stream.p99", "fan-out: one report to " + n + " streams, p99 to a stream", "ms",
                    ms(measured.toStream(), 99), ms(baseline.toStream(), 99), "bare Netty writing one pre-encoded event",
                    true, 100, Double.NaN).report();
            new Results("push.fanout." + connections + ".last.p99", "fan-out: one report to " + n + " streams, p99 to the last stream", "ms",
                    ms(measured.toLast(), 99), ms(baseline.toLast(), 99), "bare Netty writing one pre-encoded event",
                    true, 100, Double.NaN).report();
        } finally {
            loop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
    }

    private static Figures run(MultiThreadIoEventLoopGroup loop, Target target, int connections, int changes, double rate)
            throws Exception {
        long before = liveHeapKb(target, "before");
        int warmup = changes / 5;
        int versions = changes + 2;
        List<Stream> streams = open(loop, target, connections, versions);
        long with = liveHeapKb(target, "with");
        double perConnection = (with - before) / (double) connections;
        System.out.printf("%s: %,d idle SSE streams; live heap %,d KiB before, %,d KiB with them: %.2f KiB per connection%n",
                target.name(), connections, before, with, perConnection);

        String recording = System.getenv("PUSH_JFR");
        boolean profile = recording != null && !recording.isBlank() && target.name().equals("Jobpulse");
        if (profile) {
            run(jcmd, Long.toString(target.pid()), "JFR.start", "name=push-fanout", "settings=profile");
        }
        long period = (long) (TimeUnit.SECONDS.toNanos(1) / rate);
        long[] intended = new long[changes];
        List<CompletableFuture<?>> sent = new ArrayList<>();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        for (int r = 0; r < changes; r++) {
            intended[r] = start + r * period;
            long wait = intended[r] - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            sent.add(target.change(r));
        }
        int incomplete = 0;
        try {
            CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            long last = versions - 1;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (Stream stream : streams) {
                while (stream.highest.get() < last && stream.channel.isActive() && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                if (stream.highest.get() < last) {
                    incomplete++;
                    stream.arrived(last, deadline);
                }
            }
        } finally {
            if (profile) {
                run(jcmd, Long.toString(target.pid()), "JFR.stop", "name=push-fanout", "filename=" + recording);
            }
        }
        if (incomplete > 0) {
            System.out.printf("%s: %,d of %,d streams lacked the last change 30 s after it was sent (closed, or too slow);"
                    + " the changes they lacked count as arriving then%n", target.name(), incomplete, connections);
        }
        Histogram toStream = new Histogram(MAX_NANOS, 3);
        Histogram toLast = new Histogram(MAX_NANOS, 3);
        Histogram spread = new Histogram(MAX_NANOS, 3);
        for (int r = warmup; r < changes; r++) {
            long lastArrival = 0;
            long firstArrival = Long.MAX_VALUE;
            for (Stream stream : streams) {
                long at = stream.arrivals[r + 2];
                toStream.recordValue(Math.max(0, at - intended[r]));
                lastArrival = Math.max(lastArrival, at);
                firstArrival = Math.min(firstArrival, at);
            }
            toLast.recordValue(Math.max(0, lastArrival - intended[r]));
            spread.recordValue(Math.max(0, lastArrival - firstArrival));
        }
        System.out.printf("%s: %d changes at %.1f/s (first %d not counted), each to %,d streams%n", target.name(), changes, rate, warmup, connections);
        print(target.name() + " change -> a stream", toStream);
        print(target.name() + " change -> the last stream", toLast);
        print(target.name() + " first stream -> last stream", spread);
        for (Stream stream : streams) {
            stream.channel.close();
        }
        streams.getFirst().channel.closeFuture().sync();
        return new Figures(perConnection, toStream, toLast);
    }

    /** One open stream: per version, when it (or a later one) first arrived. */
    static final class Stream {
        final long[] arrivals;
        final AtomicLong highest = new AtomicLong();
        volatile Channel channel;

        Stream(int versions) {
            arrivals = new long[versions + 1];
        }

        /** On the event loop: a data line carrying this version arrived at {@code now}. */
        synchronized void arrived(long version, long now) {
            long from = highest.get();
            for (long v = from + 1; v <= Math.min(version, arrivals.length - 1); v++) {
                arrivals[(int) v] = now;
            }
            if (version > from) {
                highest.set(version);
            }
        }
    }

    private static List<Stream> open(MultiThreadIoEventLoopGroup loop, Target target, int connections, int versions) throws Exception {
        Semaphore opening = new Semaphore(64);
        AtomicInteger failed = new AtomicInteger();
        List<Stream> streams = new ArrayList<>();
        Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true);
        String host = target.base().getHost();
        int port = target.base().getPort();
        for (int i = 0; i < connections; i++) {
            opening.acquire();
            Stream stream = new Stream(versions);
            streams.add(stream);
            bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
                @Override
                protected void initChannel(SocketChannel channel) {
                    channel.pipeline().addLast(new HttpClientCodec(), new SseReader(stream, opening, failed));
                }
            }).connect(host, port).addListener(connected -> {
                if (!connected.isSuccess()) {
                    failed.incrementAndGet();
                    opening.release();
                    return;
                }
                Channel channel = ((io.netty.channel.ChannelFuture) connected).channel();
                stream.channel = channel;
                DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target.streamPath());
                request.headers().set(HttpHeaderNames.HOST, host + ":" + port).set(HttpHeaderNames.ACCEPT, "text/event-stream");
                if (target.authorization() != null) {
                    request.headers().set(HttpHeaderNames.AUTHORIZATION, target.authorization());
                }
                channel.writeAndFlush(request);
            });
        }
        if (!opening.tryAcquire(64, 2, TimeUnit.MINUTES) || failed.get() > 0) {
            throw new IllegalStateException(target.name() + ": " + failed.get() + " of " + connections + " streams failed to open");
        }
        return streams;
    }

    /** Reads an SSE response: lets the next stream open once this one answered, and notes each data line's version. */
    static final class SseReader extends SimpleChannelInboundHandler<HttpObject> {
        private static final byte[] VERSION = "\"version\":".getBytes(StandardCharsets.US_ASCII);
        private final Stream stream;
        private final Semaphore opening;
        private final AtomicInteger failed;
        private final StringBuilder line = new StringBuilder();

        SseReader(Stream stream, Semaphore opening, AtomicInteger failed) {
            this.stream = stream;
            this.opening = opening;
            this.failed = failed;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
            if (message instanceof HttpResponse response) {
                if (response.status().code() != 200) {
                    failed.incrementAndGet();
                    System.err.println("stream answered " + response.status());
                }
                opening.release();
            }
            if (message instanceof HttpContent content) {
                ByteBuf bytes = content.content();
                for (int i = bytes.readerIndex(); i < bytes.writerIndex(); i++) {
                    char c = (char) bytes.getByte(i);
                    if (c == '\n') {
                        dataLine();
                        line.setLength(0);
                    } else {
                        line.append(c);
                    }
                }
            }
        }

        private void dataLine() {
            if (line.length() < 5 || !line.substring(0, 5).equals("data:")) {
                return;
            }
            int at = line.indexOf("\"version\":");
            if (at < 0) {
                return;
            }
            long version = 0;
            for (int i = at + VERSION.length; i < line.length() && Character.isDigit(line.charAt(i)); i++) {
                version = version * 10 + (line.charAt(i) - '0');
            }
            stream.arrived(version, System.nanoTime());
        }
    }

    private static Target bareTarget(URI base, long pid) {
        return new Target() {
            public String name() { return "bare Netty"; }
            public long pid() { return pid; }
            public URI base() { return base; }
            public String streamPath() { return "/v1/stream"; }
            public String authorization() { return null; }
            public CompletableFuture<?> change(int r) {
                return HTTP.sendAsync(HttpRequest.newBuilder(base.resolve("/fire?version=" + (r + 2))).POST(HttpRequest.BodyPublishers.noBody()).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding()).thenApply(response -> expect(response, 204));
            }
        };
    }

    private static Target jobpulseTarget(URI base, long pid) throws Exception {
        String authorization = "Bearer " + System.getenv("JOBPULSE_TOKEN");
        String tag = "bench-" + System.nanoTime();
        java.net.http.HttpResponse<String> submitted = HTTP.send(post(base, "/v1/jobs", authorization,
                "{\"type\":\"bench.push\",\"tags\":[\"" + tag + "\"]}"), java.net.http.HttpResponse.BodyHandlers.ofString());
        Matcher id = ID.matcher(submitted.body());
        if (submitted.statusCode() != 202 || !id.find()) {
            throw new IllegalStateException("submit answered " + submitted.statusCode() + ": " + submitted.body());
        }
        String job = id.group(1);
        return new Target() {
            public String name() { return "Jobpulse"; }
            public long pid() { return pid; }
            public URI base() { return base; }
            public String streamPath() { return "/v1/stream?tag=" + tag; }
            public String authorization() { return authorization; }
            public CompletableFuture<?> change(int r) {
                return HTTP.sendAsync(post(base, "/v1/jobs/" + job + "/reports", authorization,
                                // A message of its own: a report that overtakes an earlier one leaves the earlier one
                                // something to change (progress never moves back), so every report makes one version.
                                "{\"status\":\"running\",\"progress\":" + (r + 1) / 10000.0 + ",\"message\":\"push bench " + r + "\"}"),
                        java.net.http.HttpResponse.BodyHandlers.ofString()).thenApply(response -> expect(response, 202));
            }
        };
    }

    private static <T> java.net.http.HttpResponse<T> expect(java.net.http.HttpResponse<T> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException(response.uri() + " answered " + response.statusCode() + ": " + response.body());
        }
        return response;
    }

    private static HttpRequest post(URI base, String path, String authorization, String json) {
        return HttpRequest.newBuilder(base.resolve(path)).header("Authorization", authorization)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /**
     * The server's live heap in KiB: the total of {@code jcmd GC.class_histogram}, which counts the
     * objects that survive a full collection. (GC.heap_info after GC.run was tried first: on dev's
     * JVM its "used" kept tens of MB that the histogram's collection then freed, so it varied from
     * run to run.) With PUSH_HISTOGRAM_DIR set, the histogram is kept there.
     */
    private static long liveHeapKb(Target target, String when) throws IOException, InterruptedException {
        String histogram = run(jcmd, Long.toString(target.pid()), "GC.class_histogram");
        String dir = System.getenv("PUSH_HISTOGRAM_DIR");
        if (dir != null && !dir.isBlank()) {
            Files.writeString(Path.of(dir, target.name().replace(' ', '-') + "-" + when + ".txt"), histogram);
        }
        Matcher total = HISTOGRAM_TOTAL.matcher(histogram);
        if (!total.find()) {
            throw new IllegalStateException("no total from jcmd GC.class_histogram: " + histogram.lines().limit(3).toList());
        }
        return Long.parseLong(total.group(1)) / 1024;
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return output;
    }

    private static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1e6;
    }

    private static void print(String what, Histogram h) {
        System.out.printf("%-40s p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (%,d)%n", what,
                ms(h, 50), ms(h, 90), ms(h, 99), h.getMaxValue() / 1e6, h.getTotalCount());
    }
}
