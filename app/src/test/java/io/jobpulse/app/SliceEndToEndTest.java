package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One job through every hop, all roles in one process, against a real broker and PostgreSQL:
 * HTTP intake -> Kafka -> Streams fold -> status topic -> PostgreSQL projection and SSE push.
 */
class SliceEndToEndTest {

    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.allRoles();
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JobJson.mapper().readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    @Test
    void jobTravelsEveryHopAndSubscriberSeesEveryVersionInOrder() throws Exception {
        HttpResponse<String> submitted = jobpulse.post("/v1/jobs",
                "{\"type\":\"image.generate\",\"input\":{\"prompt\":\"a lighthouse\"},\"metadata\":{\"tier\":\"gold\"},\"tags\":[\"e2e\"]}");
        assertThat(submitted.statusCode()).isEqualTo(202);
        JsonNode accepted = json(submitted);
        String id = accepted.get("id").asText();
        assertThat(accepted.get("status").asText()).isEqualTo("queued");
        assertThat(accepted.get("version").asLong()).isEqualTo(1);
        assertThat(accepted.at("/links/stream").asText()).isEqualTo("/v1/jobs/" + id + "/stream");
        assertThat(submitted.headers().firstValue("Location")).hasValue("/v1/jobs/" + id);

        try (SseClient stream = jobpulse.stream("/v1/jobs/" + id + "/stream", null)) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> !stream.events("status").isEmpty());

