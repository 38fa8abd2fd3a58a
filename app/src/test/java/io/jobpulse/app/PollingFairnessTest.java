package io.jobpulse.app;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One owner's many polled jobs cannot take a provider's whole budget: against a provider that
 * answers slowly, the status requests of one owner's jobs stay within the per-owner limit while
 * another owner's job is polled all the same.
 */
class PollingFairnessTest {

    @Test
    void oneOwnersManyPolledJobsStayWithinTheirShareAndAnotherOwnersJobIsPolled() throws IOException {
        Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> mostInFlight = new ConcurrentHashMap<>();
        Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
        HttpServer provider = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        provider.setExecutor(Executors.newCachedThreadPool());
        provider.createContext("/status/", exchange -> {
            // The request id is "<owner>-<n>": count what each owner has in flight.
            String owner = exchange.getRequestURI().getPath().substring("/status/".length()).split("-")[0];
            int now = inFlight.computeIfAbsent(owner, o -> new AtomicInteger()).incrementAndGet();
            mostInFlight.computeIfAbsent(owner, o -> new AtomicInteger()).accumulateAndGet(now, Math::max);
            requests.computeIfAbsent(owner, o -> new AtomicInteger()).incrementAndGet();
            try {
                Thread.sleep(400); // a slow provider: what makes requests pile up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.get(owner).decrementAndGet();
            byte[] body = "{\"status\":\"IN_PROGRESS\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        provider.start();
        String template = "http://127.0.0.1:" + provider.getAddress().getPort() + "/status/{requestId}";
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.outbound.allowed-private-networks", List.of("127.0.0.1/32"),
                "jobpulse.providers.slow.adapter", "bria",
                "jobpulse.providers.slow.status-url", template,
                "jobpulse.providers.slow.max-concurrent-polls", "16",
                "jobpulse.providers.slow.max-polls-per-second", "100",
                "jobpulse.poller.group-id", "fairness-" + System.nanoTime()))) {
            for (int n = 0; n < 8; n++) {
                submitPolled(jobpulse, JobpulseInstance.token("alice"), template.replace("{requestId}", "alice-" + n));
            }
            submitPolled(jobpulse, JobpulseInstance.token("bob"), template.replace("{requestId}", "bob-0"));

            await().atMost(Duration.ofSeconds(20)).until(() -> requests.getOrDefault("alice", new AtomicInteger()).get() >= 16
                    && requests.getOrDefault("bob", new AtomicInteger()).get() >= 1);

            assertThat(mostInFlight.get("alice").get()).as("alice's requests in flight at once").isBetween(1, 2);
            assertThat(requests.get("bob").get()).as("bob's job is polled beside alice's eight").isPositive();
        } finally {
            provider.stop(0);
        }
    }

    private static void submitPolled(JobpulseInstance jobpulse, String token, String statusUrl) {
        var accepted = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs")).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"x.fair\",\"poll\":{\"statusUrl\":\"" + statusUrl + "\",\"provider\":\"slow\",\"interval\":\"PT1S\"}}")));
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
    }
}
