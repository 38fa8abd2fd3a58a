package io.jobpulse.app;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.jobpulse.app.StreamingTest.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Push reads {@code jobpulse.job-status} uncommitted by default: a change is on the streams once
 * the topology has written it, before its exactly-once transaction commits. These tests write the
 * fold's changes the way the topology does, in a transaction, and abort one: the changes of an
 * aborted transaction were already streamed, and when the transaction is redone (the same changes
 * again, as the topology writes them after an abort) no subscriber gets them twice. An instance
 * set to read committed changes only is the witness that the records were there to be read.
 */
class UncommittedChangesTest {

    private static JobpulseInstance jobpulse;
    private static JobpulseInstance committedOnly;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of("jobpulse.push.heartbeat", "300ms"));
        committedOnly = JobpulseInstance.start(Map.of(
                "jobpulse.roles", "push",
                "jobpulse.push.read-uncommitted", "false",
                "jobpulse.push.heartbeat", "300ms",
                "jobpulse.state-url", jobpulse.uri("/").toString(),
                "jobpulse.state-token", JobpulseInstance.adminToken()));
    }

    @AfterAll
    static void stop() {
        committedOnly.close();
        jobpulse.close();
    }

    /** A producer that writes to the status topic in transactions, as the topology does. */
    private static KafkaProducer<String, byte[]> transactional() {
        KafkaProducer<String, byte[]> producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ProducerConfig.TRANSACTIONAL_ID_CONFIG, "uncommitted-test-" + UUID.randomUUID()),
                new StringSerializer(), new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    private static void write(KafkaProducer<String, byte[]> producer, List<StatusChange> changes) {
        for (StatusChange change : changes) {
            try {
                producer.send(new ProducerRecord<>(Topics.JOB_STATUS.name(), change.jobId(), JobJson.write(change))).get();
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }
    }

    private static List<String> versions(SseClient stream) {
        return stream.updates().stream().map(e -> data(e).get("jobId").asText() + "@" + data(e).get("version").asText()).toList();
    }

    private static void awaitPosition(SseClient stream) {
        await().atMost(Duration.ofSeconds(10)).until(() -> stream.events(SseClient.COMMENT).stream()
                .anyMatch(e -> e.data().equals("stream position")));
    }

    @Test
    void aChangeIsStreamedBeforeItsTransactionCommitsAndAnAbortedTransactionRedoneIsNotSentTwice() {
        String tag = "t-" + UUID.randomUUID().toString().substring(0, 8);
        List<StatusChange> job = StatusChanges.ofNewJob(JobpulseInstance.USER, "x.uncommitted", List.of(tag));
        String id = job.getFirst().jobId();
        String start;
        try (KafkaProducer<String, byte[]> topology = transactional();
             SseClient stream = jobpulse.stream("/v1/stream?tag=" + tag, null);
             SseClient committed = committedOnly.stream("/v1/stream?tag=" + tag, null)) {
            awaitPosition(stream);
            awaitPosition(committed);
            start = stream.position();
            assertThat(start).as("the stream's starting position").isNotNull();

            topology.beginTransaction();
            write(topology, job.subList(0, 2));
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.updates().size() == 2);
            assertThat(versions(stream)).as("streamed while the transaction is open").containsExactly(id + "@1", id + "@2");
            assertThat(committed.updates()).as("a committed-only reader sees nothing of an open transaction").isEmpty();

            topology.abortTransaction();
            topology.beginTransaction();
            write(topology, job.subList(0, 3));
            topology.commitTransaction();

            await().atMost(Duration.ofSeconds(10)).until(() -> committed.updates().size() == 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> stream.updates().size() >= 3);
            assertThat(versions(stream)).as("the redone changes are not sent again")
                    .containsExactly(id + "@1", id + "@2", id + "@3");
            assertThat(versions(committed)).as("the aborted changes never reached the committed-only reader")
                    .containsExactly(id + "@1", id + "@2", id + "@3");
        }

        try (SseClient resumed = jobpulse.stream("/v1/stream?tag=" + tag, start)) {
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> resumed.updates().size() >= 3);
            } catch (RuntimeException e) {
                throw new AssertionError("resumed from " + start + ": " + resumed.status() + " " + resumed.events(), e);
            }
            assertThat(versions(resumed)).as("resuming from before the abort: every version once")
                    .containsExactly(id + "@1", id + "@2", id + "@3");
        }
    }
}
