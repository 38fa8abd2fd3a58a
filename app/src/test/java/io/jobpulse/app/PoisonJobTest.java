package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One job too large for Kafka must not stop its partition. {@code jobpulse.job-status} is made to
 * take records of at most 64 KB here, so a poison job is cheap; the poison job is submitted first,
 * then jobs whose ids fall on the same partition are run to success behind it, and the poison one
 * is found in {@code jobpulse.job-events-rejected} with its reason.
 */
class PoisonJobTest {

    private static final int TOPIC_LIMIT = 64 * 1024;
    private static final ConfigResource STATUS_TOPIC = new ConfigResource(ConfigResource.Type.TOPIC, Topics.JOB_STATUS_NAME);
    private static Admin admin;

    @BeforeAll
    static void smallStatusRecords() throws Exception {
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers));
        try {
            admin.createTopics(List.of(new NewTopic(Topics.JOB_STATUS_NAME, 3, (short) 1))).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        alterStatusTopic(AlterConfigOp.OpType.SET);
    }

    @AfterAll
    static void usualStatusRecords() throws Exception {
        alterStatusTopic(AlterConfigOp.OpType.DELETE);
        admin.close();
    }

    private static void alterStatusTopic(AlterConfigOp.OpType op) throws Exception {
        admin.incrementalAlterConfigs(Map.of(STATUS_TOPIC, List.of(new AlterConfigOp(
                new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(TOPIC_LIMIT)), op)))).all().get();
    }

    @Test
    void aJobWhoseChangeKafkaWouldRefuseIsRejectedAndItsPartitionGoesOn() throws Exception {
        // Intake lets the metadata through; only Kafka's limit on the status topic stands in the way.
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.job-limits.max-metadata-bytes", "1MB"))) {
            String poison = submit(jobpulse, "{\"type\":\"x.poison\",\"metadata\":{\"blob\":\"" + "p".repeat(100 * 1024) + "\"}}");

            runNeighboursToSuccess(jobpulse, poison);

            RejectedEvent rejected = awaitRejection(poison);
            assertThat(rejected.reason()).isEqualTo("record-too-large");
            assertThat(rejected.detail()).contains("bytes");
            assertThat(jobpulse.get("/v1/jobs/" + poison).statusCode()).as("the poison submission was never applied").isEqualTo(404);
        }
    }

    @Test
    void aJobGrownByManySmallReportsStopsAtItsMaximumAndItsPartitionGoesOn() throws Exception {
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of("jobpulse.job-limits.max-state-bytes", "32KB"))) {
            String poison = submit(jobpulse, "{\"type\":\"x.grown\"}");
            awaitStatus(jobpulse, poison, "queued");
            for (int n = 0; n < 20; n++) {
                HttpResponse<String> report = jobpulse.post("/v1/jobs/" + poison + "/reports",
                        "{\"metadata\":{\"k" + n + "\":\"" + "g".repeat(4 * 1024) + "\"}}");
                assertThat(report.statusCode()).as(report.body()).isEqualTo(202);
            }

            runNeighboursToSuccess(jobpulse, poison);

            RejectedEvent rejected = awaitRejection(poison);
            assertThat(rejected.reason()).isEqualTo("state-too-large");
            assertThat(rejected.event()).isNotNull();
            JsonNode grown = json(jobpulse.get("/v1/jobs/" + poison));
            assertThat(grown.toString().getBytes(StandardCharsets.UTF_8).length).isLessThan(32 * 1024 + 1024);
            assertThat(jobpulse.post("/v1/jobs/" + poison + "/reports", "{\"status\":\"succeeded\"}").statusCode()).isEqualTo(202);
            awaitStatus(jobpulse, poison, "succeeded");
        }
    }

    private static String submit(JobpulseInstance jobpulse, String body) {
        HttpResponse<String> answer = jobpulse.post("/v1/jobs", body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
        return json(answer).get("id").asText();
    }

    /** Submits jobs until three share the poison job's partition, then runs those three to success. */
    private static void runNeighboursToSuccess(JobpulseInstance jobpulse, String poison) throws Exception {
        int partitions = admin.describeTopics(List.of(Topics.JOB_EVENTS_NAME)).allTopicNames().get()
                .get(Topics.JOB_EVENTS_NAME).partitions().size();
        int partition = partitionOf(poison, partitions);
        List<String> neighbours = new ArrayList<>();
        for (int i = 0; i < 200 && neighbours.size() < 3; i++) {
            String job = submit(jobpulse, "{\"type\":\"x.neighbour\"}");
            if (partitionOf(job, partitions) == partition) {
                neighbours.add(job);
            }
        }
        assertThat(neighbours).hasSize(3);
        for (String job : neighbours) {
            awaitStatus(jobpulse, job, "queued");
            HttpResponse<String> report = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/jobs/" + job + "/reports"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"status\":\"succeeded\"}")));
            assertThat(report.statusCode()).as(report.body()).isEqualTo(202);
        }
        for (String job : neighbours) {
            awaitStatus(jobpulse, job, "succeeded");
        }
    }

    private static int partitionOf(String jobId, int partitions) {
        return Utils.toPositive(Utils.murmur2(jobId.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    private static void awaitStatus(JobpulseInstance jobpulse, String job, String status) {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> answer = jobpulse.get("/v1/jobs/" + job);
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
            assertThat(json(answer).get("status").asText()).isEqualTo(status);
        });
    }

    private static RejectedEvent awaitRejection(String jobId) {
        try (KafkaConsumer<String, RejectedEvent> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(),
                Topics.JOB_EVENTS_REJECTED.valueSerde().deserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_EVENTS_REJECTED_NAME).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            List<RejectedEvent> found = new ArrayList<>();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, RejectedEvent> record : consumer.poll(Duration.ofMillis(200))) {
                    if (jobId.equals(record.key())) {
                        found.add(record.value());
                    }
                }
                return !found.isEmpty();
            });
            return found.getFirst();
        }
    }
}
