import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Latency of the slice, against a running Jobpulse: for each of N sequential jobs, submit it,
 * subscribe to its SSE stream, then time from sending a worker report to receiving the change it
 * caused on the stream (HTTP intake, Kafka acknowledgement, Streams fold and exactly-once commit,
 * status topic, push). Baseline in the same session: the round trip of GET /health/liveness, which checks nothing behind the server.
 *
 * Usage: java bench/SliceLatency.java [baseUrl] [jobs]
 */
public class SliceLatency {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://localhost:8080";
        int jobs = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int warmup = Math.max(10, jobs / 10);

        for (int i = 0; i < warmup; i++) {
            health(base);
            reportToStream(base);
        }
        long[] baseline = new long[jobs];
        long[] submit = new long[jobs];
        long[] reportToSse = new long[jobs];
        for (int i = 0; i < jobs; i++) {
            baseline[i] = health(base);
            long[] sample = reportToStream(base);
            submit[i] = sample[0];
            reportToSse[i] = sample[1];
        }
        System.out.printf("jobs: %d sequential (after %d warm-up), %s%n", jobs, warmup, base);
        print("baseline GET /health/liveness round trip", baseline, baseline);
        print("POST /v1/jobs until 202 (Kafka ack)", submit, baseline);
        print("report POST -> change on SSE stream", reportToSse, baseline);
    }

    /** Returns {submit round trip, report-to-SSE latency} in nanoseconds for one new job. */
    private static long[] reportToStream(String base) throws Exception {
        long t0 = System.nanoTime();
        HttpResponse<String> accepted = HTTP.send(post(base + "/v1/jobs", "{\"type\":\"bench.slice\"}"), HttpResponse.BodyHandlers.ofString());
        long submitted = System.nanoTime() - t0;
        if (accepted.statusCode() != 202) {
            throw new IllegalStateException("submit answered " + accepted.statusCode() + ": " + accepted.body());
        }
        Matcher id = ID.matcher(accepted.body());
        if (!id.find()) {
            throw new IllegalStateException("no id in " + accepted.body());
        }
        String jobId = id.group(1);
        HttpResponse<java.io.InputStream> stream = HTTP.send(authorized(URI.create(base + "/v1/jobs/" + jobId + "/stream"))
                .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream.body(), StandardCharsets.UTF_8))) {
            awaitVersion(lines, 1);
            long sent = System.nanoTime();
            HttpResponse<String> report = HTTP.send(post(base + "/v1/jobs/" + jobId + "/reports", "{\"status\":\"succeeded\"}"),
                    HttpResponse.BodyHandlers.ofString());
            if (report.statusCode() != 202) {
                throw new IllegalStateException("report answered " + report.statusCode() + ": " + report.body());
            }
            awaitVersion(lines, 2);
            return new long[] {submitted, System.nanoTime() - sent};
        }
    }

    private static void awaitVersion(BufferedReader lines, long version) throws Exception {
        String line;
        while ((line = lines.readLine()) != null) {
            if (line.equals("id: " + version) || line.equals("id:" + version)) {
                return;
            }
        }
        throw new IllegalStateException("stream ended before version " + version);
    }

    private static long health(String base) throws Exception {
        long t0 = System.nanoTime();
        HTTP.send(HttpRequest.newBuilder(URI.create(base + "/health/liveness")).build(), HttpResponse.BodyHandlers.discarding());
        return System.nanoTime() - t0;
    }

    /** A request as the user whose token dev printed (JOBPULSE_TOKEN, set by bench/dev-instance.sh). */
    private static HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + System.getenv("JOBPULSE_TOKEN"));
    }

    private static HttpRequest post(String url, String json) {
        return authorized(URI.create(url)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static void print(String what, long[] nanos, long[] baseline) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        long[] base = baseline.clone();
        Arrays.sort(base);
        double p50 = ms(percentile(sorted, 50));
        System.out.printf("%-40s p50 %7.2f ms  p90 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (p50 x%.1f baseline)%n",
                what, p50, ms(percentile(sorted, 90)), ms(percentile(sorted, 99)), ms(sorted[sorted.length - 1]),
                p50 / ms(percentile(base, 50)));
    }

    private static long percentile(long[] sorted, double p) {
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
