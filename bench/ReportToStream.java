import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Worker report accepted -> change on an SSE stream of all the user's jobs, open loop, against a
 * running Jobpulse (all roles in one process), beside raw Kafka end to end on the same broker.
 *
 * <p>Jobpulse: opens {@code GET /v1/stream}, submits N jobs and waits for their first versions on
 * the stream, then posts reports round-robin over the jobs at a fixed rate, each at its intended
 * send time whatever the earlier ones are doing (async HTTP over as many connections as are in
 * flight), and takes every latency from that intended time, so a stall counts for every report it
 * delays. Each report carries a unique progress value, by which its change is found on the stream.
 * A warm-up at the same rate comes first and is not counted.
 *
 * <p>Stages, from the intended send time, in the same clock: the report's receive time in the
 * change ({@code job.updatedAt}, the server's clock: same machine), the 202's arrival, the status
 * record's arrival at a read_uncommitted consumer of {@code jobpulse.job-status} (Streams has
 * processed the report and written the change, its transaction still open) and at a
 * read_committed one (the transaction committed: what push's feed can see), and the SSE arrival.
 *
 * <p>Baseline: a producer (acks=all, idempotent, linger 0) at the same rate to a fresh topic, and
 * a read_committed consumer; latency from the intended send time to receipt, and to the ack.
 *
 * <p>Several rates may be given (e.g. {@code 100,1000,2000}): they run one after another against the
 * same instance, stream and jobs, each followed by its baseline, and each reports its rows of the
 * common table ({@link Results}): p50 and p99 on the stream beside raw Kafka's, and how many reports
 * never showed. In those rows a report that never showed counts with the time it was waited for (a
 * lower bound), so an overloaded rate cannot look met.
 *
 * <p>Usage: java -cp "app/target/lib/*" bench/ReportToStream.java baseUrl kafkaBootstrap
 * [reportsPerSecond=1000, or a comma-separated list] [seconds=10] [jobs=200] [warmupSeconds=3] [drainSeconds=30]
 */
public class ReportToStream {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern JOB_ID = Pattern.compile("\"jobId\":\"([^\"]+)\"");
    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
    private static final Pattern PROGRESS = Pattern.compile("\"progress\":([-0-9.Ee+]+)");
    private static final Pattern UPDATED_AT = Pattern.compile("\"updatedAt\":\"([^\"]+)\"");
    private static final double PROGRESS_STEP = 1e-8;
    private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(5);

    /** Wall clock of System.nanoTime()'s origin, to compare the server's timestamps with ours. */
    private static final long WALL_AT_NANO_ZERO = wallNanos(Instant.now()) - System.nanoTime();

    private final String base;
    private final String token = System.getenv("JOBPULSE_TOKEN");
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private ReportToStream(String base) {
        this.base = base;
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String bootstrap = args[1];
        int[] rates = java.util.Arrays.stream((args.length > 2 ? args[2] : "1000").split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 10;
        int jobCount = args.length > 4 ? Integer.parseInt(args[4]) : 200;
        int warmup = args.length > 5 ? Integer.parseInt(args[5]) : 3;
        int drain = args.length > 6 ? Integer.parseInt(args[6]) : 30;
        ReportToStream bench = new ReportToStream(base);
        bench.start(bootstrap, jobCount);
        for (int rate : rates) {
            System.out.printf("%nopen loop: %d reports/s for %d s over %d jobs, after a %d s warm-up%n", rate, seconds, jobCount, warmup);
            Result jobpulse = bench.run(rate, seconds, warmup, drain);
            Result kafka = baseline(bootstrap, rate, seconds, warmup);
            print(rate, jobpulse, kafka);
            rows(rate, jobCount, jobpulse, kafka);
        }
        bench.stop();
        System.exit(0);
    }

    private static void print(int rate, Result jobpulse, Result kafka) {
        System.out.println();
        System.out.printf("%-40s %9s %9s %9s %9s%n", "latency from intended send (ms)", "p50", "p90", "p99", "max");
        jobpulse.stages.forEach((name, h) -> row(name, h));
        row("baseline: Kafka send -> ack", kafka.stages.get("ack"));
        row("baseline: Kafka send -> consumer", kafka.stages.get("received"));
        System.out.println();
        Histogram sse = jobpulse.stages.get("SSE change arrives");
        Histogram raw = kafka.stages.get("received");
        System.out.printf("%-22s %12s %12s %8s %8s%n", "report -> stream", "Jobpulse", "raw Kafka", "ratio", "goal");
        for (double p : new double[]{50, 90, 99}) {
            double j = ms(sse.getValueAtPercentile(p));
            double k = ms(raw.getValueAtPercentile(p));
            double target = p == 50 ? p50Goal(rate) : p == 99 ? p99Goal(rate) : Double.NaN;
            String goal = Double.isNaN(target) ? "" : String.format("<= %.0f", target);
            System.out.printf("%-22s %9.1f ms %9.1f ms %7.0fx %8s%n", "p" + (int) p, j, k, j / k, goal);
        }
        System.out.printf("Jobpulse: %d reports, %d answered 202, %d changes matched, %d missing; baseline: %d sent, %d received%n",
                jobpulse.sent, jobpulse.accepted, jobpulse.matched, jobpulse.sent - jobpulse.matched, kafka.sent, kafka.matched);
    }

    /**
     * The rows of the common table at one rate, with the goals of the acceptance table: at 100/s p50
     * <= 10 ms and p99 <= 30 ms; at 1,000/s p50 <= 10 ms, p99 <= 50 ms and within 5x raw Kafka's; at
     * 2,000/s p99 <= 100 ms. The percentiles count a report that never showed with the time it was
     * waited for.
     */
    private static void rows(int rate, int jobs, Result jobpulse, Result kafka) {
        Histogram sse = jobpulse.stages.get(WITH_MISSING);
        Histogram raw = kafka.stages.get("received");
        String at = String.format("report -> SSE change at %,d/s over %d jobs", rate, jobs);
        double p99Ratio = rate == 1000 ? 5 : Double.NaN;
        String baselineWhat = "raw Kafka, acks=all -> read_committed";
        new Results("report-to-stream." + rate + ".p50", at + ", p50", "ms", ms(sse.getValueAtPercentile(50)),
                ms(raw.getValueAtPercentile(50)), baselineWhat, true, p50Goal(rate), Double.NaN).report();
        new Results("report-to-stream." + rate + ".p99", at + ", p99", "ms", ms(sse.getValueAtPercentile(99)),
                ms(raw.getValueAtPercentile(99)), baselineWhat, true, p99Goal(rate), p99Ratio).report();
        new Results("report-to-stream." + rate + ".missing", String.format("reports never on the stream at %,d/s (of %,d)", rate, jobpulse.sent),
                "", jobpulse.sent - jobpulse.matched, kafka.sent - kafka.matched, "raw Kafka, not received", true, 0, Double.NaN).report();
    }

    private record Result(Map<String, Histogram> stages, long sent, long accepted, long matched) {
    }

    /** One report: its intended send time, and what was seen of it, in System.nanoTime(). */
    private static final class Report {
        final long intended;
        volatile long answered;
        volatile int status;
        volatile String jobId;
        volatile long version;
        volatile long receivedWall;
        volatile long streamed;

        Report(long intended) {
            this.intended = intended;
        }
    }

    private static double p50Goal(int rate) {
        return rate <= 1000 ? 10 : Double.NaN;
    }

    private static double p99Goal(int rate) {
        return rate <= 100 ? 30 : rate <= 1000 ? 50 : 100;
    }

    /** The reports of the rate being run, and the progress value its first one carries. */
    private record Run(Report[] reports, long offset, AtomicLong streamed) {
    }

    private static final String WITH_MISSING = "SSE, a missing one as late as waited";

    private final Map<String, Long> uncommitted = new ConcurrentHashMap<>();
    private final Map<String, Long> committed = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<String> jobs = new ArrayList<>();
    private List<Thread> feeds = List.of();
    private volatile Run current = new Run(new Report[0], 0, new AtomicLong());
    /** Reports sent so far over all rates: each carries the next progress value, so a job's progress only grows. */
    private long sentBefore;

    /** Opens the stream and the status feeds, submits the jobs, and waits until the stream has shown them all. */
    private void start(String bootstrap, int jobCount) throws Exception {
        feeds = List.of(statusFeed(bootstrap, "read_uncommitted", uncommitted, stop),
                statusFeed(bootstrap, "read_committed", committed, stop));
        Map<String, Boolean> submittedSeen = new ConcurrentHashMap<>();
        CountDownLatch open = new CountDownLatch(1);
        HttpRequest streamRequest = authorized(URI.create(base + "/v1/stream")).header("Accept", "text/event-stream")
                .timeout(Duration.ofHours(1)).GET().build();
        http.sendAsync(streamRequest, HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
            if (response.statusCode() != 200) {
                System.err.println("GET /v1/stream answered " + response.statusCode());
                System.exit(1);
            }
            open.countDown();
            response.body().forEach(line -> {
                long now = System.nanoTime();
                if (!line.startsWith("data:")) {
                    return;
                }
                Matcher jobId = JOB_ID.matcher(line);
                Matcher version = VERSION.matcher(line);
                if (!jobId.find() || !version.find()) {
                    return;
                }
                long v = Long.parseLong(version.group(1));
                if (v == 1) {
                    submittedSeen.put(jobId.group(1), true);
                    return;
                }
                Matcher progress = PROGRESS.matcher(line);
                if (!progress.find()) {
                    return;
                }
                Run run = current;
                long n = Math.round(Double.parseDouble(progress.group(1)) / PROGRESS_STEP) - 1 - run.offset;
                if (n < 0 || n >= run.reports.length || run.reports[(int) n] == null) {
                    return;
                }
                Report report = run.reports[(int) n];
                report.jobId = jobId.group(1);
                report.version = v;
                Matcher updatedAt = UPDATED_AT.matcher(line);
                if (updatedAt.find()) {
                    report.receivedWall = wallNanos(Instant.parse(updatedAt.group(1)));
                }
                report.streamed = now;
                run.streamed.incrementAndGet();
            });
        });
        if (!open.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("GET /v1/stream did not open in 30 s");
        }
        for (int i = 0; i < jobCount; i++) {
            jobs.add(submit());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!submittedSeen.keySet().containsAll(jobs)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the submitted jobs did not all reach the stream in 60 s");
            }
            Thread.sleep(10);
        }
    }

    private void stop() throws InterruptedException {
        stop.set(true);
        for (Thread feed : feeds) {
            feed.join();
        }
    }

    private Result run(int rate, int seconds, int warmup, int drain) throws Exception {
        int total = rate * (seconds + warmup);
        int counted = rate * warmup;
        Report[] reports = new Report[total];
        long offset = sentBefore;
        sentBefore += total;
        Run run = new Run(reports, offset, new AtomicLong());
        current = run;

        AtomicLong accepted = new AtomicLong();
        long step = 1_000_000_000L / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        for (int n = 0; n < total; n++) {
            long intended = start + n * step;
            LockSupport.parkNanos(intended - System.nanoTime());
            Report report = new Report(intended);
            reports[n] = report;
            String job = jobs.get(n % jobs.size());
            http.sendAsync(authorized(URI.create(base + "/v1/jobs/" + job + "/reports")).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"running\",\"progress\":" + (offset + n + 1) * PROGRESS_STEP + "}"))
                            .build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((answer, error) -> {
                        report.answered = System.nanoTime();
                        report.status = error == null ? answer.statusCode() : -1;
                        if (report.status == 202) {
                            accepted.incrementAndGet();
                        }
                    });
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drain);
        while (System.nanoTime() < deadline && (run.streamed.get() < accepted.get() || !allAnswered(reports))) {
            Thread.sleep(50);
        }
        Thread.sleep(500);
        long gaveUp = System.nanoTime();

        Map<String, Histogram> stages = new java.util.LinkedHashMap<>();
        Histogram received = histogram();
        Histogram answered = histogram();
        Histogram written = histogram();
        Histogram visible = histogram();
        Histogram streamed = histogram();
        Histogram withMissing = histogram();
        stages.put("report received (job.updatedAt)", received);
        stages.put("202 answered", answered);
        stages.put("status written (read_uncommitted)", written);
        stages.put("status committed (read_committed)", visible);
        stages.put("SSE change arrives", streamed);
        long matched = 0;
        long acceptedCounted = 0;
        for (int n = counted; n < total; n++) {
            Report report = reports[n];
            if (report.status == 202) {
                acceptedCounted++;
                answered.recordValue(Math.min(MAX_NANOS, report.answered - report.intended));
            }
            if (report.streamed == 0) {
                withMissing.recordValue(Math.min(MAX_NANOS, gaveUp - report.intended));
                continue;
            }
            matched++;
            streamed.recordValue(Math.min(MAX_NANOS, report.streamed - report.intended));
            withMissing.recordValue(Math.min(MAX_NANOS, report.streamed - report.intended));
            if (report.receivedWall != 0) {
                received.recordValue(Math.max(0, Math.min(MAX_NANOS, report.receivedWall - WALL_AT_NANO_ZERO - report.intended)));
            }
            String key = report.jobId + ":" + report.version;
            Long w = uncommitted.get(key);
            if (w != null) {
                written.recordValue(Math.max(0, Math.min(MAX_NANOS, w - report.intended)));
            }
            Long c = committed.get(key);
            if (c != null) {
                visible.recordValue(Math.max(0, Math.min(MAX_NANOS, c - report.intended)));
            }
        }
        Map<String, Histogram> all = new java.util.LinkedHashMap<>(stages);
        all.put(WITH_MISSING, withMissing);
        return new Result(all, total - counted, acceptedCounted, matched);
    }

    private static boolean allAnswered(Report[] reports) {
        for (Report report : reports) {
            if (report != null && report.answered == 0) {
                return false;
            }
        }
        return true;
    }

    /** A consumer of jobpulse.job-status from its end, noting when each job:version arrives. */
    private static Thread statusFeed(String bootstrap, String isolation, Map<String, Long> arrivals, AtomicBoolean stop)
            throws InterruptedException {
        CountDownLatch positioned = new CountDownLatch(1);
        Thread thread = Thread.ofPlatform().name("feed-" + isolation).start(() -> {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
                List<TopicPartition> partitions = consumer.partitionsFor("jobpulse.job-status").stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                positioned.countDown();
                while (!stop.get()) {
                    for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        Matcher jobId = JOB_ID.matcher(record.value());
                        Matcher version = VERSION.matcher(record.value());
                        if (jobId.find() && version.find()) {
                            arrivals.putIfAbsent(jobId.group(1) + ":" + version.group(1), now);
                        }
                    }
                }
            }
        });
        if (!positioned.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no consumer of jobpulse.job-status (" + isolation + ") in 30 s");
        }
        return thread;
    }

    private static Result baseline(String bootstrap, int rate, int seconds, int warmup) throws Exception {
        String topic = "bench-baseline-" + System.currentTimeMillis();
        Properties common = new Properties();
        common.put("bootstrap.servers", bootstrap);
        try (Admin admin = Admin.create(common)) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        int total = rate * (seconds + warmup);
        int counted = rate * warmup;
        long[] intended = new long[total];
        long[] acked = new long[total];
        long[] received = new long[total];
        AtomicLong receivedCount = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        CountDownLatch positioned = new CountDownLatch(1);
        Thread consumerThread = Thread.ofPlatform().name("baseline-consumer").start(() -> {
            Properties props = new Properties();
            props.putAll(common);
            props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
                TopicPartition partition = new TopicPartition(topic, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                consumer.position(partition);
                positioned.countDown();
                while (!stop.get()) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50))) {
                        long now = System.nanoTime();
                        int n = java.nio.ByteBuffer.wrap(record.value()).getInt();
                        received[n] = now;
                        receivedCount.incrementAndGet();
                    }
                }
            }
        });
        positioned.await(30, TimeUnit.SECONDS);
        Properties props = new Properties();
        props.putAll(common);
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
            producer.partitionsFor(topic);
            long step = 1_000_000_000L / rate;
            long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
            for (int n = 0; n < total; n++) {
                intended[n] = start + n * step;
                LockSupport.parkNanos(intended[n] - System.nanoTime());
                int i = n;
                byte[] value = java.nio.ByteBuffer.allocate(64).putInt(n).array();
                producer.send(new ProducerRecord<>(topic, value), (metadata, error) -> {
                    if (error == null) {
                        acked[i] = System.nanoTime();
                    }
                });
            }
            producer.flush();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (receivedCount.get() < total && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        stop.set(true);
        consumerThread.join();
        Histogram ack = histogram();
        Histogram receipt = histogram();
        long matched = 0;
        for (int n = counted; n < total; n++) {
            if (acked[n] != 0) {
                ack.recordValue(Math.min(MAX_NANOS, acked[n] - intended[n]));
            }
            if (received[n] != 0) {
                matched++;
                receipt.recordValue(Math.min(MAX_NANOS, received[n] - intended[n]));
            }
        }
        return new Result(Map.of("ack", ack, "received", receipt), total - counted, 0, matched);
    }

    private String submit() throws Exception {
        HttpResponse<String> response = http.send(authorized(URI.create(base + "/v1/jobs")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"bench.report-to-stream\"}")).build(), HttpResponse.BodyHandlers.ofString());
        Matcher id = ID.matcher(response.body());
        if (response.statusCode() != 202 || !id.find()) {
            throw new IllegalStateException("submit answered " + response.statusCode() + ": " + response.body());
        }
        return id.group(1);
    }

    /** A request as the user whose token dev printed (JOBPULSE_TOKEN, set by bench/dev-instance.sh). */
    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token);
    }

    private static Histogram histogram() {
        return new Histogram(MAX_NANOS, 3);
    }

    private static long wallNanos(Instant instant) {
        return instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void row(String name, Histogram h) {
        if (h.getTotalCount() == 0) {
            System.out.printf("%-40s %9s%n", name, "no data");
            return;
        }
        System.out.printf("%-40s %9.1f %9.1f %9.1f %9.1f%n", name, ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
    }
}
