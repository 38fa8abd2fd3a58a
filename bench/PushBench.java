import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Push under many subscribers, against a running Jobpulse (all roles in one process):
 *
 * 1. heap per idle connection: the live heap after forced GCs (jcmd GC.run, GC.heap_info) with N
 *    idle multi-job SSE streams open, minus the same without them, divided by N;
 * 2. delivery latency with the N streams open: for each of K sequential worker reports on a job
 *    the streams select, the time from sending the report to its arrival on each stream, in
 *    percentiles over all deliveries, and to its arrival on the last stream (fan-out done);
 *    baseline in the same session: the GET /health round trip.
 *
 * Usage: java bench/PushBench.java baseUrl serverPid jcmd [connections] [reports]
 */
public class PushBench {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");
    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");

    public static void main(String[] args) throws Exception {
        String base = args[0];
        long pid = Long.parseLong(args[1]);
        String jcmd = args[2];
        int connections = args.length > 3 ? Integer.parseInt(args[3]) : 2000;
        int reports = args.length > 4 ? Integer.parseInt(args[4]) : 100;
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        String tag = "bench-" + System.nanoTime();
        String job = submit(http, base, tag);
        long before = liveHeapKb(jcmd, pid);

        Map<Integer, Long> arrivals = new ConcurrentHashMap<>();
        List<List<long[]>> perStream = new ArrayList<>();
        CountDownLatch open = new CountDownLatch(connections);
        AtomicInteger failed = new AtomicInteger();
        List<Stream<String>> bodies = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            List<long[]> received = java.util.Collections.synchronizedList(new ArrayList<>());
            perStream.add(received);
            HttpRequest request = authorized(URI.create(base + "/v1/stream?tag=" + tag))
                    .header("Accept", "text/event-stream").timeout(Duration.ofMinutes(30)).GET().build();
            http.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).whenComplete((response, error) -> {
                if (error != null || response.statusCode() != 200) {
                    failed.incrementAndGet();
                    open.countDown();
                    return;
                }
                synchronized (bodies) {
                    bodies.add(response.body());
                }
                open.countDown();
                Thread.ofVirtual().start(() -> {
                    try {
                        response.body().forEach(line -> {
                            if (line.startsWith("data:")) {
                                Matcher version = VERSION.matcher(line);
                                if (version.find()) {
                                    received.add(new long[]{Long.parseLong(version.group(1)), System.nanoTime()});
                                }
                            }
                        });
                    } catch (java.io.UncheckedIOException closedAtTheEnd) {
                        // The benchmark closes its streams when it is done.
                    }
                });
            });
        }
        if (!open.await(5, TimeUnit.MINUTES) || failed.get() > 0) {
            throw new IllegalStateException(failed.get() + " of " + connections + " streams failed to open");
        }
        long withConnections = liveHeapKb(jcmd, pid);
        System.out.printf("%d idle SSE streams open; live heap %,d KiB before, %,d KiB with them: %.1f KiB per idle connection%n",
                connections, before, withConnections, (withConnections - before) / (double) connections);

        long[] baseline = new long[reports];
        long[] each = new long[reports * connections];
        long[] all = new long[reports];
        int n = 0;
        for (int r = 0; r < reports; r++) {
            baseline[r] = health(http, base);
            long version = r + 2;
            long sent = System.nanoTime();
            report(http, base, job, r);
            long deadline = sent + TimeUnit.SECONDS.toNanos(30);
            long last = 0;
            for (List<long[]> received : perStream) {
                long at;
                while ((at = arrival(received, version)) == 0) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("version " + version + " did not reach every stream in 30 s");
                    }
                    Thread.onSpinWait();
                }
                each[n++] = at - sent;
                last = Math.max(last, at);
            }
            all[r] = last - sent;
        }
        System.out.printf("reports: %d sequential, each delivered to %d streams%n", reports, connections);
        print("baseline GET /health round trip", baseline, baseline);
        print("report POST -> arrival on a stream", each, baseline);
        print("report POST -> arrival on the last stream", all, baseline);
        bodies.forEach(Stream::close);
    }

    private static long arrival(List<long[]> received, long version) {
        synchronized (received) {
            for (long[] event : received) {
                if (event[0] == version) {
                    return event[1];
                }
            }
        }
        return 0;
    }

    private static String submit(HttpClient http, String base, String tag) throws Exception {
        HttpResponse<String> response = http.send(post(base + "/v1/jobs", "{\"type\":\"bench.push\",\"tags\":[\"" + tag + "\"]}"),
                HttpResponse.BodyHandlers.ofString());
        Matcher id = ID.matcher(response.body());
        if (response.statusCode() != 202 || !id.find()) {
            throw new IllegalStateException("submit answered " + response.statusCode() + ": " + response.body());
        }
        return id.group(1);
    }

    private static void report(HttpClient http, String base, String job, int r) throws Exception {
        HttpResponse<String> response = http.send(post(base + "/v1/jobs/" + job + "/reports",
                "{\"status\":\"running\",\"progress\":" + (r + 1) / 1000.0 + "}"), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 202) {
            throw new IllegalStateException("report answered " + response.statusCode() + ": " + response.body());
        }
    }

    private static long health(HttpClient http, String base) throws Exception {
        long t0 = System.nanoTime();
        http.send(HttpRequest.newBuilder(URI.create(base + "/health")).GET().build(), HttpResponse.BodyHandlers.discarding());
        return System.nanoTime() - t0;
    }

    /** A request as the user whose token dev printed (JOBPULSE_TOKEN, set by bench/dev-instance.sh). */
    private static HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + System.getenv("JOBPULSE_TOKEN"));
    }

    private static HttpRequest post(String url, String json) {
        return authorized(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    /** The server's heap in use after two full collections, in KiB. */
    private static long liveHeapKb(String jcmd, long pid) throws IOException, InterruptedException {
        run(jcmd, Long.toString(pid), "GC.run");
        run(jcmd, Long.toString(pid), "GC.run");
        Matcher used = HEAP_USED.matcher(run(jcmd, Long.toString(pid), "GC.heap_info"));
        if (!used.find()) {
            throw new IllegalStateException("no heap figure from jcmd GC.heap_info");
        }
        return Long.parseLong(used.group(1));
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        process.waitFor();
        return output;
    }

    private static void print(String what, long[] nanos, long[] baseline) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        long[] base = baseline.clone();
        Arrays.sort(base);
        System.out.printf("%-44s p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms  (p50 %.1fx baseline)%n", what,
                pct(sorted, 50), pct(sorted, 90), pct(sorted, 99), sorted[sorted.length - 1] / 1e6, pct(sorted, 50) / pct(base, 50));
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)] / 1e6;
    }
}
