package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Following a batch live against the real broker: its SSE stream and WebSocket subscription carry
 * the batch's versions one by one from a snapshot to the end, resume by version without gap or
 * repeat, carry its jobs' changes on request, and show a batch to its owner only.
 */
class BatchStreamingTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Duration END = Duration.ofSeconds(30);
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of());
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    /** An event as it arrived, with when. */
    private record Timed(SseClient.Event event, long nanos) {
    }

    /** An SSE stream whose events are kept with their arrival times. */
    private static final class TimedStream {
        final List<Timed> events = new CopyOnWriteArrayList<>();
        volatile int status;
        volatile boolean ended;

        TimedStream(HttpRequest request) {
            HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofLines()).thenAccept(response -> {
                status = response.statusCode();
                Thread.ofVirtual().start(() -> {
                    SseClient.parse(response.body(), event -> events.add(new Timed(event, System.nanoTime())));
                    ended = true;
                });
            });
        }

        List<SseClient.Event> named(String name) {
            return events.stream().map(Timed::event).filter(e -> e.name().equals(name)).toList();
        }
    }

    private static TimedStream stream(String path, String user) {
        return new TimedStream(HttpRequest.newBuilder(jobpulse.uri(path)).header("Accept", "text/event-stream")
                .header("Authorization", "Bearer " + JobpulseInstance.token(user)).build());
    }

    /** Opens a closed batch of {@code count} jobs, adds their ids to {@code jobs}, and waits until it can be read. */
    private static String openedBatch(int count, List<String> jobs) {
        String body = IntStream.range(0, count).mapToObj(i -> "{\"type\":\"batch.stream\",\"input\":{\"n\":" + i + "}}")
                .collect(Collectors.joining(",", "{\"jobs\":[", "],\"close\":true}"));
        HttpResponse<String> response = jobpulse.post("/v1/batches", body);
        assertThat(response.statusCode()).isEqualTo(202);
        json(response).get("jobs").forEach(job -> jobs.add(job.asText()));
        String id = json(response).get("id").asText();
        await().atMost(END).until(() -> jobpulse.get("/v1/batches/" + id).statusCode() == 200);
        return id;
    }

    private static JsonNode parse(String data) {
        try {
            return JobJson.mapper().readTree(data);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + data, e);
        }
    }

    private static void report(String job, String status) {
        assertThat(jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"" + status + "\"}").statusCode()).isEqualTo(202);
    }

    private static long version(SseClient.Event event) {
        return Long.parseLong(event.id());
    }

    @Test
    void followsABatchVersionByVersionToItsEndAndResumesByVersion() {
        List<String> jobs = new ArrayList<>();
        String id = openedBatch(6, jobs);
        TimedStream stream = stream("/v1/batches/" + id + "/stream", JobpulseInstance.USER);
        await().atMost(END).until(() -> !stream.named("batch").isEmpty());
        assertThat(stream.status).isEqualTo(200);
        assertThat(parse(stream.named("batch").getFirst().data()).get("snapshot").asBoolean()).isTrue();

        List<String> order = new ArrayList<>(jobs);
        Collections.shuffle(order, new Random(11));
        order.forEach(job -> report(job, "running"));
        order.forEach(job -> report(job, job.equals(jobs.get(1)) ? "failed" : "succeeded"));
        await().atMost(END).until(() -> stream.ended);

        List<SseClient.Event> batch = stream.named("batch");
        for (int i = 1; i < batch.size(); i++) {
            assertThat(version(batch.get(i))).as("versions step by one").isEqualTo(version(batch.get(i - 1)) + 1);
            assertThat(parse(batch.get(i).data()).get("version").asLong()).isEqualTo(version(batch.get(i)));
        }
        JsonNode last = parse(batch.getLast().data());
        assertThat(last.get("status").asText()).isEqualTo("partial");
        assertThat(last.at("/batch/done").asInt()).isEqualTo(6);
        assertThat(last.get("cause").asText()).isEqualTo("batch.job-changed");

        // Resuming mid-way gives exactly the versions after the one given, from this instance's history.
        SseClient.Event middle = batch.get(batch.size() / 2);
        SseClient resumed = jobpulse.stream("/v1/batches/" + id + "/stream", middle.id());
        resumed.awaitEnd(END);
        List<Long> after = resumed.events("batch").stream().map(BatchStreamingTest::version).toList();
        assertThat(after).containsExactlyElementsOf(batch.subList(batch.size() / 2 + 1, batch.size()).stream()
                .map(BatchStreamingTest::version).toList());
        assertThat(resumed.events("batch")).allSatisfy(e -> assertThat(parse(e.data()).get("snapshot").asBoolean()).isFalse());

        // A client that has the finishing version is told to stop.
        SseClient done = jobpulse.stream("/v1/batches/" + id + "/stream", batch.getLast().id());
        assertThat(done.status()).isEqualTo(204);
        // Without a version, a finished batch is its final state once, then the end.
        SseClient again = jobpulse.stream("/v1/batches/" + id + "/stream", null);
        again.awaitEnd(END);
        assertThat(again.events("batch")).hasSize(1);
        assertThat(parse(again.events("batch").getFirst().data()).get("status").asText()).isEqualTo("partial");
    }

    @Test
    void withJobsCarriesTheJobsChangesAndMeasuresTheBatchBehindTheJob() {
        List<String> jobs = new ArrayList<>();
        String id = openedBatch(5, jobs);
        TimedStream withJobs = stream("/v1/batches/" + id + "/stream?jobs=true", JobpulseInstance.USER);
        TimedStream batchOnly = stream("/v1/batches/" + id + "/stream", JobpulseInstance.USER);
        await().atMost(END).until(() -> !withJobs.named("batch").isEmpty() && !batchOnly.named("batch").isEmpty());
        jobs.forEach(job -> report(job, "running"));

        List<Long> batchMillis = new ArrayList<>();
        List<Long> jobMillis = new ArrayList<>();
        List<String> order = new ArrayList<>(jobs);
        Collections.shuffle(order, new Random(3));
        for (String job : order) {
            TimedStream own = stream("/v1/jobs/" + job + "/stream", JobpulseInstance.USER);
            await().atMost(END).until(() -> !own.named("status").isEmpty());
            long reported = System.nanoTime();
            report(job, "succeeded");
            await().atMost(END).until(() -> own.ended);
            Timed jobArrived = own.events.stream().filter(t -> t.event().data().contains("\"succeeded\"")).findFirst().orElseThrow();
            await().atMost(END).until(() -> arrivalOfCause(batchOnly, job) != null);
            jobMillis.add((jobArrived.nanos() - reported) / 1_000_000);
            batchMillis.add((arrivalOfCause(batchOnly, job).nanos() - reported) / 1_000_000);
        }
        await().atMost(END).until(() -> withJobs.ended && batchOnly.ended);
        System.out.printf("batch stream latency: report -> job's own stream %s ms, report -> batch change on the batch stream %s ms%n",
                jobMillis, batchMillis);

        List<SseClient.Event> jobEvents = withJobs.named("job");
        for (String job : jobs) {
            assertThat(jobEvents).as("the job's end is on the batch stream").anySatisfy(e -> {
                JsonNode update = parse(e.data());
                assertThat(update.get("jobId").asText()).isEqualTo(job);
                assertThat(update.get("status").asText()).isEqualTo("succeeded");
            });
        }
        assertThat(jobEvents).allSatisfy(e -> assertThat(e.id()).isNull());
        assertThat(parse(withJobs.named("batch").getLast().data()).get("status").asText()).isEqualTo("succeeded");
        assertThat(withJobs.named("batch").stream().map(BatchStreamingTest::version).toList())
                .containsExactlyElementsOf(batchOnly.named("batch").stream().map(BatchStreamingTest::version).toList());
    }

    /** When the batch change caused by the job's third version (its success: submitted, running, succeeded) arrived. */
    private static Timed arrivalOfCause(TimedStream stream, String job) {
        return stream.events.stream().filter(t -> t.event().name().equals("batch")
                && parse(t.event().data()).path("causeEventId").asText().equals(job + "/3")).findFirst().orElse(null);
    }

    @Test
    void aSocketSubscribesToABatchWithItsJobs() {
        List<String> jobs = new ArrayList<>();
        String id = openedBatch(3, jobs);
        try (SocketClient socket = new SocketClient(jobpulse)) {
            socket.send("{\"type\":\"subscribe\",\"id\":\"b\",\"batch\":\"" + id + "\",\"jobs\":true}");
            socket.awaitMessage(m -> m.path("type").asText().equals("subscribed"));
            socket.awaitMessage(m -> m.path("event").asText().equals("batch"));
            jobs.forEach(job -> report(job, "succeeded"));
            socket.awaitMessage(m -> m.path("type").asText().equals("end") && m.path("id").asText().equals("b"));

            List<JsonNode> updates = socket.updatesOf("b");
            List<JsonNode> batch = updates.stream().filter(m -> m.path("event").asText().equals("batch")).toList();
            for (int i = 1; i < batch.size(); i++) {
                assertThat(batch.get(i).get("eventId").asLong()).isEqualTo(batch.get(i - 1).get("eventId").asLong() + 1);
            }
            assertThat(batch.getLast().at("/update/status").asText()).isEqualTo("succeeded");
            assertThat(updates.stream().filter(m -> m.path("event").asText().equals("job")).map(m -> m.at("/update/jobId").asText()))
                    .containsAll(jobs);

            // Resumed by version, the socket gets the versions after it and the end.
            long middle = batch.get(batch.size() / 2).get("eventId").asLong();
            socket.send("{\"type\":\"subscribe\",\"id\":\"r\",\"batch\":\"" + id + "\",\"lastVersion\":" + middle + "}");
            socket.awaitMessage(m -> m.path("type").asText().equals("end") && m.path("id").asText().equals("r"));
            assertThat(socket.updatesOf("r").stream().map(m -> m.get("eventId").asLong()).toList())
                    .containsExactlyElementsOf(batch.stream().map(m -> m.get("eventId").asLong()).filter(v -> v > middle).toList());
        }
    }

    @Test
    void anotherOwnersBatchIsNoBatchAndATokenForSomeJobsOpensNone() {
        List<String> jobs = new ArrayList<>();
        String id = openedBatch(1, jobs);
        TimedStream bobs = stream("/v1/batches/" + id + "/stream", "bob");
        await().atMost(END).until(() -> bobs.status != 0);
        assertThat(bobs.status).isEqualTo(404);
        assertThat(jobpulse.get("/v1/batches/no-such-batch/stream").statusCode()).isEqualTo(404);

        try (SocketClient socket = new SocketClient(jobpulse, "/v1/ws", "Bearer " + JobpulseInstance.token("bob"))) {
            socket.send("{\"type\":\"subscribe\",\"id\":\"b\",\"batch\":\"" + id + "\"}");
            JsonNode error = socket.awaitMessage(m -> m.path("type").asText().equals("error"));
            assertThat(error.at("/problem/status").asInt()).isEqualTo(404);
            socket.send("{\"type\":\"subscribe\",\"id\":\"c\",\"batch\":\"" + id + "\",\"jobs\":\"yes\"}");
            JsonNode invalid = socket.awaitMessage(m -> m.path("type").asText().equals("error") && m.path("id").asText().equals("c"));
            assertThat(invalid.at("/problem/field").asText()).isEqualTo("jobs");
        }

        String forAll = json(jobpulse.post("/v1/stream-tokens", "{}")).get("token").asText();
        String forTheJob = json(jobpulse.post("/v1/stream-tokens", "{\"jobs\":[\"" + jobs.getFirst() + "\"]}")).get("token").asText();
        TimedStream scoped = new TimedStream(HttpRequest.newBuilder(jobpulse.uri("/v1/batches/" + id + "/stream?token=" + forTheJob)).build());
        await().atMost(END).until(() -> scoped.status != 0);
        assertThat(scoped.status).isEqualTo(404);
        TimedStream open = new TimedStream(HttpRequest.newBuilder(jobpulse.uri("/v1/batches/" + id + "/stream?token=" + forAll)).build());
        await().atMost(END).until(() -> !open.named("batch").isEmpty());
        assertThat(open.status).isEqualTo(200);
        report(jobs.getFirst(), "succeeded");
        await().atMost(END).until(() -> open.ended);
        assertThat(parse(open.named("batch").getLast().data()).get("status").asText()).isEqualTo("succeeded");
    }
}
