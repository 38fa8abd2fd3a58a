package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.app.demo.PretendProvider;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code ./jobpulse dev --demo}'s pretend provider and job stream against the real broker: every
 * demo job ends, moved by signed callbacks (routed by request id, some dropped, doubled or stale)
 * and by polling (some status calls failing).
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
        }
    }
}
