package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.StatusChange;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Streams against the real broker: resume without gap or duplicate, the multi-job stream and its
 * cursor (and the reset for one that is no position of the topic), a client moving between two push instances, heartbeats, and a slow client.
 */
class StreamingTest {

    private static JobpulseInstance jobpulse;
    private static StatusChanges statusChanges;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of("jobpulse.push.heartbeat", "300ms"));
        statusChanges = new StatusChanges();
    }

    @AfterAll
    static void stop() {
        statusChanges.close();
        jobpulse.close();
    }

    /** An SSE event's data, as JSON. */
    static JsonNode data(SseClient.Event event) {
        try {
            return JobJson.mapper().readTree(event.data());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A running job at version 5 (submitted, then four reports). */
    private static String jobAtVersionFive() {
        String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.stream\"}")).get("id").asText();
        for (double progress : new double[]{0.2, 0.4, 0.6, 0.8}) {
            assertThat(jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"running\",\"progress\":" + progress + "}").statusCode())
                    .isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + id)).path("version").asInt() == 5);
        return id;
    }

    /** Versions and snapshot marks of the updates received, e.g. "5s" for a snapshot at 5. */
    private static List<String> received(SseClient stream) {
        return stream.updates().stream().map(e -> e.id() + (data(e).get("snapshot").asBoolean() ? "s" : "")).toList();
    }

    @ParameterizedTest(name = "resuming from {0}")
    @CsvSource(delimiter = '|', value = {
            "nothing         |      | 5s,6",
            "the middle      | 3    | 4,5,6",
            "the latest      | 5    | 6",
            "a future version| 99   | 5s,6"})
    void resumesWithoutGapOrDuplicate(String from, String lastEventId, String expected) {
        String id = jobAtVersionFive();
        try (SseClient stream = jobpulse.stream("/v1/jobs/" + id + "/stream", lastEventId)) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> stream.events().stream().anyMatch(e -> e.id() != null)
                    || lastEventId != null && lastEventId.trim().equals("5"));
            jobpulse.post("/v1/jobs/" + id + "/reports", "{\"progress\":0.9}");

            await().atMost(Duration.ofSeconds(20)).until(() -> stream.updates().stream().anyMatch(e -> "6".equals(e.id())));
            assertThat(received(stream)).containsExactly(expected.split(","));
        }
    }

    @Test
    void theReconnectionDelayIsSaidOnceAtTheStartOfAStream() throws Exception {
        String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.retry-once\"}")).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + id).statusCode() == 200);
        int step = 0;
        for (String path : new String[] {"/v1/jobs/" + id + "/stream", "/v1/stream?type=x.retry-once"}) {
            try (Socket socket = new Socket(jobpulse.uri("/").getHost(), jobpulse.uri("/").getPort())) {
                socket.setSoTimeout(20_000);
                OutputStream out = socket.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nAuthorization: Bearer "
                        + JobpulseInstance.token(JobpulseInstance.USER) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader reader = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                // The answer's head first: the stream is open before the changes come, so it sees them live.
                List<String> lines = new ArrayList<>();
                String line;
                while ((line = reader.readLine()) != null && !line.isEmpty()) {
                    lines.add(line);
                }
                for (int i = 0; i < 3; i++) {
                    step++;
                    jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"running\",\"progress\":" + (step / 10.0) + "}");
                }
                int dataLines = 0;
                while (dataLines < 3 && (line = reader.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("data:")) {
                        dataLines++;
                    }
                }
                assertThat(dataLines).as(path).isEqualTo(3);
                assertThat(lines.stream().filter(l -> l.startsWith("retry:")).count()).as(path + ": " + lines).isEqualTo(1);
            }
        }
    }

    @Test
    void aTerminalJobYieldsItsFinalStateOnceAndAClientThatHasItIsToldToStop() {
        String id = jobAtVersionFive();
        jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"succeeded\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + id)).path("version").asInt() == 6);

        try (SseClient fresh = jobpulse.stream("/v1/jobs/" + id + "/stream", null)) {
            fresh.awaitEnd(Duration.ofSeconds(20));
            assertThat(received(fresh)).containsExactly("6s");
        }
        try (SseClient fromMiddle = jobpulse.stream("/v1/jobs/" + id + "/stream", "4")) {
            fromMiddle.awaitEnd(Duration.ofSeconds(20));
            assertThat(received(fromMiddle)).containsExactly("5", "6");
        }
        try (SseClient done = jobpulse.stream("/v1/jobs/" + id + "/stream", "6")) {
            assertThat(done.status()).isEqualTo(204);
        }
    }

    @Test
    void aLongPollAnswersWhenTheVersionPassesOrAtTheTimeout() throws Exception {
        String id = jobAtVersionFive();
        var waiting = CompletableFuture.supplyAsync(() ->
                jobpulse.get("/v1/jobs/" + id + "?waitForVersionAfter=5&timeout=20s"));
        await().atMost(Duration.ofSeconds(5)).during(Duration.ofMillis(300)).until(() -> !waiting.isDone());
        jobpulse.post("/v1/jobs/" + id + "/reports", "{\"progress\":0.95}");

        var answered = waiting.get(20, TimeUnit.SECONDS);
        assertThat(answered.statusCode()).isEqualTo(200);
        assertThat(json(answered).get("version").asLong()).isEqualTo(6);

        var timedOut = jobpulse.get("/v1/jobs/" + id + "?waitForVersionAfter=6&timeout=1s");
        assertThat(timedOut.statusCode()).isEqualTo(200);
        assertThat(json(timedOut).get("version").asLong()).isEqualTo(6);
        assertThat(jobpulse.get("/v1/jobs/" + id + "?waitForVersionAfter=6&timeout=5m").statusCode()).isEqualTo(400);
    }

    @Test
    void idleStreamsGetHeartbeatComments() {
        String id = jobAtVersionFive();
        try (SseClient stream = jobpulse.stream("/v1/jobs/" + id + "/stream", "5")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.events(SseClient.COMMENT).size() >= 2);
            assertThat(stream.events(SseClient.COMMENT)).extracting(SseClient.Event::data).contains("heartbeat");
            assertThat(stream.updates()).isEmpty();
        }
    }

    @Test
    void theMultiJobStreamSendsTheCallersMatchingJobsAndResumesFromItsCursor() {
        String tag = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String cursor;
        List<StatusChange> first = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.multi", List.of(tag));
        List<StatusChange> second = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.multi", List.of(tag));
        try (SseClient stream = jobpulse.stream("/v1/stream?tag=" + tag, null)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.events(SseClient.COMMENT).stream()
                    .anyMatch(e -> e.data().equals("stream position")));
            statusChanges.send(StatusChanges.ofNewJob(JobpulseInstance.USER, "x.multi", List.of("other-tag")).getFirst());
            statusChanges.send(StatusChanges.ofNewJob("bob", "x.multi", List.of(tag)).getFirst());
            statusChanges.send(first.get(0));
            statusChanges.send(first.get(1));
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.updates().size() == 2);
            assertThat(stream.updates()).extracting(e -> data(e).get("jobId").asText()).containsOnly(first.getFirst().jobId());
            cursor = stream.updates().getLast().id();
        }
        statusChanges.send(first.get(2));
        statusChanges.send(second.get(0));

        try (SseClient resumed = jobpulse.stream("/v1/stream?tag=" + tag, cursor)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> resumed.updates().size() == 2);
            statusChanges.send(first.get(3));
            await().atMost(Duration.ofSeconds(10)).until(() -> resumed.updates().size() == 3);
            assertThat(resumed.updates()).extracting(e -> data(e).get("jobId").asText() + "@" + data(e).get("version").asText())
                    .containsExactly(first.getFirst().jobId() + "@3", second.getFirst().jobId() + "@1", first.getFirst().jobId() + "@4");
        }
    }

    /**
     * An id as the test names it: {@code positions p:o,...} stands for a well-formed cursor of those
     * positions (base64url of the text, as the service writes its cursors); anything else is sent as it is.
     */
    private static String lastEventId(String named) {
        return named == null || !named.startsWith("positions ") ? named : Base64.getUrlEncoder().withoutPadding()
                .encodeToString(named.substring("positions ".length()).getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "resuming from {0}")
    @CsvSource(delimiter = '|', value = {
            "a malformed Last-Event-ID header      | bogus                                                     | ",
            "a malformed lastEventId parameter     |                                                           | bogus",
            "a negative offset                     | positions 0:-1                                            | ",
            "a partition the topic does not have   | positions 7:0                                             | ",
            "offsets the topic never reached       | positions 0:9000000000000,1:9000000000000,2:9000000000000 | "})
    void aLastEventIdThatIsNoPositionOfTheTopicStartsTheStreamWithAReset(String from, String header, String parameter) {
        String tag = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String lastEventId = lastEventId(header);
        List<StatusChange> job = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.reset", List.of(tag));
        String resetId;
        try (SseClient stream = jobpulse.stream("/v1/stream?tag=" + tag + (parameter == null ? "" : "&lastEventId=" + parameter),
                lastEventId)) {
            assertThat(stream.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(10)).until(() -> !stream.events().isEmpty());
            SseClient.Event reset = stream.events().getFirst();
            assertThat(reset.name()).isEqualTo("reset");
            assertThat(data(reset).get("reason").asText()).isEqualTo("history-unavailable");
            assertThat(reset.id()).isNotBlank();
            resetId = reset.id();

            statusChanges.send(job.get(0));
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.updates().size() == 1);
            assertThat(stream.events(SseClient.COMMENT)).extracting(SseClient.Event::data).doesNotContain("stream position");
        }
        try (SseClient resumed = jobpulse.stream("/v1/stream?tag=" + tag, resetId)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> resumed.updates().size() == 1);
            assertThat(resumed.events("reset")).as("the reset's id is a position to continue from").isEmpty();
            assertThat(data(resumed.updates().getFirst()).get("jobId").asText()).isEqualTo(job.getFirst().jobId());
        }
    }

    @Test
    void aOneJobStreamRefusesALastEventIdThatIsNotAVersionNumber() {
        String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.bad-version\"}")).get("id").asText();
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/jobs/" + id).statusCode() == 200);
        for (String path : new String[] {"/v1/jobs/" + id + "/stream", "/v1/jobs/" + id + "/stream?lastEventId=bogus"}) {
            HttpRequest.Builder request = HttpRequest.newBuilder(jobpulse.uri(path)).header("Accept", "text/event-stream");
            var answer = jobpulse.send(path.contains("?") ? request.GET() : request.header("Last-Event-ID", "bogus").GET());
            assertThat(answer.statusCode()).as(path).isEqualTo(400);
            assertThat(answer.headers().firstValue("Content-Type")).as(path).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(json(answer).get("field").asText()).as(path).isEqualTo("Last-Event-ID");
        }
    }

    @Test
    void aClientMovesToAnotherPushInstanceMidJobAndResumes() {
        try (JobpulseInstance second = JobpulseInstance.start(Map.of(
                "jobpulse.roles", "push",
                "jobpulse.state-url", jobpulse.uri("/").toString(),
                "jobpulse.state-token", JobpulseInstance.adminToken()))) {
            String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.move\"}")).get("id").asText();
            String last;
            try (SseClient onFirst = jobpulse.stream("/v1/jobs/" + id + "/stream", null)) {
                jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"running\",\"progress\":0.1}");
                await().atMost(Duration.ofSeconds(20)).until(() -> onFirst.updates().stream().anyMatch(e -> "2".equals(e.id())));
                last = onFirst.updates().getLast().id();
            }
            jobpulse.post("/v1/jobs/" + id + "/reports", "{\"progress\":0.5}");
            jobpulse.post("/v1/jobs/" + id + "/reports", "{\"progress\":0.7}");
            await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + id)).path("version").asInt() == 4);

            try (SseClient onSecond = second.stream("/v1/jobs/" + id + "/stream", last)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> onSecond.updates().size() == 2);
                jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"succeeded\"}");
                onSecond.awaitEnd(Duration.ofSeconds(20));
                assertThat(received(onSecond)).containsExactly("3", "4", "5");
            }
        }
    }

    @Test
    void aSlowClientGetsTheLatestAndTheFinalStateWhileOthersStayLive() throws Exception {
        String tag = "t-" + UUID.randomUUID().toString().substring(0, 8);
        List<List<StatusChange>> jobs = new ArrayList<>();
        // About 5 MB of updates in all: more than the kernel's send buffer can ever hold (4 MB at
        // most here), so a client that does not read makes the server wait, and its updates coalesce.
        String message = "m".repeat(4_000);
        for (int j = 0; j < 3; j++) {
            jobs.add(StatusChanges.ofNewJob(JobpulseInstance.USER, "x.slow", List.of(tag), 400, message));
        }
        try (Socket slow = new Socket()) {
            slow.setReceiveBufferSize(2048);
            slow.connect(new InetSocketAddress(jobpulse.uri("/").getHost(), jobpulse.uri("/").getPort()));
            OutputStream out = slow.getOutputStream();
            out.write(("GET /v1/stream?tag=" + tag + " HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\nAuthorization: Bearer " + JobpulseInstance.token(JobpulseInstance.USER) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader reader = new BufferedReader(new InputStreamReader(slow.getInputStream(), StandardCharsets.UTF_8), 1);
            assertThat(reader.readLine()).contains("200");

            try (SseClient live = jobpulse.stream("/v1/stream?tag=" + tag, null)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> !live.events(SseClient.COMMENT).isEmpty());
                int sent = 0;
                for (int version = 0; version < jobs.getFirst().size(); version++) {
                    for (List<StatusChange> job : jobs) {
                        statusChanges.send(job.get(version));
                        sent++;
                    }
                }
                int total = sent;
                await().atMost(Duration.ofSeconds(60)).until(() -> live.updates().size() == total);
            }

            Map<String, List<Long>> versions = new HashMap<>();
            String line;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (versions.values().stream().filter(v -> v.getLast() == 402).count() < 3 && System.nanoTime() < deadline
                    && (line = reader.readLine()) != null) {
                if (line.startsWith("data:")) {
                    JsonNode update = JobJson.mapper().readTree(line.substring(5));
                    versions.computeIfAbsent(update.get("jobId").asText(), k -> new ArrayList<>()).add(update.get("version").asLong());
                }
            }
            assertThat(versions).hasSize(3);
            versions.values().forEach(v -> assertThat(v).isSorted().doesNotHaveDuplicates().endsWith(402L));
            int delivered = versions.values().stream().mapToInt(List::size).sum();
            assertThat(delivered).as("versions coalesced for the slow client").isLessThan(3 * 402);
        }
    }
}
