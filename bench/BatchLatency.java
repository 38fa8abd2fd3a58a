import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.HdrHistogram.Histogram;

/**
 * A job's finishing report -> the change of its batch on the batch's SSE stream, beside the job's own
 * change on {@code GET /v1/stream} for the same reports (the baseline), open loop, against a running
 * Jobpulse (all roles in one process).
 *
 * <p>For each batch size (10 and 1,000 jobs) it opens batches with {@code POST /v1/batches}
 * ({@code close: true}), opens each batch's {@code GET /v1/batches/{id}/stream}, and waits until
 * every stream shows its batch closed with all its jobs and {@code GET /v1/stream} has shown every
 * job's first version. Then it posts one {@code succeeded} report per job, the jobs of all that
 * size's batches shuffled, at a fixed rate: each at its intended send time whatever the earlier ones
 * are doing, and every latency from that intended time, so a stall counts for every report it
 * delays. A job's change on {@code GET /v1/stream} is found by its job id and status; the batch
 * change it causes by {@code causeEventId} ({@code <jobId>/<version>}), and that change's
 * {@code batch.done} counts the job. A warm-up phase of batches of 10 at the same rate comes first
 * and is not counted.
 *
 * <p>Rows of the common table ({@link Results}) per size: p50 and p99 to the batch stream beside
 * the job's own change to {@code GET /v1/stream} in the same run, and how many changes never
 * showed; in those rows a change that never showed counts with the time it was waited for.
 *
 * <p>Usage: java -cp "app/target/lib/*" bench/BatchLatency.java baseUrl [reportsPerSecond=100]
 * [batchesOf10=100] [batchesOf1000=3] [warmupBatchesOf10=50] [drainSeconds=30]
 */
public class BatchLatency {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern JOB_IDS = Pattern.compile("\"jobs\":\\[([^\\]]*)\\]");
    private static final Pattern QUOTED = Pattern.compile("\"([^\"]+)\"");
    private static final Pattern JOB_ID = Pattern.compile("\"jobId\":\"([^\"]+)\"");
    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
    private static final Pattern STATUS = Pattern.compile("\"status\":\"([^\"]+)\"");
    private static final Pattern CAUSE = Pattern.compile("\"causeEventId\":\"([^\"/]+)/(\\d+)\"");
    private static final Pattern TOTAL = Pattern.compile("\"total\":(\\d+)");
    private static final Pattern DONE = Pattern.compile("\"done\":(\\d+)");
    private static final long MAX_NANOS = TimeUnit.MINUTES.toNanos(5);
    private static final String BASELINE = "the job's own change on GET /v1/stream, same reports";

    private final String base;
    private final String token = System.getenv("JOBPULSE_TOKEN");
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    /** Jobs whose first version (queued) {@code GET /v1/stream} has shown. */
    private final Set<String> submittedSeen = ConcurrentHashMap.newKeySet();
    /** The job being finished in the current phase, by job id; null between phases. */
    private volatile Map<String, Finish> finishing = Map.of();

    private BatchLatency(String base) {
        this.base = base;
    }

    /** One job's finishing report: its intended send time and what was seen of it, in System.nanoTime(). */
    private static final class Finish {
        final String batchId;
        volatile long intended;
        volatile long answered;
        volatile int status;
        volatile long jobStreamed;
        volatile long batchStreamed;
        volatile long doneAfter;

        Finish(String batchId) {
            this.batchId = batchId;
        }
    }

    /** A batch as opened: its id and its jobs' ids, and whether its stream has shown it closed and complete. */
    private record Batch(String id, List<String> jobs, CountDownLatch ready) {
    }

