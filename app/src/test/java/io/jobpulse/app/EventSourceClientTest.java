package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

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
        Assumptions.assumeTrue(NodePackages.available(), "Node.js and npm are needed to run the EventSource client");
        NodePackages.install(CLIENT, "eventsource");
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.push.retry", "200ms"));
             CuttingProxy proxy = new CuttingProxy(jobpulse.uri("/").getPort())) {
            String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.eventsource\"}")).get("id").asText();
            Process node = new ProcessBuilder("node", CLIENT.resolve("follow-job.mjs").toString(),
                    "http://127.0.0.1:" + proxy.port() + "/v1/jobs/" + id + "/stream", JobpulseInstance.token(JobpulseInstance.USER))
                    .redirectErrorStream(true).start();
            List<JsonNode> lines = new CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> read(node, lines));
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> versions(lines).contains(1L));
                report(jobpulse, id, "{\"status\":\"running\",\"progress\":0.2}");
                report(jobpulse, id, "{\"progress\":0.4}");
                await().atMost(Duration.ofSeconds(20)).until(() -> versions(lines).contains(3L));

                proxy.cut();
                report(jobpulse, id, "{\"progress\":0.6}");
                report(jobpulse, id, "{\"progress\":0.8}");
                await().atMost(Duration.ofSeconds(20)).until(() -> lines.stream().filter(l -> l.has("open")).count() >= 2);
                report(jobpulse, id, "{\"status\":\"succeeded\"}");

                assertThat(node.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(node.exitValue()).as(lines.toString()).isZero();
                assertThat(versions(lines)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
                assertThat(proxy.requests()).anySatisfy(request -> assertThat(request).containsIgnoringCase("last-event-id: 3"));
            } finally {
                node.destroyForcibly();
            }
        }
    }

    private static List<Long> versions(List<JsonNode> lines) {
        return lines.stream().filter(l -> l.has("version")).map(l -> l.get("version").asLong()).toList();
    }

    private static void report(JobpulseInstance jobpulse, String id, String body) {
        assertThat(jobpulse.post("/v1/jobs/" + id + "/reports", body).statusCode()).isEqualTo(202);
    }

    private static void read(Process node, List<JsonNode> lines) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                try {
                    lines.add(JobJson.mapper().readTree(line));
                } catch (IOException notJson) {
                    lines.add(JobJson.mapper().createObjectNode().put("output", line));
                }
            }
        } catch (IOException e) {
            // The process ended.
        }
    }
}
