import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code POST /v1/jobs} throughput, open loop at stepped fixed rates, beside a bare Micronaut POST
 * endpoint in the same server ({@code POST /bench/baseline}, on where
 * {@code jobpulse.bench.baseline-endpoint} is true) and beside a trivial Netty responder in this
 * process (the load generator's own ceiling on this machine).
 *
 * <p>The generator is a small Netty HTTP/1.1 client: a fixed set of keep-alive connections, one
 * request in flight on each (no pipelining), 1 KB bodies written as prepared bytes. A scheduler
 * thread releases each request at its intended time; it goes out on an idle connection, or waits
 * for one, and its latency is counted from the intended time, so a stall counts for every request
 * it holds up. Each step runs at one rate; then the generator waits for the step's answers.
 *
 * <p>A step is sustained when at least 95 % of the intended requests were answered 2xx within the
 * step's time, none failed, and the p99 from the intended send is within {@code P99_LIMIT_MS}. For
 * Jobpulse it also needs every stage to keep up: the lag of every consumer group on the broker
 * (the topology's and the projections', committed offsets against the read_committed end) is
 * sampled during the step and must come back to at most {@code LAG_DRAINED} records within
 * {@code DRAIN_LIMIT_S} after it. Steps go up until one is not sustained. With env BENCH_DEV_PID (the
 * server's pid), each step also says the server's CPU time per request, from the step's start until
 * its answers are in and (for Jobpulse) its lag drained, less what the server used idle over as
 * long (measured first): on 2 cores, 2,000 ms/s divided by it bounds the rate. PostgreSQL runs in
 * processes of its own and is not counted.
 *
 * <p>Usage: java -cp "app/target/lib/*" bench/SubmitThroughput.java baseUrl kafkaBootstrap
 * [rates=1000,2000,3000,5000,7500,10000,15000,20000] [seconds per step=8] [connections=64] [generator-only rates=10000,20000,30000]
 * [what to run=generator,bare,jobpulse] (env JOBPULSE_TOKEN: a user's token; BENCH_RESULTS: where the rows go).
 * The rows of the common table are reported only when all three ran.
 */
public class SubmitThroughput {

    private static final double P99_LIMIT_MS = 100;
    private static final double ACHIEVED_SHARE = 0.95;
    private static final long LAG_DRAINED = 100;
    private static final double DRAIN_LIMIT_S = 5;
    private static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(60);
    private static final int BODY_BYTES = 1024;

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        String bootstrap = args[1];
        int[] rates = ints(args.length > 2 ? args[2] : "1000,2000,3000,5000,7500,10000,15000,20000");
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 8;
        int connections = args.length > 4 ? Integer.parseInt(args[4]) : 64;
        int[] generatorRates = ints(args.length > 5 ? args[5] : "10000,20000,30000");
        List<String> targets = List.of((args.length > 6 ? args[6] : "generator,bare,jobpulse").split(","));
        String token = System.getenv("JOBPULSE_TOKEN");
        System.out.printf("open loop, %d keep-alive connections, 1 request in flight each, %d-byte bodies, %d s a step%n",
                connections, BODY_BYTES, seconds);

        EventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            if (System.getenv("BENCH_DEV_PID") != null) {
                measureIdleCpu();
            }
            List<Step> generator = List.of();
            if (targets.contains("generator")) {
                EventLoopGroup responderLoop = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
                Channel responder = trivialResponder(responderLoop);
                int responderPort = ((InetSocketAddress) responder.localAddress()).getPort();
                generator = run("generator alone -> Netty responder", loops, URI.create("http://127.0.0.1:" + responderPort), "/",
                        null, connections, generatorRates, Math.min(seconds, 4), null, false);
                responder.close().sync();
                responderLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            }
            List<Step> bare = !targets.contains("bare") ? List.of()
                    : run("bare Micronaut POST /bench/baseline", loops, base, "/bench/baseline", null, connections, rates, seconds, null, true);
            if (targets.contains("jobpulse")) {
                try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
                    List<Step> jobpulse = run("Jobpulse POST /v1/jobs", loops, base, "/v1/jobs", token, connections, rates, seconds, admin, true);
                    if (targets.size() == 3) {
                        report(jobpulse, bare, generator);
                    }
                }
            }
        } finally {
            loops.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        }
        System.exit(0);
    }

    /** The rows of the common table, and a summary. */
    private static void report(List<Step> jobpulse, List<Step> bare, List<Step> generator) {
        int sustained = highestSustained(jobpulse);
        int bareSustained = highestSustained(bare);
        int generatorSustained = highestSustained(generator);
        System.out.println();
        System.out.printf("highest step sustained: Jobpulse %,d/s, bare endpoint %,d/s, generator alone %,d/s (of the steps tried)%n",
                sustained, bareSustained, generatorSustained);
        new Results("submit.sustained", "POST /v1/jobs, 1 KB, highest rate sustained, lag bounded", "/s",
                sustained, bareSustained, "bare Micronaut POST, same JVM", false, 10_000, 0.5).report();
        for (Step step : jobpulse) {
            Step other = bare.stream().filter(s -> s.rate == step.rate).findFirst().orElse(null);
            new Results("submit." + step.rate + ".p99", String.format("POST /v1/jobs at %,d/s, p99 (%,.0f/s done%s)",
                    step.rate, step.achieved(), step.lagVerdict()), "ms", step.ms(99), other == null ? Double.NaN : other.ms(99),
                    "bare endpoint at the same rate", true, P99_LIMIT_MS, Double.NaN).report();
        }
        Step first = jobpulse.isEmpty() ? null : jobpulse.getFirst();
        Step bareFirst = first == null ? null : bare.stream().filter(s -> s.rate == first.rate).findFirst().orElse(null);
        if (first != null) {
            new Results("submit.cpu-per-request", String.format("dev's CPU per POST /v1/jobs at %,d/s, incl. its fold and projections", first.rate),
                    "ms", first.serverCpuMs / first.answered.get(), bareFirst == null ? Double.NaN : bareFirst.serverCpuMs / bareFirst.answered.get(),
                    "bare endpoint at the same rate", true, Double.NaN, Double.NaN).report();
        }
        new Results("submit.generator", "load generator alone (Netty responder), highest rate", "/s",
                generatorSustained, Double.NaN, null, false, Double.NaN, Double.NaN).report();
    }

    private static int highestSustained(List<Step> steps) {
        return steps.stream().filter(Step::sustained).mapToInt(s -> s.rate).max().orElse(0);
    }

    /** Runs the steps in order until one is not sustained. */
    private static List<Step> run(String name, EventLoopGroup loops, URI base, String path, String token, int connections,
                                  int[] rates, int seconds, Admin admin, boolean devServer) throws Exception {
        System.out.println();
        System.out.println(name + ":");
        System.out.printf("  %8s %10s %8s %8s %8s %8s %7s %10s %9s %9s  %s%n", "rate", "achieved", "p50", "p90", "p99", "max",
                "errors", "lag max", "drained", "CPU ms/r", "sustained");
        byte[] request = request(base, path, token);
        Generator generator = new Generator(loops, base, request, connections, devServer);
        List<Step> steps = new ArrayList<>();
        try {
            // A short warm-up at the first rate: connections, JIT, the server's first requests.
            generator.step(new Step(rates[0]), Math.min(2, seconds), null);
            for (int rate : rates) {
                Step step = new Step(rate);
                generator.step(step, seconds, admin);
                steps.add(step);
                System.out.printf("  %,8d %,10.0f %8.1f %8.1f %8.1f %8.1f %7d %10s %9s %9.3f  %s%n", rate, step.achieved(), step.ms(50),
                        step.ms(90), step.ms(99), step.ms(100), step.errors.get(), admin == null ? "-" : step.lagMax,
                        admin == null ? "-" : step.drainedAfter < 0 ? "no" : String.format("%.1f s", step.drainedAfter),
                        step.serverCpuMs / step.answered.get(), step.sustained() ? "yes" : "no");
                if (!step.sustained()) {
                    if (step.firstError != null) {
                        System.out.println("  first error: " + step.firstError);
                    }
                    if (!step.lagByGroup.isEmpty()) {
                        System.out.println("  lag by group at the step's end: " + step.lagByGroup);
                    }
                    break;
                }
            }
        } finally {
            generator.close();
        }
        return steps;
    }

    /** One step: its rate and what came of it. */
    static final class Step {
        final int rate;
        final Histogram latency = new ConcurrentHistogram(MAX_NANOS, 3);
        final AtomicLong inTime = new AtomicLong();
        final AtomicLong answered = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        volatile String firstError;
        long intended;
        long seconds;
        long end;
        volatile long lagMax;
        /** The server's CPU time (all its threads) from the step's start until its answers and lag were in, in ms. */
        double serverCpuMs = Double.NaN;
        double drainedAfter = -1;
        boolean checkLag;
        Map<String, Long> lagByGroup = Map.of();

        Step(int rate) {
            this.rate = rate;
        }

        double achieved() {
            return seconds == 0 ? 0 : (double) inTime.get() / seconds;
        }

        double ms(double percentile) {
            return latency.getTotalCount() == 0 ? Double.NaN : latency.getValueAtPercentile(percentile) / 1e6;
        }

        boolean sustained() {
            return inTime.get() >= ACHIEVED_SHARE * intended && errors.get() == 0 && answered.get() == intended
                    && ms(99) <= P99_LIMIT_MS && (!checkLag || (drainedAfter >= 0 && drainedAfter <= DRAIN_LIMIT_S));
        }

        String lagVerdict() {
            return !checkLag ? "" : drainedAfter < 0 ? ", lag not drained"
                    : String.format(", lag drained in %.1f s", drainedAfter);
        }

        void answer(long intendedAt, int status, String error) {
            long now = System.nanoTime();
            answered.incrementAndGet();
            if (status / 100 != 2) {
                errors.incrementAndGet();
                if (firstError == null) {
                    firstError = status + " " + (error == null ? "" : error);
                }
                return;
            }
            latency.recordValue(Math.min(MAX_NANOS, now - intendedAt));
            if (now <= end) {
                inTime.incrementAndGet();
            }
        }
    }

    /** A request waiting for a connection: its step and intended send time. */
    private record Pending(Step step, long intended) {
    }

    /** The open-loop generator over a fixed set of keep-alive connections. */
    static final class Generator {
        private final byte[] request;
        private final Queue<Pending> pending = new ConcurrentLinkedQueue<>();
        private final Queue<Connection> idle = new ConcurrentLinkedQueue<>();
        private final List<Connection> all = new ArrayList<>();
        /** Whether the server is dev's process, whose CPU time is then measured. */
        private final boolean devServer;

        Generator(EventLoopGroup loops, URI base, byte[] request, int connections, boolean devServer) throws InterruptedException {
            this.request = request;
            this.devServer = devServer;
            Bootstrap bootstrap = new Bootstrap().group(loops).channel(NioSocketChannel.class)
                    .option(ChannelOption.TCP_NODELAY, true);
            for (int i = 0; i < connections; i++) {
                Connection connection = new Connection();
                Channel channel = bootstrap.handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpResponseDecoder(), connection);
                    }
                }).connect(base.getHost(), base.getPort()).sync().channel();
                connection.channel = channel;
                all.add(connection);
                idle.add(connection);
            }
        }

        /** Sends at the step's rate for the given seconds, waits for the answers, then measures the lag. */
        void step(Step step, int seconds, Admin admin) throws Exception {
            double cpuBefore = devServer ? serverCpuMs() : Double.NaN;
            long wallBefore = System.nanoTime();
            long total = (long) step.rate * seconds;
            long interval = 1_000_000_000L / step.rate;
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
            step.intended = total;
            step.seconds = seconds;
            step.end = start + TimeUnit.SECONDS.toNanos(seconds);
            // The lag during the step, sampled once a second on another thread so that the schedule is not held up.
            Thread sampler = admin == null ? null : Thread.ofVirtual().start(() -> {
                while (System.nanoTime() < step.end) {
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
                    step.lagMax = Math.max(step.lagMax, totalLag(lag(admin)));
                }
            });
            for (long n = 0; n < total; n++) {
                long intended = start + n * interval;
                long wait = intended - System.nanoTime();
                if (wait > 0) {
                    LockSupport.parkNanos(wait);
                }
                pending.add(new Pending(step, intended));
                dispatch();
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (step.answered.get() < total && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (step.answered.get() < total) {
                pending.removeIf(p -> p.step == step);
            }
            if (sampler != null) {
                sampler.join();
                step.checkLag = true;
                long ended = step.end;
                long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (System.nanoTime() < drainDeadline) {
                    Map<String, Long> lag = lag(admin);
                    step.lagByGroup = lag;
                    step.lagMax = Math.max(step.lagMax, totalLag(lag));
                    if (lag.values().stream().allMatch(l -> l <= LAG_DRAINED)) {
                        step.drainedAfter = Math.max(0, (System.nanoTime() - ended) / 1e9);
                        break;
                    }
                    Thread.sleep(200);
                }
            }
            step.serverCpuMs = serverCpuMs() - cpuBefore - idleCpuPerMs * (System.nanoTime() - wallBefore) / 1e6;
        }

        /** Sends waiting requests on idle connections; called by whoever adds either, after adding it. */
        void dispatch() {
            while (!pending.isEmpty()) {
                Connection connection = idle.poll();
                if (connection == null) {
                    return;
                }
                Pending next = pending.poll();
                if (next == null) {
                    idle.add(connection);
                    continue;
                }
                connection.send(next);
            }
        }

        void close() {
            for (Connection connection : all) {
                connection.channel.close();
            }
        }

        /** One keep-alive connection with at most one request in flight. */
        final class Connection extends SimpleChannelInboundHandler<HttpObject> {
            volatile Channel channel;
            private Pending current;
            private int status;
            private String error;

            void send(Pending request) {
                channel.eventLoop().execute(() -> {
                    if (!channel.isActive()) {
                        request.step.answer(request.intended, -1, "connection closed");
                        return;
                    }
                    current = request;
                    status = 0;
                    error = null;
                    channel.writeAndFlush(Unpooled.wrappedBuffer(Generator.this.request));
                });
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
                if (message instanceof HttpResponse response) {
                    status = response.status().code();
                }
                if (message instanceof HttpContent content && status / 100 != 2 && error == null) {
                    error = content.content().toString(StandardCharsets.UTF_8);
                    error = error.substring(0, Math.min(300, error.length()));
                }
                if (message instanceof LastHttpContent) {
                    Pending done = current;
                    current = null;
                    done.step.answer(done.intended, status, error);
                    idle.add(this);
                    dispatch();
                }
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                if (current != null) {
                    current.step.answer(current.intended, -1, "connection closed");
                    current = null;
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                ctx.close();
            }
        }
    }

    /** The server's CPU ms per ms of wall time when no request comes (its fold, projections and broker polling), measured at the start. */
    private static double idleCpuPerMs;

    private static void measureIdleCpu() throws InterruptedException {
        double before = serverCpuMs();
        long start = System.nanoTime();
        Thread.sleep(3000);
        idleCpuPerMs = Math.max(0, (serverCpuMs() - before) / ((System.nanoTime() - start) / 1e6));
        System.out.printf("the server idle: %.0f ms of CPU a second (taken off each step's CPU per request)%n", idleCpuPerMs * 1000);
    }

    /** The CPU time the server process (env BENCH_DEV_PID) has used, in ms, from /proc; NaN where unknown. */
    private static double serverCpuMs() {
        String pid = System.getenv("BENCH_DEV_PID");
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            // utime and stime, fields 14 and 15 of stat, in clock ticks of 10 ms (USER_HZ 100 on Linux)
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10.0;
        } catch (Exception e) {
            return Double.NaN;
        }
    }

    /** Each consumer group's lag on the broker: read_committed end offsets minus committed offsets, summed. */
    private static Map<String, Long> lag(Admin admin) {
        Map<String, Long> lag = new TreeMap<>();
        try {
            for (GroupListing group : admin.listGroups(ListGroupsOptions.forConsumerGroups()).all().get(5, TimeUnit.SECONDS)) {
                Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group.groupId())
                        .partitionsToOffsetAndMetadata().get(5, TimeUnit.SECONDS);
                Map<TopicPartition, OffsetSpec> latest = new java.util.HashMap<>();
                committed.keySet().forEach(p -> latest.put(p, OffsetSpec.latest()));
                var ends = admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all().get(5, TimeUnit.SECONDS);
                long sum = 0;
                for (var entry : committed.entrySet()) {
                    if (entry.getValue() != null && ends.containsKey(entry.getKey())) {
                        sum += Math.max(0, ends.get(entry.getKey()).offset() - entry.getValue().offset());
                    }
                }
                lag.put(group.groupId(), sum);
            }
        } catch (Exception e) {
            lag.put("error: " + e, Long.MAX_VALUE);
        }
        return lag;
    }

    private static long totalLag(Map<String, Long> lag) {
        return lag.values().stream().mapToLong(Long::longValue).reduce(0, (a, b) -> a == Long.MAX_VALUE || b == Long.MAX_VALUE ? Long.MAX_VALUE : a + b);
    }

    /** The whole request as bytes: a submission padded to 1 KB of body. */
    private static byte[] request(URI base, String path, String token) {
        String head = "{\"type\":\"bench.submit\",\"input\":{\"prompt\":\"";
        String tail = "\"}}";
        String body = head + "x".repeat(BODY_BYTES - head.length() - tail.length()) + tail;
        String text = "POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + "Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** An HTTP/1.1 server that answers every request 202 with a small body: the generator's own ceiling. */
    private static Channel trivialResponder(EventLoopGroup loop) throws InterruptedException {
        byte[] answer = "{\"bytes\":1024}".getBytes(StandardCharsets.UTF_8);
        return new ServerBootstrap().group(loop).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new SimpleChannelInboundHandler<HttpObject>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpObject message) {
                                if (message instanceof LastHttpContent) {
                                    ByteBuf content = Unpooled.wrappedBuffer(answer);
                                    var response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.ACCEPTED, content);
                                    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                                            .setInt(HttpHeaderNames.CONTENT_LENGTH, answer.length);
                                    ctx.writeAndFlush(response);
                                }
                            }
                        });
                    }
                }).bind("127.0.0.1", 0).sync().channel();
    }

    private static int[] ints(String list) {
        return java.util.Arrays.stream(list.split(",")).map(String::trim).mapToInt(Integer::parseInt).toArray();
    }
}