    private record Result(Histogram job, Histogram batch, Histogram jobWithMissing, Histogram batchWithMissing,
                          Histogram answered, Histogram batchAfterJob, long sent, long accepted, long jobMatched,
                          long batchMatched, long batchFirst, long doneWrong) {
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        int rate = args.length > 1 ? Integer.parseInt(args[1]) : 100;
        int batchesOf10 = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int batchesOf1000 = args.length > 3 ? Integer.parseInt(args[3]) : 3;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        int drain = args.length > 5 ? Integer.parseInt(args[5]) : 30;
        BatchLatency bench = new BatchLatency(base);
        bench.openJobStream();
        if (warmup > 0) {
            System.out.printf("%nwarm-up: %d batches of 10 at %d reports/s (not counted)%n", warmup, rate);
            Result result = bench.phase(10, warmup, rate, drain);
            print("warm-up, batches of 10", result);
        }
        for (int[] phase : new int[][]{{10, batchesOf10}, {1000, batchesOf1000}}) {
            if (phase[1] == 0) {
                continue;
            }
            System.out.printf("%nbatches of %,d: %d of them, %,d finishing reports at %d/s in random order%n",
                    phase[0], phase[1], phase[0] * phase[1], rate);
            Result result = bench.phase(phase[0], phase[1], rate, drain);
            print(String.format("batches of %,d", phase[0]), result);
            rows(phase[0], phase[1], rate, result);
        }
        System.exit(0);
    }

    private static void print(String what, Result r) {
        System.out.println();
        System.out.printf("%-50s %9s %9s %9s %9s%n", what + ", from intended send (ms)", "p50", "p90", "p99", "max");
        row("202 answered", r.answered);
        row("job's change on GET /v1/stream (baseline)", r.job);
        row("batch's change on its batch stream", r.batch);
        row("batch's change after the job's, same report", r.batchAfterJob);
        System.out.printf("%d reports, %d answered 202; %d job changes and %d batch changes seen; the batch's change came"
                        + " first %d times; %d batch changes whose done did not count the job%n",
                r.sent, r.accepted, r.jobMatched, r.batchMatched, r.batchFirst, r.doneWrong);
    }

    /** The rows of the common table for one batch size; no goal is set yet. */
    private static void rows(int size, int batches, int rate, Result r) {
        String at = String.format("job finished -> batch change on its stream, %d batch%s of %,d at %d/s", batches,
                batches == 1 ? "" : "es", size, rate);
        new Results("batch-latency." + size + ".p50", at + ", p50", "ms", ms(r.batchWithMissing.getValueAtPercentile(50)),
                ms(r.jobWithMissing.getValueAtPercentile(50)), BASELINE, true, Double.NaN, Double.NaN).report();
        new Results("batch-latency." + size + ".p99", at + ", p99", "ms", ms(r.batchWithMissing.getValueAtPercentile(99)),
                ms(r.jobWithMissing.getValueAtPercentile(99)), BASELINE, true, Double.NaN, Double.NaN).report();
        new Results("batch-latency." + size + ".missing", String.format("batch changes never on the stream, batches of %,d (of %,d)", size, r.sent),
                "", r.sent - r.batchMatched, r.sent - r.jobMatched, "job changes never on GET /v1/stream", true, 0, Double.NaN).report();
    }

