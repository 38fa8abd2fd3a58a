package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Deadlines against the real broker: a job that outlives its timeout (its own, or its type's
 * default from configuration) expires through a {@code job.deadline-passed} event in the log.
 */
class DeadlineEndToEndTest {

    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.ingest.timeouts.video.render", "5s",
                "jobpulse.topology.deadline-check-interval", "200ms"));
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    private static String submit(String body) {
        var response = jobpulse.post("/v1/jobs", body);
        assertThat(response.statusCode()).isEqualTo(202);
        return json(response).get("id").asText();
    }

    @Test
    void aJobPastItsTypesDefaultTimeoutExpiresThroughAnEventInTheLog() {
        String id = submit("{\"type\":\"video.render\"}");
        assertThat(json(jobpulse.get("/v1/jobs/" + id)).path("timeout").asText()).isEqualTo("PT5S");
        assertThat(jobpulse.post("/v1/jobs/" + id + "/reports", "{\"status\":\"running\",\"progress\":0.2}").statusCode())
                .isEqualTo(202);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(json(jobpulse.get("/v1/jobs/" + id)).path("status").asText()).isEqualTo("expired"));

        JsonNode expired = json(jobpulse.get("/v1/jobs/" + id));
        assertThat(expired.get("timeout").asText()).isEqualTo("PT5S");
        assertThat(expired.at("/error/code").asText()).isEqualTo("deadline-exceeded");
        assertThat(expired.get("version").asLong()).isEqualTo(3);
        assertThat(eventsOf(id)).extracting(JobEvent::wireName)
                .containsExactly("job.submitted", "job.report-received", "job.deadline-passed");
    }

    @Test
    void aTimeoutInTheSubmissionWinsOverTheTypesDefault() {
        String id = submit("{\"type\":\"video.render\",\"timeout\":\"PT1H\"}");
        String untimed = submit("{\"type\":\"image.generate\"}");

        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/jobs/" + id)).has("deadline"));

        assertThat(json(jobpulse.get("/v1/jobs/" + id)).get("timeout").asText()).isEqualTo("PT1H");
        JsonNode noLimit = json(jobpulse.get("/v1/jobs/" + untimed));
        assertThat(noLimit.has("timeout")).isFalse();
        assertThat(noLimit.has("deadline")).isFalse();
    }

    /** Every event of one job in {@code jobpulse.job-events}, read from the start of its partition. */
    private static List<JobEvent> eventsOf(String jobId) {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_EVENTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            List<JobEvent> events = new ArrayList<>();
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (jobId.equals(record.key())) {
                        events.add(JobJson.read(record.value(), JobEvent.class));
                    }
                }
            }
            return events;
        }
    }
}
