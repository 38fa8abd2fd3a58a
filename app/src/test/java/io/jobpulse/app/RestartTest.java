package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A restarted application resumes with the same jobs, even with its local state directory gone. */
class RestartTest {

    @Test
    void restartedInstanceServesJobsAcceptedBeforeAndContinuesTheirLifecycle() {
        String id;
        try (JobpulseInstance before = JobpulseInstance.allRoles()) {
            id = json(before.post("/v1/jobs", "{\"type\":\"restart.check\"}")).get("id").asText();
            assertThat(before.post("/v1/jobs/" + id + "/reports", "{\"status\":\"running\",\"progress\":0.4}").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> json(before.get("/v1/jobs/" + id)).get("version").asLong() == 2);
        }

        // A fresh state directory: the job-state store is restored from its changelog topic.
        try (JobpulseInstance after = JobpulseInstance.allRoles()) {
            JsonNode state = json(after.get("/v1/jobs/" + id));
            assertThat(state.get("status").asText()).isEqualTo("running");
            assertThat(state.get("progress").asDouble()).isEqualTo(0.4);
            assertThat(state.get("version").asLong()).isEqualTo(2);

            assertThat(after.post("/v1/jobs/" + id + "/reports", "{\"status\":\"succeeded\"}").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode done = json(after.get("/v1/jobs/" + id));
                assertThat(done.get("status").asText()).isEqualTo("succeeded");
                assertThat(done.get("version").asLong()).isEqualTo(3);
            });
        }
    }
}
