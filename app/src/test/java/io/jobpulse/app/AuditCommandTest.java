package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** {@code jobpulse audit} against the real log: every event with what it did, and the state as of any instant. */
class AuditCommandTest {

    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.allRoles();
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    private static String audit(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        AuditCommand.run(args, JobpulseInstance.stackDeployment(), new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The JSON state printed after the "state" line. */
    private static JsonNode printedState(String output) throws Exception {
        List<String> lines = output.lines().toList();
        return JobJson.mapper().readTree(lines.getLast());
    }

    @Test
    void printsEveryEventWithWhatItDidAndTheStateTheTopologyHas() throws Exception {
        String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.audit\"}")).get("id").asText();
        jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"running\",\"progress\":0.4}");
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + id)).path("version").asInt() == 2);
        Instant between = Instant.now();
        // Progress never moves back: the topology refuses this one as changing nothing (intake cannot know).
        jobpulse.post("/v1/jobs/" + id + "/reports", "{\"progress\":0.3}");
        jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"succeeded\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + id)).path("version").asInt() == 3);

        String full = audit(id);

        assertThat(full).contains("job " + id + ": 4 events in jobpulse.job-events");
        assertThat(full.lines().filter(line -> line.contains("job.")).toList()).satisfiesExactly(
                line -> assertThat(line).contains("job.submitted", "v1 queued"),
                line -> assertThat(line).contains("job.report-received", "v2 running"),
                line -> assertThat(line).contains("job.report-received", "refused: no-change"),
                line -> assertThat(line).contains("job.report-received", "v3 succeeded"));
        assertThat(printedState(full)).isEqualTo(json(jobpulse.get("/v1/jobs/" + id)));

        String asOf = audit(id, "--at", between.toString());

        assertThat(asOf).contains("state as of " + between);
        assertThat(printedState(asOf).get("version").asInt()).isEqualTo(2);
        assertThat(printedState(asOf).get("status").asText()).isEqualTo("running");
    }

    @Test
    void saysSoForAJobTheLogDoesNotHave() {
        assertThatThrownBy(() -> audit("no-such-job")).isInstanceOf(IllegalStateException.class)
                .hasMessage("no job no-such-job in jobpulse.job-events at " + TestStack.get().bootstrapServers);
    }
}
