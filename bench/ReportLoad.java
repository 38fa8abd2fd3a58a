import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Workers' progress reports at a steady rate, against a running Jobpulse, through its restarts:
 * submits 30 jobs, then posts reports on them round-robin at the given rate (at most 64 in
 * flight; a report that finds no free slot, or is not answered 202, counts as failed) until the
 * file {@code stop} exists in the working directory. Prints the counts once a second.
 *
 * Usage: java bench/ReportLoad.java baseUrl token reportsPerSecond
 */
public class ReportLoad {

    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String token = args[1];
        int rate = Integer.parseInt(args[2]);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String body = http.send(request(base + "/v1/jobs", token, "{\"type\":\"bench.kill-restart\"}"),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher id = ID.matcher(body);
            if (!id.find()) {
                throw new IllegalStateException("no job id in " + body);
            }
            jobs.add(id.group(1));
        }
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        Semaphore inFlight = new Semaphore(64);
        long step = 1_000_000_000L / rate;
        long next = System.nanoTime();
        for (long n = 1; !Files.exists(Path.of("stop")); n++) {
            LockSupport.parkNanos(next - System.nanoTime());
            next += step;
            if (!inFlight.tryAcquire()) {
                failed.incrementAndGet();
                continue;
            }
            String job = jobs.get((int) (n % jobs.size()));
            http.sendAsync(request(base + "/v1/jobs/" + job + "/reports", token,
                            "{\"status\":\"running\",\"progress\":" + (n / 100_000_000.0) + "}"), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((answer, error) -> {
                        inFlight.release();
                        (error == null && answer.statusCode() == 202 ? accepted : failed).incrementAndGet();
                    });
            if (n % rate == 0) {
                System.out.println("accepted=" + accepted.get() + " failed=" + failed.get());
            }
        }
    }

    private static HttpRequest request(String url, String token, String json) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }
}
