package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchCounts;
import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.BatchStatus;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.Topics;
import io.jobpulse.projections.BatchFilter;
import io.jobpulse.projections.BatchRowRepository;
import io.jobpulse.projections.Condition;
import io.jobpulse.projections.JobFilter;
import io.jobpulse.projections.JobRowRepository;
import io.jobpulse.projections.PageCursor;
import io.jobpulse.projections.ProjectionsConfiguration;
import io.jobpulse.projections.RetentionSweeper;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;

import static io.jobpulse.app.ReadModelTest.ids;
import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The batches' read model against a real broker and PostgreSQL: a batch's events written to Kafka as
 * the ingest writes them (the opening, its jobs' submissions naming it, the jobs added), its jobs
 * driven by reports over HTTP, folded by the topology, projected into {@code batches}; then
 * {@code GET /v1/batches} (filters, pages, owners) and {@code GET /v1/batches/{id}/jobs}, the
 * projection's version guard, and the plans of the list queries. One instance serves every test.
 */
class BatchReadModelTest {

    private static JobpulseInstance jobpulse;
    private static KafkaProducer<String, byte[]> producer;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.allRoles();
        producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        producer.close();
        jobpulse.close();
    }

    @Test
    void listsTheCallersBatchesNewestFirstFilteredAndInPages() {
        String tag = uniqueTag();
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<String> first = openBatch("alice", tag, now.minusSeconds(3), 2);
        List<String> second = openBatch("alice", tag, now.minusSeconds(2), 1);
        List<String> third = openBatch("alice", tag, now.minusSeconds(1), 0);
        String a = first.getFirst();
        String b = second.getFirst();
        String c = third.getFirst();
        report(first.get(1), "{\"status\":\"succeeded\"}");
        report(first.get(2), "{\"status\":\"running\",\"progress\":0.5}");
        report(second.get(1), "{\"status\":\"succeeded\"}");
        send(Topics.BATCH_EVENTS_NAME, b, new BatchEvent.Closed("closed-" + b, b, Instant.now(), EventSource.user("alice")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(statuses(list("tag=" + tag))).containsExactly("open", "succeeded", "running");
            assertThat(list("tag=" + tag).at("/items/2/progress").asDouble()).isEqualTo(0.75);
            assertThat(ids(batchJobs(a, "?status=running,succeeded"))).hasSize(2);
        });

        JsonNode running = list("tag=" + tag).at("/items/2");
        assertThat(running.get("id").asText()).isEqualTo(a);
        assertThat(running.get("owner").asText()).isEqualTo("alice");
        assertThat(running.get("tags")).extracting(JsonNode::asText).containsExactly(tag);
        assertThat(running.get("total").asInt()).isEqualTo(2);
        assertThat(running.get("done").asInt()).isEqualTo(1);
        assertThat(running.at("/counts/succeeded").asInt()).isEqualTo(1);
        assertThat(running.at("/counts/running").asInt()).isEqualTo(1);
        assertThat(Instant.parse(running.get("openedAt").asText())).isEqualTo(now.minusSeconds(3));
        assertThat(ids(list("tag=" + tag + "&status=running,succeeded"))).containsExactly(b, a);
        assertThat(ids(list("tag=" + tag + "&status=open&status=failed"))).containsExactly(c);
        assertThat(ids(list("tag=" + tag + "&createdAfter=" + encode(now.minusSeconds(3).toString())))).containsExactly(c, b);
        assertThat(ids(list("tag=" + tag + "&createdBefore=" + encode(now.minusSeconds(1).toString())))).containsExactly(b, a);
        JsonNode counted = list("tag=" + tag + "&limit=2&count=true");
        assertThat(ids(counted)).containsExactly(c, b);
        assertThat(counted.get("total").asLong()).isEqualTo(3);
        JsonNode last = list("tag=" + tag + "&limit=2&cursor=" + counted.get("nextCursor").asText());
        assertThat(ids(last)).containsExactly(a);
        assertThat(last.has("nextCursor")).isFalse();

        // The batch's jobs, with the job list's filters and pages; the batch of each is on its row.
        assertThat(ids(batchJobs(a, ""))).containsExactly(first.get(2), first.get(1));
        assertThat(ids(batchJobs(a, "?status=succeeded"))).containsExactly(first.get(1));
        JsonNode page = batchJobs(a, "?limit=1&count=true");
        assertThat(ids(page)).containsExactly(first.get(2));
        assertThat(page.get("total").asLong()).isEqualTo(2);
        assertThat(ids(batchJobs(a, "?limit=1&cursor=" + page.get("nextCursor").asText()))).containsExactly(first.get(1));
        assertThat(page.at("/items/0/batchId").asText()).isEqualTo(a);
        assertThat(ids(batchJobs(c, ""))).isEmpty();
    }

    @Test
    void finishedBatchesLeaveTheListOnceTheirRetentionHasPassed() {
        String tag = uniqueTag();
        List<String> finished = openBatch("alice", tag, Instant.now(), 1);
        List<String> open = openBatch("alice", tag, Instant.now(), 1);
        String done = finished.getFirst();
        report(finished.get(1), "{\"status\":\"succeeded\"}");
        report(open.get(1), "{\"status\":\"succeeded\"}");
        send(Topics.BATCH_EVENTS_NAME, done, new BatchEvent.Closed("closed-" + done, done, Instant.now(), EventSource.user("alice")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(statuses(list("tag=" + tag))).containsExactlyInAnyOrder("succeeded", "open"));
        RetentionSweeper sweeper = jobpulse.context().getBean(RetentionSweeper.class);
        Duration retention = jobpulse.context().getBean(ProjectionsConfiguration.class).retention();

        sweeper.sweepBatches(Instant.now().plus(retention).minus(Duration.ofHours(1)));
        assertThat(ids(list("tag=" + tag))).as("within the retention").hasSize(2);

        assertThat(sweeper.sweepBatches(Instant.now().plus(retention).plus(Duration.ofHours(1)))).isPositive();
        assertThat(ids(list("tag=" + tag))).as("the batch that is not closed is not finished, whatever its jobs")
                .containsExactly(open.getFirst());
        // Only the read model forgets: the batch is still read from the topology's store.
        assertThat(jobpulse.get("/v1/batches/" + done).statusCode()).isEqualTo(200);
    }

    @Test
    void anotherOwnersBatchesAreNeitherListedNorTheirJobsFound() {
        String tag = uniqueTag();
        List<String> mine = openBatch("alice", tag, Instant.now(), 1);
        List<String> bobs = openBatch("bob", tag, Instant.now(), 1);
        String loose = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.loose\",\"tags\":[\"" + tag + "\"]}")).get("id").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(ids(listAs(JobpulseInstance.token("bob"), "tag=" + tag))).hasSize(1);
            assertThat(ids(list("tag=" + tag))).hasSize(1);
            assertThat(ids(jobsList("tag=" + tag))).contains(loose);
            assertThat(ids(batchJobs(mine.getFirst(), ""))).hasSize(1);
        });

        assertThat(ids(list("tag=" + tag))).containsExactly(mine.getFirst());
        assertThat(ids(listAs(JobpulseInstance.token("bob"), "tag=" + tag))).containsExactly(bobs.getFirst());
        assertThat(ids(listAs(JobpulseInstance.adminToken(), "tag=" + tag + "&owner=bob"))).containsExactly(bobs.getFirst());
        HttpResponse<String> hidden = jobpulse.get("/v1/batches/" + bobs.getFirst() + "/jobs");
        assertThat(hidden.statusCode()).isEqualTo(404);
        assertThat(hidden.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(hidden).get("detail").asText()).contains(bobs.getFirst());
        assertThat(ids(json(jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/batches/" + bobs.getFirst() + "/jobs"))
                .header("Authorization", "Bearer " + JobpulseInstance.token("bob")).GET())))).containsExactly(bobs.get(1));
        // A job of no batch is in no batch's list.
        assertThat(ids(batchJobs(mine.getFirst(), ""))).containsExactly(mine.get(1));
        assertThat(jobpulse.get("/v1/batches/" + UUID.randomUUID() + "/jobs").statusCode()).isEqualTo(404);
    }

    @Test
    void badParametersAreProblemsNamingTheField() {
        for (String query : List.of("/v1/batches?status=done", "/v1/batches?createdAfter=yesterday", "/v1/batches?cursor=%21%21",
                "/v1/batches?limit=101", "/v1/batches?type=x", "/v1/batches/b/jobs?status=open", "/v1/batches/b/jobs?limit=0")) {
            HttpResponse<String> response = jobpulse.get(query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            String field = query.substring(query.indexOf('?') + 1, query.indexOf('='));
            assertThat(json(response).get("field").asText()).as(query).isEqualTo(field);
        }
        assertThat(json(jobpulse.get("/v1/batches?status=done")).get("detail").asText())
                .isEqualTo("'status' takes open, running, succeeded, failed, partial or canceled, not 'done'.");
    }

    @Test
    void theProjectionKeepsTheLatestVersionWhateverComesAfterIt() throws Exception {
        String id = UUID.randomUUID().toString();
        Instant opened = Instant.now();
        // Redelivered and older changes after newer ones, on one partition; the last is the sentinel.
        for (long version : new long[] {1, 3, 2, 3, 1, 4}) {
            send(Topics.BATCH_STATUS_NAME, id, change(id, opened, version));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> versionInDatabase(id) == 4);
        send(Topics.BATCH_STATUS_NAME, id, change(id, opened, 2));
        String sentinel = UUID.randomUUID().toString();
        send(Topics.BATCH_STATUS_NAME, sentinel, change(sentinel, opened, 1));
        await().atMost(Duration.ofSeconds(20)).until(() -> versionInDatabase(sentinel) == 1);

        assertThat(versionInDatabase(id)).isEqualTo(4);
        JsonNode listed = listAs(JobpulseInstance.token("carol"), "createdAfter=" + encode(opened.minusMillis(1).toString()));
        JsonNode batch = null;
        for (JsonNode item : listed.get("items")) {
            batch = item.get("id").asText().equals(id) ? item : batch;
        }
        assertThat(batch).isNotNull();
        assertThat(batch.get("version").asLong()).isEqualTo(4);
        assertThat(batch.at("/counts/succeeded").asInt()).isEqualTo(4);
    }

    @Test
    void everyShapeOfTheListQueriesIsServedByAnIndex() throws Exception {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        String user = JobpulseInstance.USER;
        Map<String, Condition> shapes = Map.of(
                "owner only", BatchRowRepository.pageQuery(user, BatchFilter.NONE, null, 50),
                "one status", BatchRowRepository.pageQuery(user, new BatchFilter(List.of("running"), null, null, null), null, 50),
                "statuses", BatchRowRepository.pageQuery(user, new BatchFilter(List.of("open", "running"), null, null, null), null, 50),
                "tag", BatchRowRepository.pageQuery(user, new BatchFilter(List.of(), "demo", null, null), null, 50),
                "created range", BatchRowRepository.pageQuery(user, new BatchFilter(List.of(), null, t, t.plusSeconds(60)), null, 50),
                "after a cursor", BatchRowRepository.pageQuery(user, BatchFilter.NONE, new PageCursor(t, "x"), 50),
                "a batch's jobs", JobRowRepository.pageQuery(user, JobFilter.NONE.inBatch("b"), new PageCursor(t, "x"), 50));
        try (Connection db = TestStack.get().connect()) {
            db.createStatement().execute("SET enable_seqscan = off");
            for (var shape : shapes.entrySet()) {
                try (PreparedStatement explain = db.prepareStatement("EXPLAIN (FORMAT JSON) " + shape.getValue().sql())) {
                    shape.getValue().bind(explain);
                    try (ResultSet plan = explain.executeQuery()) {
                        plan.next();
                        assertThat(plan.getString(1)).as(shape.getKey()).doesNotContain("Seq Scan")
                                .containsPattern("\"Index Name\": \"(batches|jobs)_");
                    }
                }
            }
        }
    }

    /**
     * Opens a batch with {@code jobs} new jobs as the ingest does: the opening, each job's submission naming
     * the batch, the jobs added. Returns the batch id, then the jobs' ids in the order submitted.
     */
    private static List<String> openBatch(String owner, String tag, Instant openedAt, int jobs) {
        String batch = UUID.randomUUID().toString();
        EventSource source = EventSource.user(owner);
        send(Topics.BATCH_EVENTS_NAME, batch, new BatchEvent.Opened("opened-" + batch, batch, openedAt, source, owner, List.of(tag), Map.of()));
        List<String> ids = new ArrayList<>(List.of(batch));
        for (int i = 0; i < jobs; i++) {
            String job = UUID.randomUUID().toString();
            Instant now = Instant.now();
            send(Topics.JOB_EVENTS_NAME, job, new JobEvent.Submitted("submitted-" + job, job, now, now, source, owner, "x.batched",
                    null, null, List.of(), null, null, null, batch));
            ids.add(job);
        }
        if (jobs > 0) {
            send(Topics.BATCH_EVENTS_NAME, batch, new BatchEvent.JobsAdded("added-" + batch, batch, Instant.now(), source,
                    ids.subList(1, ids.size())));
        }
        return ids;
    }

    /** A batch's change at a version, its jobs all succeeded, as many as the version says (so versions tell apart). */
    private static BatchChange change(String id, Instant opened, long version) {
        int jobs = (int) version;
        BatchState state = new BatchState(id, "carol", List.of(), Map.of(), BatchStatus.RUNNING, new BatchCounts(0, 0, jobs, 0, 0, 0),
                jobs, jobs, 1.0, jobs * 1_000_000L, opened, null, null, null, null, null, version, opened.plusMillis(version));
        return new BatchChange(id, version, version == 1 ? null : BatchStatus.RUNNING, BatchStatus.RUNNING, state,
                id + "/" + version, "batch.jobs-added", opened.plusMillis(version));
    }

    private static void send(String topic, String key, Object value) {
        try {
            producer.send(new ProducerRecord<>(topic, key, JobJson.write(value))).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private static void report(String job, String body) {
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.post("/v1/jobs/" + job + "/reports", body).statusCode() == 202);
    }

    private static JsonNode list(String query) {
        return listAs(JobpulseInstance.token(JobpulseInstance.USER), query);
    }

    private static JsonNode listAs(String token, String query) {
        HttpResponse<String> response = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/batches?" + query))
                .header("Authorization", "Bearer " + token).GET());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static JsonNode jobsList(String query) {
        HttpResponse<String> response = jobpulse.get("/v1/jobs?" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static JsonNode batchJobs(String batch, String query) {
        HttpResponse<String> response = jobpulse.get("/v1/batches/" + batch + "/jobs" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    private static List<String> statuses(JsonNode page) {
        List<String> statuses = new ArrayList<>();
        page.get("items").forEach(item -> statuses.add(item.get("status").asText()));
        return statuses;
    }

    private static String uniqueTag() {
        return "b-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static long versionInDatabase(String id) throws Exception {
        try (Connection db = TestStack.get().connect(); PreparedStatement query = db.prepareStatement("SELECT version FROM batches WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }
}