    /** Opens GET /v1/stream: notes every job's first version, and the finishing change of the current phase's jobs. */
    private void openJobStream() throws Exception {
        HttpResponse<java.util.stream.Stream<String>> response = http.send(
                stream(URI.create(base + "/v1/stream")), HttpResponse.BodyHandlers.ofLines());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("GET /v1/stream answered " + response.statusCode());
        }
        follow(response, line -> {
            long now = System.nanoTime();
            Matcher jobId = JOB_ID.matcher(line);
            Matcher version = VERSION.matcher(line);
            if (!jobId.find() || !version.find()) {
                return;
            }
            if (Long.parseLong(version.group(1)) == 1) {
                submittedSeen.add(jobId.group(1));
                return;
            }
            Finish finish = finishing.get(jobId.group(1));
            Matcher status = STATUS.matcher(line);
            if (finish != null && finish.jobStreamed == 0 && status.find() && status.group(1).equals("succeeded")) {
                finish.jobStreamed = now;
            }
        });
    }

    /** Opens the batches, waits until they and their jobs are visible, then finishes every job at the rate. */
    private Result phase(int size, int batchCount, int rate, int drain) throws Exception {
        List<Batch> batches = new ArrayList<>();
        for (int i = 0; i < batchCount; i++) {
            batches.add(openBatch(size));
        }
        Map<String, Finish> finishes = new ConcurrentHashMap<>();
        List<String> order = new ArrayList<>();
        for (Batch batch : batches) {
            batch.jobs.forEach(job -> finishes.put(job, new Finish(batch.id)));
            order.addAll(batch.jobs);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        for (Batch batch : batches) {
            if (!batch.ready.await(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("batch " + batch.id + " was not shown closed with its " + size + " jobs in time");
            }
        }
        while (!submittedSeen.containsAll(order)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the batches' jobs did not all reach GET /v1/stream in time");
            }
            Thread.sleep(10);
        }
        Thread.sleep(300);
        Collections.shuffle(order, new Random(size * 31L + batchCount));
        finishing = finishes;

        AtomicLong accepted = new AtomicLong();
        long step = 1_000_000_000L / rate;
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(100);
        for (int n = 0; n < order.size(); n++) {
            long intended = start + n * step;
            LockSupport.parkNanos(intended - System.nanoTime());
            Finish finish = finishes.get(order.get(n));
            finish.intended = intended;
            http.sendAsync(authorized(URI.create(base + "/v1/jobs/" + order.get(n) + "/reports")).timeout(Duration.ofSeconds(30))
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"succeeded\"}")).build(),
                    HttpResponse.BodyHandlers.discarding())
                    .whenComplete((answer, error) -> {
                        finish.status = error == null ? answer.statusCode() : -1;
                        finish.answered = System.nanoTime();
                        if (finish.status == 202) {
                            accepted.incrementAndGet();
                        }
                    });
        }
        long drainUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(drain);
        while (System.nanoTime() < drainUntil && !finishes.values().stream().allMatch(
                f -> f.answered != 0 && (f.status != 202 || f.jobStreamed != 0 && f.batchStreamed != 0))) {
            Thread.sleep(50);
        }
        Thread.sleep(200);
        long gaveUp = System.nanoTime();
        finishing = Map.of();
        return result(finishes, accepted.get(), gaveUp);
    }

    private static Result result(Map<String, Finish> finishes, long accepted, long gaveUp) {
        Histogram job = histogram();
        Histogram batch = histogram();
        Histogram jobWithMissing = histogram();
        Histogram batchWithMissing = histogram();
        Histogram answered = histogram();
        Histogram batchAfterJob = histogram();
        long jobMatched = 0;
        long batchMatched = 0;
        long batchFirst = 0;
        for (Finish f : finishes.values()) {
            if (f.status == 202) {
                answered.recordValue(clamp(f.answered - f.intended));
            }
            jobWithMissing.recordValue(clamp((f.jobStreamed == 0 ? gaveUp : f.jobStreamed) - f.intended));
            batchWithMissing.recordValue(clamp((f.batchStreamed == 0 ? gaveUp : f.batchStreamed) - f.intended));
            if (f.jobStreamed != 0) {
                jobMatched++;
                job.recordValue(clamp(f.jobStreamed - f.intended));
            }
            if (f.batchStreamed != 0) {
                batchMatched++;
                batch.recordValue(clamp(f.batchStreamed - f.intended));
            }
            if (f.jobStreamed != 0 && f.batchStreamed != 0) {
                if (f.batchStreamed < f.jobStreamed) {
                    batchFirst++;
                }
                batchAfterJob.recordValue(clamp(f.batchStreamed - f.jobStreamed));
            }
        }
        return new Result(job, batch, jobWithMissing, batchWithMissing, answered, batchAfterJob, finishes.size(), accepted,
                jobMatched, batchMatched, batchFirst, doneWrong(finishes));
    }

    /**
     * Batch changes whose {@code done} cannot count their job: in a batch, the change caused by the
     * k-th job to finish (in the order of the batch's changes) must say at least k done.
     */
    private static long doneWrong(Map<String, Finish> finishes) {
        Map<String, List<Finish>> byBatch = new LinkedHashMap<>();
        finishes.values().stream().filter(f -> f.batchStreamed != 0)
                .forEach(f -> byBatch.computeIfAbsent(f.batchId, id -> new ArrayList<>()).add(f));
        long wrong = 0;
        for (List<Finish> seen : byBatch.values()) {
            seen.sort((a, b) -> Long.compare(a.batchStreamed, b.batchStreamed));
            for (int k = 0; k < seen.size(); k++) {
                if (seen.get(k).doneAfter < k + 1) {
                    wrong++;
                }
            }
        }
        return wrong;
    }

    /**
     * Opens a closed batch of {@code size} jobs and its stream (retried while the topology has not
     * folded it yet); its latch opens once the stream shows it closed with all its jobs.
     */
    private Batch openBatch(int size) throws Exception {
        StringBuilder body = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < size; i++) {
            body.append(i == 0 ? "" : ",").append("{\"type\":\"bench.batch-latency\"}");
        }
        body.append("],\"close\":true}");
        HttpResponse<String> response = http.send(authorized(URI.create(base + "/v1/batches")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofString());
        Matcher id = ID.matcher(response.body());
        Matcher jobIds = JOB_IDS.matcher(response.body());
        if (response.statusCode() != 202 || !id.find() || !jobIds.find()) {
            throw new IllegalStateException("POST /v1/batches answered " + response.statusCode() + ": " + response.body());
        }
        List<String> jobs = QUOTED.matcher(jobIds.group(1)).results().map(m -> m.group(1)).toList();
        Batch batch = new Batch(id.group(1), jobs, new CountDownLatch(1));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            HttpResponse<java.util.stream.Stream<String>> stream = http.send(
                    stream(URI.create(base + "/v1/batches/" + batch.id + "/stream")), HttpResponse.BodyHandlers.ofLines());
            if (stream.statusCode() == 200) {
                follow(stream, line -> batchLine(batch, size, line));
                return batch;
            }
            stream.body().close();
            if (System.nanoTime() > deadline || (stream.statusCode() != 404 && stream.statusCode() != 503)) {
                throw new IllegalStateException("GET /v1/batches/" + batch.id + "/stream answered " + stream.statusCode());
            }
            Thread.sleep(20);
        }
    }

    /** One line of a batch's stream: readiness during set-up, then the finishing jobs' batch changes. */
    private void batchLine(Batch batch, int size, String line) {
        long now = System.nanoTime();
        if (!line.startsWith("data:")) {
            return;
        }
        Matcher total = TOTAL.matcher(line);
        if (total.find() && Integer.parseInt(total.group(1)) == size && line.contains("\"closedAt\":\"")) {
            batch.ready.countDown();
        }
        Matcher cause = CAUSE.matcher(line);
        if (!cause.find()) {
            return;
        }
        Finish finish = finishing.get(cause.group(1));
        Matcher done = DONE.matcher(line);
        if (finish != null && finish.batchStreamed == 0 && finish.batchId.equals(batch.id) && done.find()) {
            finish.doneAfter = Long.parseLong(done.group(1));
            finish.batchStreamed = now;
        }
    }

    /** Reads a stream's lines on a virtual thread of its own, so that many streams hold no platform threads. */
    private static void follow(HttpResponse<java.util.stream.Stream<String>> response, Consumer<String> onLine) {
        Thread.ofVirtual().start(() -> {
            try (var lines = response.body()) {
                lines.forEach(onLine);
            } catch (RuntimeException e) {
                // The stream ended or was closed: nothing more to note.
            }
        });
    }

    private HttpRequest stream(URI uri) {
        return authorized(uri).header("Accept", "text/event-stream").timeout(Duration.ofHours(1)).GET().build();
    }

    /** A request as the user whose token dev printed (JOBPULSE_TOKEN, set by bench/dev-instance.sh). */
    private HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token);
    }

    private static Histogram histogram() {
        return new Histogram(MAX_NANOS, 3);
    }

    private static long clamp(long nanos) {
        return Math.max(0, Math.min(MAX_NANOS, nanos));
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static void row(String name, Histogram h) {
        if (h.getTotalCount() == 0) {
            System.out.printf("%-50s %9s%n", name, "no data");
            return;
        }
        System.out.printf("%-50s %9.1f %9.1f %9.1f %9.1f%n", name, ms(h.getValueAtPercentile(50)),
                ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()));
    }
}
