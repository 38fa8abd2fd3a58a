package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.WebhookReceiver.Answer;
import io.jobpulse.app.WebhookReceiver.Received;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances of the notifications role, each a JVM of its own: each takes its share of the
 * endpoints' deliveries, and when the one holding a delivery that waits for its retry is killed
 * (SIGKILL), the other restores what it held from Kafka and delivers it under the same
 * {@code webhook-id}.
 */
class NotificationsRestartTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int MOST_ENDPOINTS = 16;

    @Test
    void instancesShareTheDeliveriesAndOneTakesOverWhatAKilledOneHeld() throws Exception {
        Path dir = Files.createTempDirectory("notifications-restart");
        String run = UUID.randomUUID().toString().substring(0, 8);
        try (WebhookReceiver receiver = WebhookReceiver.start();
             JobpulseInstance jobs = JobpulseInstance.start(Map.of("jobpulse.roles", "ingest,topology,projections,push"))) {
            Map<String, Object> props = new HashMap<>(JobpulseInstance.stackProperties());
            props.put("jobpulse.roles", "notifications");
            props.putAll(JobpulseInstance.LOOPBACK_ALLOWED);
            props.put("jobpulse.notifications.allow-http", "true");
            props.put("jobpulse.notifications.retry-schedule", "0s,5s,1s");
            props.put("jobpulse.notifications.request-timeout", "2s");
            props.put("jobpulse.consumers.session-timeout", "6s");
            Map<String, Object> first = new HashMap<>(props);
            first.put("jobpulse.topology.state-dir", dir.resolve("first").toString());
            Map<String, Object> second = new HashMap<>(props);
            second.put("jobpulse.topology.state-dir", dir.resolve("second").toString());
            try (ServeProcess a = ServeProcess.start(first, ServeProcess.freePort(), dir.resolve("first.log"));
                 ServeProcess b = ServeProcess.start(second, ServeProcess.freePort(), dir.resolve("second.log"))) {
                await().atMost(Duration.ofSeconds(90)).until(() -> a.listens() && b.listens());

                // Endpoints one after the other, each told of one job, until both instances have delivered.
                for (int i = 0; i < MOST_ENDPOINTS && (delivered(a) == 0 || delivered(b) == 0); i++) {
                    String tag = "share-" + run + "-" + i;
                    register(a.port(), receiver, "/" + tag, tag, List.of());
                    submit(jobs, tag);
                    receiver.awaitReceived("/" + tag, 1, Duration.ofSeconds(60));
                    int expected = i + 1;
                    await().atMost(Duration.ofSeconds(10)).until(() -> delivered(a) + delivered(b) == expected);
                }
                assertThat(delivered(a)).as("deliveries sent by the first instance").isPositive();
                assertThat(delivered(b)).as("deliveries sent by the second instance").isPositive();

                String tag = "retry-" + run;
                String path = "/" + tag;
                JsonNode endpoint = register(a.port(), receiver, path, tag, List.of(Answer.status(500), Answer.status(500)));
                String id = endpoint.path("id").asText();
                submit(jobs, tag);
                receiver.awaitReceived(path, 1, Duration.ofSeconds(60));
                String deliveries = "/v1/endpoints/" + id + "/deliveries";
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        json(send(a.port(), "GET", deliveries, null, 200)).at("/deliveries/0/status").asText().equals("retrying"));
                await().atMost(Duration.ofSeconds(10)).until(() -> failedAttempts(a, id) + failedAttempts(b, id) == 1);
                ServeProcess holder = failedAttempts(a, id) == 1 ? a : b;
                ServeProcess survivor = holder == a ? b : a;
                holder.kill();
                assertThat(receiver.received(path)).as("nothing was delivered before the kill").hasSize(1);

                List<Received> received = receiver.awaitReceived(path, 3, Duration.ofSeconds(90));
                assertThat(received.stream().map(Received::id).distinct()).as("one webhook-id across the kill").hasSize(1);
                assertThat(received.stream().map(Received::answered).toList()).containsExactly(500, 500, 200);
                assertThat(received).allSatisfy(r -> assertThat(r.verifiedBy()).containsExactly(0));
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    JsonNode delivery = json(send(survivor.port(), "GET", deliveries, null, 200)).at("/deliveries/0");
                    assertThat(delivery.path("status").asText()).isEqualTo("delivered");
                    assertThat(delivery.path("attempts").asInt()).isGreaterThanOrEqualTo(2);
                });
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> receiver.received(path).size() == 3);
            }
        }
    }

    private static JsonNode register(int port, WebhookReceiver receiver, String path, String tag, List<Answer> answers) throws Exception {
        JsonNode endpoint = json(send(port, "POST", "/v1/endpoints",
                "{\"url\":\"" + receiver.url(path) + "\",\"filter\":{\"tags\":[\"" + tag + "\"],\"statuses\":[\"queued\"]}}", 201));
        receiver.configure(path, List.of(endpoint.path("secret").asText()), answers, null);
        return endpoint;
    }

    private static void submit(JobpulseInstance jobs, String tag) {
        HttpResponse<String> submitted = jobs.post("/v1/jobs", "{\"type\":\"image.generate\",\"input\":{},\"tags\":[\"" + tag + "\"]}");
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
    }

    /** Deliveries this instance sent and had answered 2xx, over all endpoints, from its metrics. */
    private static long delivered(ServeProcess instance) throws Exception {
        return sum(metrics(instance), "jobpulse_notifications_delivered_total\\{[^}]*}");
    }

    private static long failedAttempts(ServeProcess instance, String endpointId) throws Exception {
        return sum(metrics(instance), "jobpulse_notifications_attempts_failed_total\\{[^}]*endpoint=\"" + endpointId + "\"[^}]*}");
    }

    private static String metrics(ServeProcess instance) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + instance.port() + "/prometheus"))
                .header("Authorization", "Bearer " + JobpulseInstance.adminToken()).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }

    private static long sum(String metrics, String series) {
        Matcher matcher = Pattern.compile("(?m)^" + series + " ([0-9.eE+]+)$").matcher(metrics);
        long total = 0;
        while (matcher.find()) {
            total += (long) Double.parseDouble(matcher.group(1));
        }
        return total;
    }

    private static HttpResponse<String> send(int port, String method, String path, String body, int expected) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Authorization", "Bearer " + JobpulseInstance.token(JobpulseInstance.USER)).timeout(Duration.ofSeconds(30));
        request = body == null ? request.GET() : request.header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(expected);
        return response;
    }
}
