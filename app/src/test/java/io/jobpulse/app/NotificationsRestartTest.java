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

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A delivery waiting for its retry survives the death of the instance holding it: the notifications
 * role runs in a JVM of its own that is killed (SIGKILL) while the delivery is retrying; another one
 * started in its place, with an empty state directory, takes the retry over from Kafka and delivers it
 * under the same {@code webhook-id}.
 */
class NotificationsRestartTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aDeliveryRetryingWhenItsInstanceIsKilledIsDeliveredByTheNext() throws Exception {
        String tag = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        String path = "/" + tag;
        Path dir = Files.createTempDirectory("notifications-restart");
        try (WebhookReceiver receiver = WebhookReceiver.start();
             JobpulseInstance jobs = JobpulseInstance.start(Map.of("jobpulse.roles", "ingest,topology,projections,push"))) {
            Map<String, Object> props = new HashMap<>(JobpulseInstance.stackProperties());
            props.put("jobpulse.roles", "notifications");
            props.putAll(JobpulseInstance.LOOPBACK_ALLOWED);
            props.put("jobpulse.notifications.allow-http", "true");
            props.put("jobpulse.notifications.retry-schedule", "0s,5s,1s");
            props.put("jobpulse.notifications.request-timeout", "2s");
            props.put("jobpulse.consumers.session-timeout", "6s");

            int firstPort = ServeProcess.freePort();
            props.put("jobpulse.topology.state-dir", dir.resolve("first").toString());
            JsonNode endpoint;
            try (ServeProcess first = ServeProcess.start(props, firstPort, dir.resolve("first.log"))) {
                await().atMost(Duration.ofSeconds(90)).until(first::listens);
                endpoint = json(send(firstPort, "POST", "/v1/endpoints",
                        "{\"url\":\"" + receiver.url(path) + "\",\"filter\":{\"tags\":[\"" + tag + "\"],\"statuses\":[\"queued\"]}}", 201));
                receiver.configure(path, List.of(endpoint.path("secret").asText()), List.of(Answer.status(500), Answer.status(500)), null);
                HttpResponse<String> submitted = jobs.post("/v1/jobs", "{\"type\":\"image.generate\",\"input\":{},\"tags\":[\"" + tag + "\"]}");
                assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);

                receiver.awaitReceived(path, 1, Duration.ofSeconds(60));
                String deliveries = "/v1/endpoints/" + endpoint.path("id").asText() + "/deliveries";
                await().atMost(Duration.ofSeconds(20)).until(() ->
                        json(send(firstPort, "GET", deliveries, null, 200)).at("/deliveries/0/status").asText().equals("retrying"));
                first.kill();
            }
            assertThat(receiver.received(path)).as("nothing was delivered before the kill").hasSize(1);

            int secondPort = ServeProcess.freePort();
            props.put("jobpulse.topology.state-dir", dir.resolve("second").toString());
            try (ServeProcess second = ServeProcess.start(props, secondPort, dir.resolve("second.log"))) {
                List<Received> received = receiver.awaitReceived(path, 3, Duration.ofSeconds(90));
                assertThat(received.stream().map(Received::id).distinct()).as("one webhook-id across the restart").hasSize(1);
                assertThat(received.stream().map(Received::answered).toList()).containsExactly(500, 500, 200);
                assertThat(received).allSatisfy(r -> assertThat(r.verifiedBy()).containsExactly(0));
                String deliveries = "/v1/endpoints/" + endpoint.path("id").asText() + "/deliveries";
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    JsonNode delivery = json(send(secondPort, "GET", deliveries, null, 200)).at("/deliveries/0");
                    assertThat(delivery.path("status").asText()).isEqualTo("delivered");
                    assertThat(delivery.path("attempts").asInt()).isGreaterThanOrEqualTo(2);
                });
                await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> receiver.received(path).size() == 3);
            }
        }
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
