package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dashboard's Batches view in Chromium ({@code browser-tests/dashboard-batches.mjs}) against a
 * real instance: a batch of three jobs this test submits appears as one row with nothing done; the
 * page opens it into its jobs; as this test reports the jobs, the row's summary and its one progress
 * bar follow live over the batch's stream, to "3 of 3 done, 1 failed, 100%" (partial), and its jobs
 * show their own ends. Screenshots: {@code target/dashboard-batches.png} and, at 390 px,
 * {@code dashboard-batches-390.png}.
 */
class DashboardBatchesBrowserTest {

    private static final Duration STEP = Duration.ofSeconds(20);
    /** A user of this test alone: the broker and database are shared with other test classes. */
    private static final String USER = "batches-ada";

    @Test
    void aUserFollowsABatchAndItsJobsLive() throws Exception {
        try (JobpulseInstance jobpulse = JobpulseInstance.allRoles()) {
            String token = JobpulseInstance.token(USER);
            Path target = Path.of("target").toAbsolutePath();
            try (NodeScript browser = BrowserTests.start("dashboard-batches.mjs", "--base", jobpulse.uri("/").toString().replaceAll("/$", ""),
                    "--token", token, "--jobs", "3", "--screenshots", target.toString())) {
                browser.awaitLine(step("ready"), STEP);
                JsonNode batch = json(post(jobpulse, token, "/v1/batches", """
                        {"jobs": [{"type": "image.generate"}, {"type": "image.upscale"}, {"type": "video.render"}],
                         "tags": ["dashboard-batches"], "close": true}"""));
                String id = batch.get("id").asText();
                List<String> jobs = new ArrayList<>();
                batch.get("jobs").forEach(job -> jobs.add(job.asText()));

                JsonNode first = browser.awaitLine(step("batch"), STEP);
                assertThat(first.get("batch").asText()).isEqualTo(id);
                assertThat(first.get("summary").asText()).isEqualTo("0 of 3 done, 3 queued, 0%");
                assertThat(first.get("fill").asInt()).isZero();
                browser.awaitLine(shown("0 of 3 done, 3 queued, 0%", 3), STEP);

                report(jobpulse, token, jobs.get(0), "{\"status\":\"running\",\"progress\":0.5}");
                browser.awaitLine(shown("0 of 3 done, 1 running, 2 queued, 17%", 3), STEP);
                report(jobpulse, token, jobs.get(0), "{\"status\":\"succeeded\"}");
                report(jobpulse, token, jobs.get(1), "{\"status\":\"succeeded\"}");
                report(jobpulse, token, jobs.get(2), "{\"status\":\"failed\",\"error\":{\"code\":\"render-crashed\"}}");

                JsonNode finished = browser.awaitLine(shown("3 of 3 done, 1 failed, 100%", 3).and(line -> line.get("status").asText().equals("partial")), STEP);
                assertThat(finished.get("fill").asInt()).isEqualTo(100);
                Map<String, String> statuses = new HashMap<>();
                finished.get("jobs").forEach(job -> statuses.put(job.get("id").asText(), job.get("status").asText()));
                assertThat(statuses).isEqualTo(Map.of(jobs.get(0), "succeeded", jobs.get(1), "succeeded", jobs.get(2), "failed"));
                List<Integer> fills = browser.lines.stream().filter(step("batch")).map(line -> line.get("fill").asInt()).toList();
                assertThat(fills).as("the bar only grows").isSorted();

                JsonNode done = browser.awaitLine(step("done"), STEP);
                browser.assertSucceeds(Duration.ofSeconds(10));
                assertThat(done.get("streams").findValuesAsText("url")).as("followed over the batch's stream")
                        .anyMatch(url -> url.contains("/v1/batches/" + id + "/stream"));
                assertThat(done.at("/overflow/390").asInt()).as("nothing wider than a phone").isLessThanOrEqualTo(0);
                for (String name : List.of("dashboard-batches.png", "dashboard-batches-390.png")) {
                    assertThat(Files.size(target.resolve(name))).as(name).isGreaterThan(10_000);
                }
                assertThat(browser.lines).as("no script errors on the page").noneMatch(line -> line.has("pageError"));
            }
        }
    }

    private static Predicate<JsonNode> step(String name) {
        return line -> line.path("step").asText().equals(name);
    }

    /** The batch's row says this, and the row, opened, lists that many jobs. */
    private static Predicate<JsonNode> shown(String summary, int jobs) {
        return line -> step("batch").test(line) && line.get("summary").asText().equals(summary) && line.get("jobs").size() == jobs;
    }

    private static HttpResponse<String> post(JobpulseInstance jobpulse, String token, String path, String body) {
        HttpResponse<String> answer = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri(path)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return answer;
    }

    private static void report(JobpulseInstance jobpulse, String token, String job, String body) {
        post(jobpulse, token, "/v1/jobs/" + job + "/reports", body);
    }
}
