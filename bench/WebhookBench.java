import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * Job change -> webhook delivery, against a running Jobpulse (all roles in one process), beside
 * the same change on an SSE stream in the same run.
 *
 * <p>A fast receiver runs in this JVM (the JDK's HttpServer on loopback, answering 204 at once,
 * not checking signatures) and records when each delivery arrives. One endpoint is registered on
 * it for a tag; the jobs carry the tag. Reports go out at a fixed rate, open loop, round-robin
 * over the jobs, each at its intended send time whatever the earlier ones are doing, and every
 * latency runs from that intended time to the delivery's arrival at the receiver (and to the
 * change's arrival on {@code GET /v1/stream}), so a stall counts for every report it delays.
 * Each report carries a unique progress value, by which its delivery and its stream event are
 * found. A warm-up at the same rate comes first and is not counted.
 *
 * <p>Then the most the deliveries drain: the endpoint is paused, a backlog of reports is posted
 * as fast as the server takes them (64 in flight), and once all their changes are on the stream
 * the endpoint is resumed; deliveries per second from the first delivery of the backlog to its
 * last. Its baseline is bare HTTP POSTs from this JVM to the same receiver, 16 in flight (the
 * default {@code max-in-flight-per-endpoint}), for two seconds.
 *
 * <p>Usage: java -cp "app/target/lib/*" bench/WebhookBench.java baseUrl [reportsPerSecond=500]
 * [seconds=10] [jobs=500] [warmupSeconds=3] [backlog=10000] [drainSeconds=30]
 */
public class WebhookBench {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern JOB_ID = Pattern.compile("\"jobId\":\"([^\"]+)\"");
    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
    private static final Pattern PROGRESS = Pattern.compile("\"progress\":([-0-9.Ee+]+)");
    private static final double PROGRESS_STEP = 1e-8;
    private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(5);

    /** One report: its intended send time and when its change arrived, in System.nanoTime(). */
    private static final class Report {
        final long intended;
        volatile int status;
        volatile long delivered;
        volatile long streamed;

        Report(long intended) {
            this.intended = intended;
        }
    }

    /** The reports being sent, and the progress value before their first. */
    private record Run(Report[] reports, long offset, AtomicLong delivered, AtomicLong streamed) {
        Report find(double progress) {
            long n = Math.round(progress / PROGRESS_STEP) - 1 - offset;
            return n < 0 || n >= reports.length ? null : reports[(int) n];
        }
    }

    private final String base;
    private final String token = System.getenv("JOBPULSE_TOKEN");
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final String tag = "bench-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<String> jobs = new ArrayList<>();
    private final Set<String> firstDelivered = ConcurrentHashMap.newKeySet();
    private final Set<String> firstStreamed = ConcurrentHashMap.newKeySet();
    private volatile Run current = new Run(new Report[0], 0, new AtomicLong(), new AtomicLong());
    private long sentBefore;
    private HttpServer receiver;
    private String endpointId;

    private WebhookBench(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        int jobCount = args.length > 3 ? Integer.parseInt(args[3]) : 500;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        int backlog = args.length > 5 ? Integer.parseInt(args[5]) : 10_000;
        int drain = args.length > 6 ? Integer.parseInt(args[6]) : 30;
        WebhookBench bench = new WebhookBench(base);
        bench.start(jobCount);

        System.out.printf("%nopen loop: %d reports/s for %d s over %d jobs, after a %d s warm-up%n", rate, seconds, jobCount, warmup);
        Run run = bench.openLoop(rate, seconds + warmup, drain);
        bench.latencies(run, rate, rate * warmup);

        System.out.printf("%nmost throughput: a backlog of %,d reports behind a paused endpoint, then resumed%n", backlog);
        double drained = bench.drain(backlog, drain);
        double bare = bench.bareRate(16, 2);
        System.out.printf("deliveries drained: %,.0f/s; bare POSTs to the same receiver, 16 in flight: %,.0f/s%n", drained, bare);
        new Results("webhooks.max.rate", String.format("deliveries drained from a backlog of %,d (one endpoint)", backlog), "/s",
                drained, bare, "bare HTTP POSTs to the receiver, 16 in flight", false, Double.NaN, Double.NaN).report();
        bench.receiver.stop(0);
        System.exit(0);
    }

