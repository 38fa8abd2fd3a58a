package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.demo.DemoReceiver;
import io.jobpulse.app.demo.PretendProvider;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ./jobpulse dev --demo}'s pretend provider, job stream and webhook receiver against the real
 * broker: every demo job ends, moved by signed callbacks (routed by request id, some dropped, doubled
 * or stale) and by polling (some status calls failing); the receiver registered itself as alice's
 * endpoint over plain http on loopback, which dev allows for it alone, and got each job's end as a
 * delivery whose signature it verified with the secret it was given.
 */
class DemoTest {

    @Test
    void everyDemoJobEndsThroughAMixOfUnreliableCallbacksAndPolling() {
        Map<String, Object> props = new HashMap<>(DevCommand.demoProperties());
        props.put("jobpulse.demo.interval", "300ms");
        props.put("jobpulse.demo.max-jobs", "8");
        props.put("jobpulse.demo.seed", "7");
        try (JobpulseInstance jobpulse = JobpulseInstance.start(props)) {
            await().atMost(Duration.ofSeconds(90)).until(() ->
                    json(jobpulse.get("/v1/jobs?type=demo.image&status=succeeded,failed&count=true")).path("total").asInt() == 8);

            List<String> causes = new ArrayList<>();
            for (JsonNode job : json(jobpulse.get("/v1/jobs?type=demo.image&limit=8")).get("items")) {
                json(jobpulse.get("/v1/jobs/" + job.get("id").asText() + "/history")).get("changes")
                        .forEach(change -> causes.add(change.get("causeEventType").asText()));
            }
            assertThat(causes).as("changes made by callbacks and by polls").contains("job.callback-received", "job.poll-observed");
            PretendProvider provider = jobpulse.context().getBean(PretendProvider.class);
            assertThat(provider.misbehaved()).as("callbacks dropped, doubled or stale").isPositive();

            DemoReceiver receiver = jobpulse.context().getBean(DemoReceiver.class);
            JsonNode endpoint = receiverEndpoint(jobpulse, receiver);
            try {
                Instant registered = Instant.parse(endpoint.get("createdAt").asText());
                List<String> ends = new ArrayList<>();
                for (JsonNode job : json(jobpulse.get("/v1/jobs?type=demo.image&limit=8")).get("items")) {
                    // A job submitted before the endpoint existed is not delivered to it.
                    if (Instant.parse(job.get("createdAt").asText()).isAfter(registered)) {
                        ends.add("webhook job." + job.get("status").asText() + " job " + job.get("id").asText() + " v");
                    }
                }
                assertThat(ends).as("demo jobs submitted after the receiver registered").isNotEmpty();
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(ends).as("each job's end, verified")
                        .allMatch(end -> receiver.verified().stream().anyMatch(line -> line.startsWith(end) && line.endsWith(" verified"))));
                assertThat(receiver.refused()).as("deliveries whose signature did not verify").isZero();
            } finally {
                jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/endpoints/" + endpoint.get("id").asText())).DELETE());
            }
        }
    }

    /** Alice's endpoint at the receiver's URL, once it has registered. */
    private static JsonNode receiverEndpoint(JobpulseInstance jobpulse, DemoReceiver receiver) {
        List<JsonNode> found = new ArrayList<>();
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            found.clear();
            json(jobpulse.get("/v1/endpoints")).get("endpoints").forEach(endpoint -> {
                if (endpoint.get("url").asText().equals(receiver.url())) {
                    found.add(endpoint);
                }
            });
            return !found.isEmpty();
        });
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().get("status").asText()).isEqualTo("active");
        return found.getFirst();
    }
}
