package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A browser's own EventSource, given only URLs with stream tokens in them
 * ({@code browser-tests/eventsource-cut.mjs}), follows a job on its stream and on the stream of
 * all the user's jobs through a proxy that cuts both mid-job: the browser reconnects by itself to
 * the same URLs, its token opens the streams again, and each stream sees every version once.
 */
class BrowserEventSourceTest {

    @Test
    void aNativeEventSourceCutMidStreamResumesByItselfWithoutGapOrDuplicate() throws Exception {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.push.retry", "200ms"));
             CuttingProxy proxy = new CuttingProxy(jobpulse.uri("/").getPort())) {
            String job = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.browser\"}")).get("id").asText();
            String forTheJob = json(jobpulse.post("/v1/stream-tokens", "{\"jobs\":[\"" + job + "\"]}")).get("token").asText();
            String forAll = json(jobpulse.post("/v1/stream-tokens", "{}")).get("token").asText();
            try (NodeScript browser = BrowserTests.start("eventsource-cut.mjs", "--base", "http://127.0.0.1:" + proxy.port(),
                    "--job", job, "--job-stream", "/v1/jobs/" + job + "/stream?token=" + forTheJob, "--all-stream", "/v1/stream?token=" + forAll)) {
                browser.awaitLine(line -> is(line, "job", "update") && line.get("version").asLong() == 1, Duration.ofSeconds(60));
                awaitOpens(browser, "all", 1);
                report(jobpulse, job, "{\"status\":\"running\",\"progress\":0.2}");
                report(jobpulse, job, "{\"progress\":0.4}");
                for (String stream : List.of("job", "all")) {
                    browser.awaitLine(line -> is(line, stream, "update") && line.get("version").asLong() == 3, Duration.ofSeconds(30));
                }

                proxy.cut();
                report(jobpulse, job, "{\"progress\":0.6}");
                report(jobpulse, job, "{\"progress\":0.8}");
                awaitOpens(browser, "job", 2);
                awaitOpens(browser, "all", 2);
                report(jobpulse, job, "{\"status\":\"succeeded\"}");
                browser.assertSucceeds(Duration.ofSeconds(60));

                assertThat(versions(browser, "job")).as("the job's stream").containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
                assertThat(versions(browser, "all")).as("the stream of all jobs, which starts at 'now'").containsExactly(2L, 3L, 4L, 5L, 6L);
                assertThat(browser.lines).filteredOn(line -> line.path("event").asText().equals("reset")).isEmpty();
                assertThat(proxy.requests()).as("the browser's own reconnects")
                        .anySatisfy(request -> assertThat(request).contains("/v1/jobs/" + job + "/stream?token=").containsIgnoringCase("last-event-id: 3"))
                        .anySatisfy(request -> assertThat(request).contains("/v1/stream?token=").containsIgnoringCase("last-event-id: "));
            }
        }
    }

    private static void awaitOpens(NodeScript browser, String stream, int count) {
        await().atMost(Duration.ofSeconds(30))
                .until(() -> browser.lines.stream().filter(line -> is(line, stream, "open")).count() >= count);
    }

    private static List<Long> versions(NodeScript browser, String stream) {
        return browser.lines.stream().filter(line -> is(line, stream, "update")).map(line -> line.get("version").asLong()).toList();
    }

    private static void report(JobpulseInstance jobpulse, String job, String body) {
        assertThat(jobpulse.post("/v1/jobs/" + job + "/reports", body).statusCode()).isEqualTo(202);
    }

    private static boolean is(JsonNode line, String stream, String event) {
        return line.path("stream").asText().equals(stream) && line.path("event").asText().equals(event);
    }
}
