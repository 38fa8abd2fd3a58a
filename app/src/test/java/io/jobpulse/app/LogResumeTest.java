package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.devstack.DevStack;
import io.jobpulse.topology.TopologyRuntime;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static io.jobpulse.app.StreamingTest.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Resumes from before the instance's history (five changes here), against the real broker: a
 * multi-job stream's missed changes are read back from {@code jobpulse.job-status}, exactly the
 * ones the filter and the caller see, then the stream goes on live; a one-job stream's or
 * subscription's missed versions are read back from the job's partition, every one once, in order,
 * then the history's and live ones. A cursor or version whose records the topic no longer has
 * (deleted as retention would, on a broker of the test's own), or one further back than
 * {@code jobpulse.push.max-log-replay}, gets the reset, or the job's current state.
 */
class LogResumeTest {

    private static JobpulseInstance jobpulse;
    private static StatusChanges statusChanges;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of("jobpulse.push.history-size", "5"));
        statusChanges = new StatusChanges();
    }

    @AfterAll
    static void stop() {
        statusChanges.close();
        jobpulse.close();
        if (retention != null) {
            retention.close();
        }
    }

    /**
     * A broker, database and instance of the tests' own, whose records of {@code jobpulse.job-status}
     * the tests delete: deleting them on the shared stack would take them from every later test (a
     * replay of the projections, say).
     */
    private record Retention(DevStack stack, JobpulseInstance instance, StatusChanges changes) implements AutoCloseable {

        static Retention start() throws Exception {
            DevStack stack = DevStack.start(DevStack.Options.forTests(Files.createTempDirectory("jobpulse-retention")));
            JobpulseInstance instance = JobpulseInstance.start(Map.of(
                    "kafka.bootstrap.servers", stack.kafka().bootstrapServers(),
                    "datasources.default.url", stack.postgres().jdbcUrl(),
                    "datasources.default.username", "postgres",
                    "datasources.default.password", stack.postgres().password(),
                    "jobpulse.push.history-size", "5"));
            // On a broker of its own the topology's first rebalance takes a while; commands wait for it only so long.
            KafkaStreams streams = instance.context().getBean(TopologyRuntime.class).streams();
            await().atMost(Duration.ofSeconds(60)).until(() -> streams.state() == KafkaStreams.State.RUNNING);
            return new Retention(stack, instance, new StatusChanges(stack.kafka().bootstrapServers()));
        }

        /** Deletes every record of {@code jobpulse.job-status} written so far, as its retention would. */
        void deleteStatusChanges() throws Exception {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                admin.describeTopics(List.of(Topics.JOB_STATUS.name())).allTopicNames().get().get(Topics.JOB_STATUS.name()).partitions()
                        .forEach(p -> ends.put(new TopicPartition(Topics.JOB_STATUS.name(), p.partition()), OffsetSpec.latest()));
                Map<TopicPartition, RecordsToDelete> deletions = new HashMap<>();
                admin.listOffsets(ends).all().get().forEach((partition, end) ->
                        deletions.put(partition, RecordsToDelete.beforeOffset(end.offset())));
                admin.deleteRecords(deletions).all().get();
            }
        }

        @Override
        public void close() {
            changes.close();
            instance.close();
            stack.close();
        }
    }

    private static Retention retention;

    private static synchronized Retention retention() throws Exception {
        if (retention == null) {
            retention = Retention.start();
        }
        return retention;
    }

    private static String tag() {
        return "t-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** The cursor after a first change of the caller's tagged job, as a client of the stream holds it. */
    private static String cursorAfter(JobpulseInstance instance, String tag, StatusChange first) {
        return cursorAfter(instance, statusChanges, tag, first);
    }

    private static String cursorAfter(JobpulseInstance instance, StatusChanges writer, String tag, StatusChange first) {
        try (SseClient stream = instance.stream("/v1/stream?tag=" + tag, null)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.events(SseClient.COMMENT).stream()
                    .anyMatch(e -> e.data().equals("stream position")));
            writer.send(first);
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.updates().size() == 1);
            return stream.updates().getFirst().id();
        }
    }

    /**
     * Sends these jobs' changes round-robin, so that they interleave in the partitions, and returns
     * how many were sent.
     */
    private static int interleave(List<List<StatusChange>> jobs) {
        return interleave(statusChanges, jobs);
    }

    private static int interleave(StatusChanges writer, List<List<StatusChange>> jobs) {
        int sent = 0;
        for (int step = 0; jobs.stream().anyMatch(job -> !job.isEmpty()); step++) {
            for (List<StatusChange> job : jobs) {
                if (step < job.size()) {
                    writer.send(job.get(step));
                    sent++;
                }
            }
            final int done = step + 1;
            if (jobs.stream().allMatch(job -> job.size() <= done)) {
                break;
            }
        }
        return sent;
    }

    private static List<String> versions(List<JsonNode> updates) {
        return updates.stream().map(u -> u.get("jobId").asText() + "@" + u.get("version").asText()).toList();
    }

    private static List<String> versions(List<StatusChange> changes, int from) {
        return changes.subList(from, changes.size()).stream().map(c -> c.jobId() + "@" + c.version()).toList();
    }

    /** The updates' versions by job, in the order received. */
    private static Map<String, List<String>> byJob(List<String> versions) {
        return versions.stream().collect(Collectors.groupingBy(v -> v.substring(0, v.indexOf('@')), Collectors.toList()));
    }

    /** A job submitted through the API (so that the topology holds its state), with a tag. */
    private static String submit(JobpulseInstance instance, String tag) {
        return json(instance.post("/v1/jobs", "{\"type\":\"x.log-job\",\"tags\":[\"" + tag + "\"]}")).get("id").asText();
    }

    /** Reports progress on a running job until it is at {@code version}, one version a report. */
    private static void advance(JobpulseInstance instance, String job, int from, int version) {
        for (int next = from + 1; next <= version; next++) {
            assertThat(instance.post("/v1/jobs/" + job + "/reports", "{\"status\":\"running\",\"progress\":" + next / 100.0 + "}")
                    .statusCode()).isEqualTo(202);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> json(instance.get("/v1/jobs/" + job)).path("version").asInt() == version);
    }

    /** A multi-job stream of a tag, open and positioned: every change of the tag's jobs the feed reads from now on comes to it. */
    private static SseClient watch(JobpulseInstance instance, String tag) {
        SseClient stream = instance.stream("/v1/stream?tag=" + tag, null);
        await().atMost(Duration.ofSeconds(10)).until(() -> stream.events(SseClient.COMMENT).stream()
                .anyMatch(e -> e.data().equals("stream position")));
        return stream;
    }

    /** A one-job stream's versions, with an "s" for a snapshot, e.g. "5s". */
    private static List<String> received(List<JsonNode> updates) {
        return updates.stream().map(u -> u.get("version").asText() + (u.get("snapshot").asBoolean() ? "s" : "")).toList();
    }

    private static List<String> versions(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(Integer::toString).toList();
    }

    @Test
    void aOneJobStreamResumingFromBeforeTheHistoryGetsEveryVersionFromTheTopicThenTheHistorysAndLiveOnes() {
        String tag = tag();
        String id;
        try (SseClient feed = watch(jobpulse, tag)) {
            id = submit(jobpulse, tag);
            advance(jobpulse, id, 1, 6);
            await().atMost(Duration.ofSeconds(20)).until(() -> feed.updates().size() == 6);
            // Twelve changes of another job after those: the history of five holds none of them. Then
            // versions 7 and 8, which it does hold.
            StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log-job", List.of(tag), 10).forEach(statusChanges::send);
            advance(jobpulse, id, 6, 8);
            await().atMost(Duration.ofSeconds(20)).until(() -> feed.updates().size() == 8 + 12);
        }

        try (SseClient resumed = jobpulse.stream("/v1/jobs/" + id + "/stream", "2")) {
            assertThat(resumed.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> resumed.updates().size() == 6);
            advance(jobpulse, id, 8, 9);
            await().atMost(Duration.ofSeconds(20)).until(() -> resumed.updates().size() == 7);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> resumed.updates().size() == 7);
            assertThat(received(resumed.updates().stream().map(StreamingTest::data).toList()))
                    .as("3 to 6 from the topic, 7 and 8 from the history, 9 live: each once, no snapshot")
                    .containsExactlyElementsOf(versions(3, 9));
        }
    }

    @Test
    void aOneJobSubscriptionOnAnInstanceStartedAfterItsVersionsGetsThemFromTheTopic() {
        String id = submit(jobpulse, tag());
        advance(jobpulse, id, 1, 5);
        try (JobpulseInstance restarted = JobpulseInstance.start(Map.of(
                "jobpulse.roles", "push",
                "jobpulse.state-url", jobpulse.uri("/").toString(),
                "jobpulse.state-token", JobpulseInstance.adminToken(),
                "jobpulse.push.history-size", "5"));
             SocketClient socket = new SocketClient(restarted)) {
            socket.send("{\"type\":\"subscribe\",\"id\":\"j1\",\"job\":\"" + id + "\",\"lastVersion\":2}");
            socket.awaitMessage(m -> m.path("type").asText().equals("subscribed"));
            await().atMost(Duration.ofSeconds(20)).until(() -> socket.updatesOf("j1").size() == 3);
            advance(jobpulse, id, 5, 6);
            await().atMost(Duration.ofSeconds(20)).until(() -> socket.updatesOf("j1").size() == 4);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> socket.updatesOf("j1").size() == 4);
            assertThat(received(socket.updatesOf("j1").stream().map(m -> m.get("update")).toList()))
                    .as("3 to 5 from the topic (this instance's history starts after them), 6 live").containsExactlyElementsOf(versions(3, 6));
            assertThat(socket.updatesOf("j1")).extracting(m -> m.get("eventId").asText()).containsExactlyElementsOf(versions(3, 6));
        }
    }

    @Test
    void aOneJobStreamWhoseVersionsTheTopicNoLongerHasGetsTheCurrentState() throws Exception {
        Retention own = retention();
        String tag = tag();
        String id;
        try (SseClient feed = watch(own.instance(), tag)) {
            id = submit(own.instance(), tag);
            advance(own.instance(), id, 1, 4);
            StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log-job", List.of(tag), 10).forEach(own.changes()::send);
            await().atMost(Duration.ofSeconds(20)).until(() -> feed.updates().size() == 4 + 12);
        }
        own.deleteStatusChanges();

        try (SseClient resumed = own.instance().stream("/v1/jobs/" + id + "/stream", "1")) {
            await().atMost(Duration.ofSeconds(20)).until(() -> resumed.updates().size() == 1);
            advance(own.instance(), id, 4, 5);
            await().atMost(Duration.ofSeconds(20)).until(() -> resumed.updates().size() == 2);
            assertThat(received(resumed.updates().stream().map(StreamingTest::data).toList())).containsExactly("4s", "5");
        }
    }

    @Test
    void aStreamResumingFromBeforeTheHistoryGetsExactlyTheMissedChangesFromTheTopicThenLiveOnes() {
        String tag = tag();
        List<StatusChange> first = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log", List.of(tag), 10);
        List<StatusChange> second = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log", List.of(tag), 10);
        List<StatusChange> bobs = StatusChanges.ofNewJob("bob", "x.log", List.of(tag), 10);
        List<StatusChange> untagged = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log", List.of("other-" + tag), 10);
        String cursor = cursorAfter(jobpulse, tag, first.getFirst());
        int sent = interleave(List.of(first.subList(1, first.size()), second, bobs, untagged));
        assertThat(sent).isGreaterThanOrEqualTo(47);
        List<StatusChange> live = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log", List.of(tag));

        List<String> missed = new ArrayList<>(versions(first, 1));
        missed.addAll(versions(second, 0));
        try (SseClient resumed = jobpulse.stream("/v1/stream?tag=" + tag, cursor)) {
            assertThat(resumed.status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> resumed.updates().size() == missed.size());
            statusChanges.send(live.get(0));
            statusChanges.send(live.get(1));
            await().atMost(Duration.ofSeconds(20)).until(() -> resumed.updates().size() == missed.size() + 2);

            assertThat(resumed.events("reset")).isEmpty();
            List<String> received = versions(resumed.updates().stream().map(StreamingTest::data).toList());
            assertThat(received.subList(0, missed.size())).as("every missed version once, only the caller's tagged jobs")
                    .containsExactlyInAnyOrderElementsOf(missed);
            Map<String, List<String>> perJob = byJob(received);
            assertThat(perJob.get(first.getFirst().jobId())).as("in order").containsExactlyElementsOf(versions(first, 1));
            assertThat(perJob.get(second.getFirst().jobId())).as("in order").containsExactlyElementsOf(versions(second, 0));
            assertThat(received.subList(missed.size(), received.size())).containsExactlyElementsOf(versions(live.subList(0, 2), 0));
        }
    }

    @Test
    void aWebSocketFilterSubscriptionWithACursorBeforeTheHistoryIsReplayedFromTheTopic() {
        String tag = tag();
        List<StatusChange> mine = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log-ws", List.of(tag), 12);
        List<StatusChange> bobs = StatusChanges.ofNewJob("bob", "x.log-ws", List.of(tag), 12);
        String cursor = cursorAfter(jobpulse, tag, mine.getFirst());
        interleave(List.of(mine.subList(1, mine.size()), bobs));

        try (SocketClient socket = new SocketClient(jobpulse)) {
            socket.send("{\"type\":\"subscribe\",\"id\":\"s1\",\"filter\":{\"tag\":\"" + tag + "\"},\"cursor\":\"" + cursor + "\"}");
            JsonNode subscribed = socket.awaitMessage(m -> m.path("type").asText().equals("subscribed"));
            assertThat(subscribed.has("reset")).isFalse();
            assertThat(subscribed.get("eventId").asText()).isEqualTo(cursor);
            await().atMost(Duration.ofSeconds(20)).until(() -> socket.updatesOf("s1").size() == mine.size() - 1);
            assertThat(versions(socket.updatesOf("s1").stream().map(m -> m.get("update")).toList()))
                    .containsExactlyElementsOf(versions(mine, 1));
        }
    }

    @Test
    void aCursorWhoseRecordsTheTopicNoLongerHasGetsTheReset() throws Exception {
        Retention own = retention();
        String tag = tag();
        List<StatusChange> job = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log-gone", List.of(tag), 10);
        String cursor = cursorAfter(own.instance(), own.changes(), tag, job.getFirst());
        interleave(own.changes(), List.of(job.subList(1, job.size())));
        own.deleteStatusChanges();
        List<StatusChange> next = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log-gone", List.of(tag));

        try (SseClient resumed = own.instance().stream("/v1/stream?tag=" + tag, cursor)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !resumed.events().isEmpty());
            SseClient.Event reset = resumed.events().getFirst();
            assertThat(reset.name()).isEqualTo("reset");
            assertThat(data(reset).get("reason").asText()).isEqualTo("history-unavailable");
            own.changes().send(next.getFirst());
            await().atMost(Duration.ofSeconds(20)).until(() -> resumed.updates().size() == 1);
            assertThat(versions(resumed.updates().stream().map(StreamingTest::data).toList()))
                    .containsExactlyElementsOf(versions(next.subList(0, 1), 0));
        }
    }

    @Test
    void aReplayLongerThanTheBoundGetsTheResetOnAnInstanceThatStartedAfterTheCursor() {
        String tag = tag();
        List<StatusChange> job = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log-long", List.of(tag), 20);
        String cursor = cursorAfter(jobpulse, tag, job.getFirst());
        try (JobpulseInstance bounded = JobpulseInstance.start(Map.of(
                "jobpulse.roles", "push",
                "jobpulse.state-url", jobpulse.uri("/").toString(),
                "jobpulse.state-token", JobpulseInstance.adminToken(),
                "jobpulse.push.history-size", "5",
                "jobpulse.push.max-log-replay", "10"))) {
            // The instance reads from the end of the topic once it is ready: let it be, then write the
            // changes, and resume only once it has streamed them all, so none comes live after the reset.
            try (SseClient warm = bounded.stream("/v1/stream?tag=" + tag, null)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> warm.status() == 200 && !warm.events().isEmpty());
                interleave(List.of(job.subList(1, job.size())));
                long last = job.getLast().version();
                await().atMost(Duration.ofSeconds(20)).until(() -> warm.updates().stream().map(StreamingTest::data)
                        .anyMatch(update -> update.path("version").asLong() == last));
            }
            try (SseClient resumed = bounded.stream("/v1/stream?tag=" + tag, cursor)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> !resumed.events().isEmpty());
                assertThat(resumed.events().getFirst().name()).isEqualTo("reset");
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> resumed.updates().isEmpty());
            }
        }
    }
}
