package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.StatusChange;
import io.jobpulse.projections.Condition;
import io.jobpulse.projections.JobFilter;
import io.jobpulse.projections.JobRowRepository;
import io.jobpulse.projections.PageCursor;
import io.jobpulse.projections.RetentionSweeper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The read model against a real broker and PostgreSQL: list filters and pages, the summary, the
 * history with its raw events, owner isolation, the projector's idempotence, and the plans of
 * the list queries.
 */
class ReadModelTest {

    private static JobpulseInstance jobpulse;
    private static StatusChanges statusChanges;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of("jobpulse.projections.retention-by-type.x.retention", "1h"));
        statusChanges = new StatusChanges();
    }

    @AfterAll
    static void stop() {
        statusChanges.close();
        jobpulse.close();
    }

    private static String uniqueTag() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static JsonNode submit(String type, String tag) {
        var response = jobpulse.post("/v1/jobs", "{\"type\":\"" + type + "\",\"tags\":[\"" + tag + "\"]}");
        assertThat(response.statusCode()).isEqualTo(202);
        return json(response);
    }

    private static void report(String id, String body) {
        assertThat(jobpulse.post("/v1/jobs/" + id + "/reports", body).statusCode()).isEqualTo(202);
    }

    private static JsonNode list(String query) {
        var response = jobpulse.get("/v1/jobs?" + query);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return json(response);
    }

    /** The ids of a page's items, in order (any list of the read model). */
    static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }

    /** Waits until the read model shows every job with the tag at its latest version. */
    private static void awaitProjected(String tag, int jobs, int changes) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode page = list("tag=" + tag + "&limit=100");
            assertThat(page.get("items")).hasSize(jobs);
            int versions = 0;
            for (JsonNode item : page.get("items")) {
                versions += item.get("version").asInt();
            }
            assertThat(versions).isEqualTo(changes);
        });
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Test
    void listParametersAreStrictAndTakeCommaListsLikeTheStreams() {
        String tag = "strict-" + UUID.randomUUID().toString().substring(0, 8);
        String first = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.first\",\"tags\":[\"" + tag + "\"]}")).get("id").asText();
        String second = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.second\",\"tags\":[\"" + tag + "\"]}")).get("id").asText();
        json(jobpulse.post("/v1/jobs", "{\"type\":\"x.third\",\"tags\":[\"" + tag + "\"]}"));
        await().atMost(Duration.ofSeconds(20)).until(() ->
                json(jobpulse.get("/v1/jobs?tag=" + tag + "&count=true")).path("total").asInt() == 3);

        JsonNode both = json(jobpulse.get("/v1/jobs?tag=" + tag + "&type=x.first,x.second"));
        assertThat(both.get("items")).extracting(item -> item.get("id").asText()).containsExactlyInAnyOrder(first, second);
        assertThat(json(jobpulse.get("/v1/jobs?tag=" + tag + "&type=x.first&type=x.second")).get("items")).hasSize(2);

        for (String[] wrong : new String[][] {{"/v1/jobs?tpye=x.first", "tpye"}, {"/v1/jobs?count=yes", "count"},
                {"/v1/jobs/summary?tag=" + tag, "tag"}, {"/v1/jobs/" + first + "?verbose=1", "verbose"}}) {
            var answer = jobpulse.get(wrong[0]);
            assertThat(answer.statusCode()).as(wrong[0]).isEqualTo(400);
            assertThat(json(answer).get("field").asText()).as(wrong[0]).isEqualTo(wrong[1]);
            assertThat(json(answer).get("detail").asText()).as(wrong[0]).contains(wrong[1]);
        }
    }

    @Test
    void filtersCombineAndListNewestFirst() {
        String tag = uniqueTag();
        String a = submit("x.render", tag).get("id").asText();
        String b = submit("x.render", tag).get("id").asText();
        String c = submit("y.caption", tag).get("id").asText();
        String d = submit("y.caption", tag).get("id").asText();
        report(a, "{\"status\":\"succeeded\"}");
        report(b, "{\"status\":\"running\"}");
        report(d, "{\"status\":\"failed\"}");
        awaitProjected(tag, 4, 7);
        Instant bCreated = Instant.parse(list("tag=" + tag + "&type=x.render").at("/items/0/createdAt").asText());
        Instant cCreated = Instant.parse(list("tag=" + tag + "&type=y.caption").at("/items/1/createdAt").asText());
        Instant beforeUpdate = Instant.now();
        report(b, "{\"progress\":0.5}");
        awaitProjected(tag, 4, 8);

        assertThat(ids(list("tag=" + tag))).containsExactly(d, c, b, a);
        assertThat(ids(list("tag=" + tag + "&status=running,succeeded"))).containsExactly(b, a);
        assertThat(ids(list("tag=" + tag + "&status=queued&status=failed"))).containsExactly(d, c);
        assertThat(ids(list("tag=" + tag + "&type=y.caption"))).containsExactly(d, c);
        assertThat(ids(list("tag=" + tag + "&createdAfter=" + encode(bCreated.toString())))).containsExactly(d, c);
        assertThat(ids(list("tag=" + tag + "&createdBefore=" + encode(cCreated.toString())))).containsExactly(b, a);
        assertThat(ids(list("tag=" + tag + "&updatedSince=" + encode(beforeUpdate.toString())))).containsExactly(b);
        JsonNode counted = list("tag=" + tag + "&limit=2&count=true");
        assertThat(ids(counted)).containsExactly(d, c);
        assertThat(counted.get("total").asLong()).isEqualTo(4);
        assertThat(ids(list("tag=" + tag + "&limit=2&cursor=" + counted.get("nextCursor").asText()))).containsExactly(b, a);
    }

    @Test
    void badFiltersAreProblemsNamingTheField() {
        for (String query : List.of("status=done", "createdAfter=yesterday", "cursor=%21%21", "limit=0", "limit=101")) {
            var response = jobpulse.get("/v1/jobs?" + query);
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(json(response).get("field").asText()).isEqualTo(query.substring(0, query.indexOf('=')));
        }
    }

    @Test
    void pagesNeitherRepeatNorSkipAJobWhileNewJobsArrive() {
        String tag = uniqueTag();
        List<String> submitted = new ArrayList<>();
        for (int i = 0; i < 23; i++) {
            submitted.addFirst(submit("x.page", tag).get("id").asText());
        }
        awaitProjected(tag, 23, 23);

        List<String> seen = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = list("tag=" + tag + "&limit=5" + (cursor == null ? "" : "&cursor=" + cursor));
            seen.addAll(ids(page));
            cursor = page.path("nextCursor").isMissingNode() ? null : page.get("nextCursor").asText();
            submit("x.page", tag);
            submit("x.page", tag);
        } while (cursor != null);

        assertThat(seen).containsExactlyElementsOf(submitted);
    }

    @Test
    void historyTellsEveryChangeAndWithRawTheEventsBehindIt() {
        String tag = uniqueTag();
        String id = submit("x.history", tag).get("id").asText();
        report(id, "{\"status\":\"running\",\"progress\":0.5,\"message\":\"halfway\"}");
        // Progress never moves back: refused by the topology as changing nothing, though intake took it.
        report(id, "{\"progress\":0.3}");
        report(id, "{\"status\":\"succeeded\",\"result\":{\"url\":\"https://cdn.example/x.png\"}}");
        // The events and the changes are projected by two consumers of two topics, each at its own pace.
        await().atMost(Duration.ofSeconds(20)).until(() ->
                json(jobpulse.get("/v1/jobs/" + id + "/history?raw=true")).path("events").size() == 4
                        && json(jobpulse.get("/v1/jobs/" + id + "/history")).path("changes").size() == 3);

        JsonNode history = json(jobpulse.get("/v1/jobs/" + id + "/history"));
        assertThat(history.get("changes")).extracting(change -> change.get("version").asLong()).containsExactly(1L, 2L, 3L);
        assertThat(history.get("changes")).extracting(change -> change.get("summary").asText()).containsExactly(
                "submitted as x.history", "queued -> running; progress 50%; message: halfway",
                "running -> succeeded; progress 100%; result");
        assertThat(history.has("events")).isFalse();
        JsonNode raw = json(jobpulse.get("/v1/jobs/" + id + "/history?raw=true"));
        assertThat(raw.get("events")).extracting(event -> event.path("appliedAs").asText(null))
                .containsExactly("1", "2", null, "3");
        assertThat(raw.at("/events/2/event/progress").asDouble()).isEqualTo(0.3);
        assertThat(raw.at("/events/0/event/event").asText()).isEqualTo("job.submitted");
    }

    @Test
    void historyOfAnUnknownJobIsNotFound() {
        var response = jobpulse.get("/v1/jobs/" + UUID.randomUUID() + "/history");

        assertThat(response.statusCode()).isEqualTo(404);
    }

    @Test
    void summaryCountsByStatusOverallAndPerType() {
        String type = "x.summary-" + uniqueTag();
        String tag = uniqueTag();
        submit(type, tag);
        submit(type, tag);
        report(submit(type, tag).get("id").asText(), "{\"status\":\"succeeded\"}");
        awaitProjected(tag, 3, 4);

        JsonNode summary = json(jobpulse.get("/v1/jobs/summary"));

        assertThat(summary.at("/byType/" + type.replace("/", "~1") + "/total").asLong()).isEqualTo(3);
        assertThat(summary.at("/byType/" + type + "/byStatus/queued").asLong()).isEqualTo(2);
        assertThat(summary.at("/byType/" + type + "/byStatus/succeeded").asLong()).isEqualTo(1);
        long byStatus = 0;
        for (JsonNode count : summary.get("byStatus")) {
            byStatus += count.asLong();
        }
        assertThat(summary.get("total").asLong()).isEqualTo(byStatus).isGreaterThanOrEqualTo(3);
    }

    @Test
    void ownersSeeOnlyTheirOwnJobs() throws Exception {
        String tag = uniqueTag();
        String mine = submit("x.owner", tag).get("id").asText();
        StatusChange bobs = StatusChanges.ofNewJob("bob", "x.owner", List.of(tag)).getFirst();
        statusChanges.send(bobs);
        await().atMost(Duration.ofSeconds(20)).until(() -> ownerInDatabase(bobs.jobId()) != null);

        assertThat(ownerInDatabase(bobs.jobId())).isEqualTo("bob");
        assertThat(ids(list("tag=" + tag))).containsExactly(mine);
        assertThat(jobpulse.get("/v1/jobs/" + bobs.jobId() + "/history").statusCode()).isEqualTo(404);
        JobRowRepository repository = jobpulse.context().getBean(JobRowRepository.class);
        JobFilter byTag = new JobFilter(List.of(), List.of(), tag, null, null, null);
        assertThat(repository.newestFirst("bob", byTag, null, 10)).extracting(row -> row.id()).containsExactly(bobs.jobId());
        assertThat(repository.count("bob", byTag)).isEqualTo(1);
    }

    @Test
    void redeliveredAndOlderChangesChangeNothing() throws Exception {
        List<StatusChange> changes = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.direct", List.of(uniqueTag()));
        String job = changes.getFirst().jobId();
        changes.subList(0, 3).forEach(statusChanges::send);
        // Redeliveries, older versions after newer ones, then the last change as a sentinel: one
        // partition keeps them in order, so once it is projected, so is everything before it.
        statusChanges.send(changes.get(1));
        statusChanges.send(changes.get(0));
        statusChanges.send(changes.get(2));
        statusChanges.send(changes.get(1));
        statusChanges.send(changes.get(3));
        await().atMost(Duration.ofSeconds(20)).until(() -> versionInDatabase(job) == 4);

        try (Connection db = TestStack.get().connect();
             PreparedStatement rows = db.prepareStatement("SELECT version FROM job_changes WHERE job_id = ? ORDER BY version")) {
            rows.setString(1, job);
            List<Long> versions = new ArrayList<>();
            try (ResultSet result = rows.executeQuery()) {
                while (result.next()) {
                    versions.add(result.getLong(1));
                }
            }
            assertThat(versions).containsExactly(1L, 2L, 3L, 4L);
        }
        assertThat(json(jobpulse.get("/v1/jobs/" + job + "/history")).get("changes")).hasSize(4);
    }

    @Test
    void finishedJobsLeaveTheReadModelAfterTheirTypesRetention() throws Exception {
        String tag = uniqueTag();
        String finished = submit("x.retention", tag).get("id").asText();
        String open = submit("x.retention", tag).get("id").asText();
        String otherType = submit("x.kept", tag).get("id").asText();
        report(finished, "{\"status\":\"succeeded\"}");
        report(otherType, "{\"status\":\"succeeded\"}");
        await().atMost(Duration.ofSeconds(20)).until(() ->
                json(jobpulse.get("/v1/jobs/" + finished + "/history?raw=true")).path("events").size() == 2);
        awaitProjected(tag, 3, 5);

        long removed = jobpulse.context().getBean(RetentionSweeper.class).sweep(Instant.now().plus(Duration.ofHours(2)));

        assertThat(removed).isGreaterThanOrEqualTo(1);
        assertThat(ids(list("tag=" + tag))).containsExactlyInAnyOrder(open, otherType);
        assertThat(jobpulse.get("/v1/jobs/" + finished + "/history").statusCode()).isEqualTo(404);
        for (String table : List.of("job_changes", "job_events")) {
            try (Connection db = TestStack.get().connect();
                 PreparedStatement rows = db.prepareStatement("SELECT count(*) FROM " + table + " WHERE job_id = ?")) {
                rows.setString(1, finished);
                try (ResultSet result = rows.executeQuery()) {
                    result.next();
                    assertThat(result.getLong(1)).as(table).isZero();
                }
            }
        }
    }

    @Test
    void everyShapeOfTheListQueryIsServedByAnIndex() throws Exception {
        Instant t = Instant.parse("2026-01-01T00:00:00Z");
        Map<String, Condition> shapes = Map.of(
                "owner only", JobRowRepository.pageQuery(JobpulseInstance.USER, JobFilter.NONE, null, 50),
                "statuses", JobRowRepository.pageQuery(JobpulseInstance.USER, new JobFilter(List.of("queued", "running"), List.of(), null, null, null, null), null, 50),
                "type", JobRowRepository.pageQuery(JobpulseInstance.USER, new JobFilter(List.of(), List.of("image.generate"), null, null, null, null), null, 50),
                "tag", JobRowRepository.pageQuery(JobpulseInstance.USER, new JobFilter(List.of(), List.of(), "demo", null, null, null), null, 50),
                "created range", JobRowRepository.pageQuery(JobpulseInstance.USER, new JobFilter(List.of(), List.of(), null, t, t.plusSeconds(60), null), null, 50),
                "updated since", JobRowRepository.pageQuery(JobpulseInstance.USER, new JobFilter(List.of(), List.of(), null, null, null, t), null, 50),
                "after a cursor", JobRowRepository.pageQuery(JobpulseInstance.USER, JobFilter.NONE, new PageCursor(t, "x"), 50));
        try (Connection db = TestStack.get().connect()) {
            db.createStatement().execute("SET enable_seqscan = off");
            for (var shape : shapes.entrySet()) {
                try (PreparedStatement explain = db.prepareStatement("EXPLAIN (FORMAT JSON) " + shape.getValue().sql())) {
                    shape.getValue().bind(explain);
                    try (ResultSet plan = explain.executeQuery()) {
                        plan.next();
                        String text = plan.getString(1);
                        assertThat(text).as(shape.getKey()).doesNotContain("Seq Scan").containsPattern("\"Index Name\": \"jobs_");
                    }
                }
            }
        }
    }

    private static String ownerInDatabase(String id) throws Exception {
        try (Connection db = TestStack.get().connect(); PreparedStatement query = db.prepareStatement("SELECT owner FROM jobs WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getString(1) : null;
            }
        }
    }

    private static long versionInDatabase(String id) throws Exception {
        try (Connection db = TestStack.get().connect(); PreparedStatement query = db.prepareStatement("SELECT version FROM jobs WHERE id = ?")) {
            query.setString(1, id);
            try (ResultSet row = query.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }
}