    /** Starts the receiver, opens the stream, registers the endpoint, submits the jobs, and waits for their first deliveries. */
    private void start(int jobCount) throws Exception {
        receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 512);
        receiver.setExecutor(Executors.newFixedThreadPool(4));
        receiver.createContext("/hook", exchange -> {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            long now = System.nanoTime();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            seen(new String(body, StandardCharsets.UTF_8), now, true);
        });
        receiver.start();
        openStream();
        String url = "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook";
        HttpResponse<String> created = http.send(authorized("/v1/endpoints").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + url + "\",\"filter\":{\"tags\":[\"" + tag + "\"]}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher id = ID.matcher(created.body());
        if (created.statusCode() != 201 || !id.find()) {
            throw new IllegalStateException("POST /v1/endpoints answered " + created.statusCode() + ": " + created.body());
        }
        endpointId = id.group(1);
        for (int i = 0; i < jobCount; i++) {
            jobs.add(submit());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!firstDelivered.containsAll(jobs) || !firstStreamed.containsAll(jobs)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the submitted jobs were not all delivered and streamed in 60 s");
            }
            Thread.sleep(10);
        }
        System.out.printf("endpoint %s on %s; %d jobs submitted, delivered and streamed%n", endpointId, url, jobCount);
    }

    /** A job update, from the receiver or the stream: the first version of a job, or a report of the current run. */
    private void seen(String json, long now, boolean delivery) {
        Matcher jobId = JOB_ID.matcher(json);
        Matcher version = VERSION.matcher(json);
        if (!jobId.find() || !version.find()) {
            return;
        }
        if (Long.parseLong(version.group(1)) == 1) {
            (delivery ? firstDelivered : firstStreamed).add(jobId.group(1));
            return;
        }
        Matcher progress = PROGRESS.matcher(json);
        Run run = current;
        Report report = progress.find() ? run.find(Double.parseDouble(progress.group(1))) : null;
        if (report == null) {
            return;
        }
        if (delivery && report.delivered == 0) {
            report.delivered = now;
            run.delivered.incrementAndGet();
        } else if (!delivery && report.streamed == 0) {
            report.streamed = now;
            run.streamed.incrementAndGet();
        }
    }

    private void openStream() throws InterruptedException {
        CountDownLatch open = new CountDownLatch(1);
        http.sendAsync(authorized("/v1/stream").header("Accept", "text/event-stream").timeout(Duration.ofHours(1)).GET().build(),
                HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
                    if (response.statusCode() != 200) {
                        System.err.println("GET /v1/stream answered " + response.statusCode());
                        System.exit(1);
                    }
                    open.countDown();
                    response.body().forEach(line -> {
                        if (line.startsWith("data:")) {
                            seen(line, System.nanoTime(), false);
                        }
                    });
                });
        if (!open.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("GET /v1/stream did not open in 30 s");
        }
    }

    /** Reports at a fixed rate, each at its intended time; waits until all are delivered and streamed, or the drain time is up. */
    private Run openLoop(int rate, int seconds, int drain) throws Exception {
        Run run = newRun(rate * seconds);
        long step = 1_000_000_000L / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        for (int n = 0; n < run.reports.length; n++) {
            long intended = start + n * step;
            LockSupport.parkNanos(intended - System.nanoTime());
            run.reports[n] = new Report(intended);
            post(run, n, null);
        }
        await(run, drain);
        return run;
    }

    private void latencies(Run run, int rate, int counted) {
        long gaveUp = System.nanoTime();
        Histogram delivered = histogram();
        Histogram streamed = histogram();
        long sent = 0;
        long missingDeliveries = 0;
        long missingStream = 0;
        long first = Long.MAX_VALUE;
        long last = 0;
        long deliveredCount = 0;
        long lastStreamed = 0;
        for (int n = counted; n < run.reports.length; n++) {
            Report report = run.reports[n];
            sent++;
            first = Math.min(first, report.intended);
            // A change that never came counts with the time it was waited for, so an overloaded rate cannot look met.
            missingDeliveries += report.delivered == 0 ? 1 : 0;
            missingStream += report.streamed == 0 ? 1 : 0;
            delivered.recordValue(Math.min(MAX_NANOS, (report.delivered == 0 ? gaveUp : report.delivered) - report.intended));
            streamed.recordValue(Math.min(MAX_NANOS, (report.streamed == 0 ? gaveUp : report.streamed) - report.intended));
            if (report.delivered != 0) {
                deliveredCount++;
                last = Math.max(last, report.delivered);
            }
            lastStreamed = Math.max(lastStreamed, report.streamed);
        }
        double deliveredRate = deliveredCount * 1e9 / Math.max(1, last - first);
        double streamedRate = (sent - missingStream) * 1e9 / Math.max(1, lastStreamed - first);
        System.out.printf("%n%-40s %9s %9s %9s %9s%n", "latency from intended send (ms)", "p50", "p90", "p99", "max");
        row("change -> webhook delivery received", delivered);
        row("change -> SSE event received", streamed);
        System.out.printf("%d reports counted; %d not delivered, %d not streamed; %,.0f deliveries/s, %,.0f SSE events/s%n",
                sent, missingDeliveries, missingStream, deliveredRate, streamedRate);
        String at = String.format("change -> webhook delivery at %,d/s", rate);
        String baselineWhat = "the same changes on SSE";
        new Results("webhooks." + rate + ".p50", at + ", p50", "ms", ms(delivered.getValueAtPercentile(50)),
                ms(streamed.getValueAtPercentile(50)), baselineWhat, true, Double.NaN, Double.NaN).report();
        new Results("webhooks." + rate + ".p99", at + ", p99", "ms", ms(delivered.getValueAtPercentile(99)),
                ms(streamed.getValueAtPercentile(99)), baselineWhat, true, Double.NaN, Double.NaN).report();
        new Results("webhooks." + rate + ".rate", String.format("webhook deliveries per second at %,d/s offered", rate), "/s",
                deliveredRate, streamedRate, "SSE events per second", false, rate * 0.95, Double.NaN).report();
        new Results("webhooks." + rate + ".missing", String.format("changes never delivered at %,d/s (of %,d)", rate, sent), "",
                missingDeliveries, missingStream, "never on SSE", true, 0, Double.NaN).report();
    }

    /** Pauses the endpoint, builds a backlog, resumes it, and returns deliveries per second from the first to the last. */
    private double drain(int backlog, int drain) throws Exception {
        control("pause");
        Run run = newRun(backlog);
        Semaphore inFlight = new Semaphore(64);
        for (int n = 0; n < backlog; n++) {
            inFlight.acquire();
            run.reports[n] = new Report(System.nanoTime());
            post(run, n, inFlight);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drain);
        while (run.streamed.get() < backlog && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        // The stream shows the changes once committed; the fan-out has read them by then or moments after.
        Thread.sleep(500);
        System.out.printf("backlog of %,d posted and streamed; %,d delivered while paused%n", run.streamed.get(), run.delivered.get());
        control("resume");
        await(run, drain);
        long first = Long.MAX_VALUE;
        long last = 0;
        for (Report report : run.reports) {
            if (report.delivered != 0) {
                first = Math.min(first, report.delivered);
                last = Math.max(last, report.delivered);
            }
        }
        System.out.printf("%,d of %,d delivered in %.2f s from the first to the last%n", run.delivered.get(), backlog, (last - first) / 1e9);
        return run.delivered.get() * 1e9 / Math.max(1, last - first);
    }

    /** The baseline of the drain: bare POSTs of a delivery-sized body to the same receiver. */
    private double bareRate(int concurrency, int seconds) throws Exception {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        URI uri = URI.create("http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook");
        String body = "{\"type\":\"job.updated\",\"data\":{\"jobId\":\"bare\",\"version\":0,\"job\":{\"id\":\"bare\",\"status\":\"running\"}}}"
                + " ".repeat(600);
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicLong done = new AtomicLong();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        while (System.nanoTime() < end) {
            inFlight.acquire();
            client.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((answer, error) -> {
                        done.incrementAndGet();
                        inFlight.release();
                    });
        }
        inFlight.acquire(concurrency);
        return done.get() * 1e9 / (System.nanoTime() - start);
    }

    private Run newRun(int total) {
        Run run = new Run(new Report[total], sentBefore, new AtomicLong(), new AtomicLong());
        sentBefore += total;
        current = run;
        return run;
    }

    private void post(Run run, int n, Semaphore inFlight) {
        Report report = run.reports[n];
        String job = jobs.get(n % jobs.size());
        http.sendAsync(authorized("/v1/jobs/" + job + "/reports").timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"running\",\"progress\":" + (run.offset + n + 1) * PROGRESS_STEP + "}"))
                        .build(), HttpResponse.BodyHandlers.discarding())
                .whenComplete((answer, error) -> {
                    report.status = error == null ? answer.statusCode() : -1;
                    if (report.status != 202) {
                        System.err.println("a report was answered " + (error == null ? answer.statusCode() : error));
                    }
                    if (inFlight != null) {
                        inFlight.release();
                    }
                });
    }

    private static void await(Run run, int drain) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drain);
        while (System.nanoTime() < deadline && (run.delivered.get() < run.reports.length || run.streamed.get() < run.reports.length)) {
            Thread.sleep(20);
        }
    }

    private void control(String action) throws Exception {
        HttpResponse<String> answer = http.send(authorized("/v1/endpoints/" + endpointId + "/" + action)
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        if (answer.statusCode() != 200) {
            throw new IllegalStateException(action + " answered " + answer.statusCode() + ": " + answer.body());
        }
    }

    private String submit() throws Exception {
        HttpResponse<String> response = http.send(authorized("/v1/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"bench.webhooks\",\"input\":{},\"tags\":[\"" + tag + "\"]}")).build(),
                HttpResponse.BodyHandlers.ofString());
        Matcher id = ID.matcher(response.body());
        if (response.statusCode() != 202 || !id.find()) {
            throw new IllegalStateException("submit answered " + response.statusCode() + ": " + response.body());
        }
        return id.group(1);
    }

    /** A request as the user whose token dev printed (JOBPULSE_TOKEN, set by bench/dev-instance.sh). */
    private HttpRequest.Builder authorized(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token);
    }

    private static void row(String name, Histogram h) {
        System.out.printf("%-40s %9.1f %9.1f %9.1f %9.1f%n", name, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)),
                ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
    }

    private static Histogram histogram() {
        return new Histogram(MAX_NANOS, 3);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }
}