            assertThat(jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"running\",\"progress\":0.1}").statusCode()).isEqualTo(202);
            assertThat(jobpulse.post("/v1/jobs/" + id + "/reports", "{\"progress\":0.5,\"message\":\"halfway\"}").statusCode()).isEqualTo(202);
            assertThat(jobpulse.post("/v1/jobs/" + id + "/reports",
                    "{\"status\":\"succeeded\",\"result\":{\"url\":\"https://cdn.example/lighthouse.png\"}}").statusCode()).isEqualTo(202);

            stream.awaitEnd(Duration.ofSeconds(20));
            List<SseClient.Event> events = stream.updates();
            assertThat(events).extracting(SseClient.Event::id).containsExactly("1", "2", "3", "4");
            assertThat(events).extracting(SseClient.Event::name).containsExactly("status", "status", "progress", "status");
            List<String> statuses = events.stream().map(e -> readTree(e.data()).get("status").asText()).toList();
            assertThat(statuses).containsExactly("queued", "running", "running", "succeeded");
            assertThat(readTree(events.get(2).data()).at("/job/progress").asDouble()).isEqualTo(0.5);
        }

        JsonNode current = json(jobpulse.get("/v1/jobs/" + id));
        assertThat(current.get("status").asText()).isEqualTo("succeeded");
        assertThat(current.get("version").asLong()).isEqualTo(4);
        assertThat(current.at("/result/url").asText()).isEqualTo("https://cdn.example/lighthouse.png");
        assertThat(current.get("message").asText()).isEqualTo("halfway");

        try (Connection db = TestStack.get().connect()) {
            await().atMost(Duration.ofSeconds(20)).until(() -> projectedVersion(db, id) == 4);
            try (PreparedStatement query = db.prepareStatement(
                    "SELECT status, progress, type, tags, snapshot::text FROM jobs WHERE id = ?")) {
                query.setString(1, id);
                try (ResultSet row = query.executeQuery()) {
                    assertThat(row.next()).isTrue();
                    assertThat(row.getString("status")).isEqualTo("succeeded");
                    assertThat(row.getDouble("progress")).isEqualTo(1.0);
                    assertThat(row.getString("type")).isEqualTo("image.generate");
                    assertThat((String[]) row.getArray("tags").getArray()).containsExactly("e2e");
                    assertThat(readTree(row.getString(5))).isEqualTo(current);
                }
            }
            try (PreparedStatement changes = db.prepareStatement("SELECT version FROM job_changes WHERE job_id = ? ORDER BY version")) {
                changes.setString(1, id);
                try (ResultSet rows = changes.executeQuery()) {
                    List<Long> versions = new ArrayList<>();
                    while (rows.next()) {
                        versions.add(rows.getLong(1));
                    }
                    assertThat(versions).containsExactly(1L, 2L, 3L, 4L);
                }
            }
        }

        JsonNode list = json(jobpulse.get("/v1/jobs?limit=100"));
        assertThat(list.get("items").get(0).get("id").asText()).isEqualTo(id);
    }

    @Test
    void streamOfTerminalJobSendsFinalStateOnceAndEnds() {
        String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"video.render\"}")).get("id").asText();
        jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"failed\",\"error\":{\"code\":\"gpu-oom\",\"message\":\"out of memory\",\"retryable\":true}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + id)).get("version").asLong() == 2);

        try (SseClient stream = jobpulse.stream("/v1/jobs/" + id + "/stream", null)) {
            stream.awaitEnd(Duration.ofSeconds(20));
            assertThat(stream.events("status")).extracting(SseClient.Event::id).containsExactly("2");
            assertThat(readTree(stream.events("status").getFirst().data()).at("/job/error/code").asText()).isEqualTo("gpu-oom");
        }
        try (SseClient resumed = jobpulse.stream("/v1/jobs/" + id + "/stream", "2")) {
            assertThat(resumed.status()).as("204 tells EventSource to stop reconnecting").isEqualTo(204);
            resumed.awaitEnd(Duration.ofSeconds(20));
            assertThat(resumed.updates()).isEmpty();
        }
    }

    @Test
    void canceledJobEndsItsStreamAndARetryStartsAttemptTwo() {
        String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"video.render\",\"timeout\":\"PT10M\"}")).get("id").asText();
        try (SseClient stream = jobpulse.stream("/v1/jobs/" + id + "/stream", null)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !stream.events("status").isEmpty());
            assertThat(jobpulse.post("/v1/jobs/" + id + "/cancel", "{\"reason\":\"user left\"}").statusCode()).isEqualTo(202);

            stream.awaitEnd(Duration.ofSeconds(20));
            SseClient.Event last = stream.events("status").getLast();
            assertThat(readTree(last.data()).get("status").asText()).isEqualTo("canceled");
            assertThat(readTree(last.data()).at("/job/cancelRequestedBy").asText()).isEqualTo(JobpulseInstance.USER);
        }

        HttpResponse<String> retried = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + id + "/retry"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(retried.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode state = json(jobpulse.get("/v1/jobs/" + id));
            assertThat(state.get("status").asText()).isEqualTo("queued");
            assertThat(state.get("attempt").asInt()).isEqualTo(2);
            assertThat(state.get("version").asLong()).isEqualTo(3);
        });
    }

    @Test
    void commandsAJobsStateAlreadyRulesOutAre409WithTheReasonAndWriteNothing() {
        String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.ended\"}")).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + id).statusCode() == 200);
        HttpResponse<String> earlyRetry = jobpulse.post("/v1/jobs/" + id + "/retry", "{}");
        assertThat(earlyRetry.statusCode()).as(earlyRetry.body()).isEqualTo(409);
        assertThat(json(earlyRetry).get("reason").asText()).isEqualTo("invalid-transition");

        assertThat(jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"succeeded\"}").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + id)).path("status").asText().equals("succeeded"));
        for (String[] command : new String[][] {{"/cancel", "{}", "job-terminal"}, {"/retry", "{}", "invalid-transition"},
                {"/reports", "{\"progress\":0.5}", "job-terminal"}}) {
            HttpResponse<String> answer = jobpulse.post("/v1/jobs/" + id + command[0], command[1]);
            assertThat(answer.statusCode()).as(command[0] + ": " + answer.body()).isEqualTo(409);
            assertThat(answer.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(json(answer).get("reason").asText()).as(command[0]).isEqualTo(command[2]);
            assertThat(json(answer).get("jobStatus").asText()).isEqualTo("succeeded");
            assertThat(json(answer).get("status").asInt()).as("the problem's status is the HTTP status, once: " + answer.body())
                    .isEqualTo(409);
            assertThat(answer.body().split("\"status\":", -1)).hasSize(2);
        }
        assertThat(json(jobpulse.get("/v1/jobs/" + id + "/history?raw=true")).get("events")).as("nothing written for the refused ones").hasSize(2);
    }

    @Test
    void readAfterAcceptedSubmissionNeverAnswers404() {
        for (int i = 0; i < 20; i++) {
            String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"batch.run\"}")).get("id").asText();
            HttpResponse<String> read = jobpulse.get("/v1/jobs/" + id);
            assertThat(read.statusCode()).as("GET right after 202 of job %s", id).isEqualTo(200);
            assertThat(json(read).get("version").asLong()).isGreaterThanOrEqualTo(1);
        }
    }

    @Test
    void unknownJobIs404ProblemForReadAndStream() {
        HttpResponse<String> read = jobpulse.get("/v1/jobs/no-such-job");
        assertThat(read.statusCode()).isEqualTo(404);
        assertThat(read.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(json(read).get("type").asText()).endsWith("/not-found");

        try (SseClient stream = jobpulse.stream("/v1/jobs/no-such-job/stream", null)) {
            assertThat(stream.status()).isEqualTo(404);
        }
    }

    @Test
    void sameIdempotencyKeyNamesTheSameJobAndAnotherBodyIsAConflict() {
        var request = HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "order-4711-" + System.nanoTime())
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"image.generate\"}"));
        String first = json(jobpulse.send(request)).get("id").asText();
        String second = json(jobpulse.send(request)).get("id").asText();

        assertThat(second).isEqualTo(first);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(json(jobpulse.get("/v1/jobs/" + first)).get("version").asLong()).isEqualTo(1));
        HttpResponse<String> replayed = jobpulse.send(request);
        assertThat(replayed.statusCode()).isEqualTo(202);
        assertThat(replayed.headers().firstValue("Idempotent-Replayed")).hasValue("true");
        assertThat(json(replayed).get("id").asText()).isEqualTo(first);

        String key = request.build().headers().firstValue("Idempotency-Key").orElseThrow();
        HttpResponse<String> otherBody = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs"))
                .header("Content-Type", "application/json").header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"type\":\"video.render\"}")));
        assertThat(otherBody.statusCode()).as(otherBody.body()).isEqualTo(409);
        assertThat(json(otherBody).get("reason").asText()).isEqualTo("idempotency-key-reused");
        assertThat(json(jobpulse.get("/v1/jobs/" + first)).get("type").asText()).as("the stored job keeps its body").isEqualTo("image.generate");
    }

    private static long projectedVersion(Connection db, String id) throws Exception {
        try (PreparedStatement query = db.prepareStatement("SELECT version FROM jobs WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }

    private static JsonNode readTree(String json) {
        try {
            return JobJson.mapper().readTree(json);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }
}
