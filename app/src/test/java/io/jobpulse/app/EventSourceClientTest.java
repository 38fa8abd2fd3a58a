package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A standard, independent EventSource client (the {@code eventsource} npm package, run by Node)
 * follows a job through a proxy that cuts its connection mid-job: it reconnects by itself with
 * Last-Event-ID and receives every version once, with no gap.
 */
class EventSourceClientTest {

    private static final Path CLIENT = Path.of("src/test/node").toAbsolutePath();

    @Test
    void anEventSourceThatLosesItsConnectionResumesWithoutGapOrDuplicate() throws Exception {
        followThroughACut("/v1/jobs/{id}/stream", JobpulseInstance.token(JobpulseInstance.USER));
    }

    /**
     * A browser's EventSource has only its URL: its own reconnect presents the same stream token,
     * which opens the stream again (one at a time) until it expires.
     */
    @Test
    void anEventSourceWithAStreamTokenInItsUrlResumesByItself() throws Exception {
        followThroughACut("/v1/jobs/{id}/stream?token={token}");
    }

    /** Follows a job through a cut of its connection: {@code path} names the stream; a bearer token, if any, goes in a header. */
    private void followThroughACut(String path, String... bearer) throws Exception {
        Assumptions.assumeTrue(NodeScript.onPath("node") && NodeScript.onPath("npm"), "Node.js and npm are needed to run the EventSource client");
        NodeScript.install(CLIENT, "eventsource");
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.push.retry", "200ms"));
             CuttingProxy proxy = new CuttingProxy(jobpulse.uri("/").getPort())) {
            String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.eventsource\"}")).get("id").asText();
            String token = json(jobpulse.post("/v1/stream-tokens", "{\"jobs\":[\"" + id + "\"]}")).get("token").asText();
            List<String> args = new ArrayList<>(List.of("http://127.0.0.1:" + proxy.port() + path.replace("{id}", id).replace("{token}", token)));
            args.addAll(List.of(bearer));
            try (NodeScript node = NodeScript.start(CLIENT.resolve("follow-job.mjs"), args.toArray(String[]::new))) {
                List<JsonNode> lines = node.lines;
                await().atMost(Duration.ofSeconds(20)).until(() -> versions(lines).contains(1L));
                report(jobpulse, id, "{\"status\":\"running\",\"progress\":0.2}");
                report(jobpulse, id, "{\"progress\":0.4}");
                await().atMost(Duration.ofSeconds(20)).until(() -> versions(lines).contains(3L));

                proxy.cut();
                report(jobpulse, id, "{\"progress\":0.6}");
                report(jobpulse, id, "{\"progress\":0.8}");
                await().atMost(Duration.ofSeconds(20)).until(() -> lines.stream().filter(l -> l.has("open")).count() >= 2);
                report(jobpulse, id, "{\"status\":\"succeeded\"}");

                node.assertSucceeds(Duration.ofSeconds(30));
                assertThat(versions(lines)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
                assertThat(proxy.requests()).anySatisfy(request -> assertThat(request).containsIgnoringCase("last-event-id: 3"));
            }
        }
    }

    private static List<Long> versions(List<JsonNode> lines) {
        return lines.stream().filter(l -> l.has("version")).map(l -> l.get("version").asLong()).toList();
    }

    private static void report(JobpulseInstance jobpulse, String id, String body) {
        assertThat(jobpulse.post("/v1/jobs/" + id + "/reports", body).statusCode()).isEqualTo(202);
    }
}
