package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.devstack.DevStack;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
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

import static io.jobpulse.app.StreamingTest.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Multi-job resumes from a cursor older than the instance's history (five changes here), against
 * the real broker: the missed changes are read back from {@code jobpulse.job-status}, exactly the
 * ones the filter and the caller see, then the stream goes on live; a cursor whose records the
 * topic no longer has (deleted as retention would, on a broker of the test's own), or one further
 * back than {@code jobpulse.push.max-log-replay}, gets the reset.
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

    /**
     * Deleting records of {@code jobpulse.job-status} would take them from every later test of the
     * shared stack (a replay of the projections, say), so this one has a broker and database of its own.
     */
    @Test
    void aCursorWhoseRecordsTheTopicNoLongerHasGetsTheReset() throws Exception {
        try (DevStack stack = DevStack.start(DevStack.Options.forTests(Files.createTempDirectory("jobpulse-retention")));
             JobpulseInstance own = JobpulseInstance.start(Map.of(
                     "kafka.bootstrap.servers", stack.kafka().bootstrapServers(),
                     "datasources.default.url", stack.postgres().jdbcUrl(),
                     "datasources.default.username", "postgres",
                     "datasources.default.password", stack.postgres().password(),
                     "jobpulse.push.history-size", "5"));
             StatusChanges changes = new StatusChanges(stack.kafka().bootstrapServers())) {
            String tag = tag();
            List<StatusChange> job = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log-gone", List.of(tag), 10);
            String cursor = cursorAfter(own, changes, tag, job.getFirst());
            interleave(changes, List.of(job.subList(1, job.size())));
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, stack.kafka().bootstrapServers()))) {
                Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
                admin.describeTopics(List.of(Topics.JOB_STATUS.name())).allTopicNames().get().get(Topics.JOB_STATUS.name()).partitions()
                        .forEach(p -> ends.put(new TopicPartition(Topics.JOB_STATUS.name(), p.partition()), OffsetSpec.latest()));
                Map<TopicPartition, RecordsToDelete> deletions = new HashMap<>();
                admin.listOffsets(ends).all().get().forEach((partition, end) ->
                        deletions.put(partition, RecordsToDelete.beforeOffset(end.offset())));
                admin.deleteRecords(deletions).all().get();
            }
            List<StatusChange> next = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.log-gone", List.of(tag));

            try (SseClient resumed = own.stream("/v1/stream?tag=" + tag, cursor)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> !resumed.events().isEmpty());
                SseClient.Event reset = resumed.events().getFirst();
                assertThat(reset.name()).isEqualTo("reset");
                assertThat(data(reset).get("reason").asText()).isEqualTo("history-unavailable");
                changes.send(next.getFirst());
                await().atMost(Duration.ofSeconds(20)).until(() -> resumed.updates().size() == 1);
                assertThat(versions(resumed.updates().stream().map(StreamingTest::data).toList()))
                        .containsExactlyElementsOf(versions(next.subList(0, 1), 0));
            }
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
            // The instance reads from the end of the topic once it is ready: let it be, then write the changes.
            try (SseClient warm = bounded.stream("/v1/stream?tag=" + tag, null)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> warm.status() == 200 && !warm.events().isEmpty());
            }
            interleave(List.of(job.subList(1, job.size())));
            try (SseClient resumed = bounded.stream("/v1/stream?tag=" + tag, cursor)) {
                await().atMost(Duration.ofSeconds(20)).until(() -> !resumed.events().isEmpty());
                assertThat(resumed.events().getFirst().name()).isEqualTo("reset");
                await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> resumed.updates().isEmpty());
            }
        }
    }
}
