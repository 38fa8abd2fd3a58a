package io.jobpulse.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchStatus;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.Topics;
import io.jobpulse.ingest.SigningKey;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Batches over HTTP against the real broker: submitted in one transaction (or not at all), read from
 * the topology's store, finished by their jobs' reports, closed, canceled, and kept to their owner.
 */
class BatchesTest {

    /**
     * The largest record {@code jobpulse.job-events} takes while the half-way failure is tried: small
     * enough that one job with a large input is refused by the broker, after the batch's other records
     * were sent, which fails the transaction half-way.
     */
    private static final int MAX_RECORD_BYTES = 40_000;
    private static JobpulseInstance jobpulse;

    @BeforeAll
    static void start() {
        jobpulse = JobpulseInstance.start(Map.of());
    }

    @AfterAll
    static void stop() {
        jobpulse.close();
    }

    private static String jobs(int count, String type) {
        return IntStream.range(0, count).mapToObj(i -> "{\"type\":\"" + type + "\",\"input\":{\"n\":" + i + "}}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    private static HttpResponse<String> as(String user, String path, String body) {
        return jobpulse.send(HttpRequest.newBuilder(jobpulse.uri(path)).header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + JobpulseInstance.token(user)).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static HttpResponse<String> getAs(String user, String path) {
        return jobpulse.send(HttpRequest.newBuilder(jobpulse.uri(path)).header("Authorization", "Bearer " + JobpulseInstance.token(user)).GET());
    }

    private static JsonNode awaitBatch(String id, String status, int done) {
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            JsonNode batch = json(jobpulse.get("/v1/batches/" + id));
            return batch.path("status").asText().equals(status) && batch.path("done").asInt() == done;
        });
        return json(jobpulse.get("/v1/batches/" + id));
    }

    private static List<String> ids(JsonNode accepted) {
        List<String> ids = new ArrayList<>();
        accepted.get("jobs").forEach(id -> ids.add(id.asText()));
        return ids;
    }

    /** A worker's report, sent again on 503 as its Retry-After asks (the topology may be behind); never refused otherwise. */
    private static void report(String job, String status) {
        // Sent at once, and again every 200 ms while refused (Awaitility's first check would otherwise wait 200 ms).
        await().atMost(Duration.ofSeconds(30)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200)).until(() -> {
            HttpResponse<String> answer = jobpulse.post("/v1/jobs/" + job + "/reports", "{\"status\":\"" + status + "\"}");
            assertThat(answer.statusCode()).as(answer.body()).isIn(202, 503);
            return answer.statusCode() == 202;
        });
    }

    @Test
    void aBatchIsReadAndFinishesAsItsJobsEndInAnyOrder() {
        HttpResponse<String> response = jobpulse.post("/v1/batches", "{\"jobs\":" + jobs(6, "batch.a") + ",\"tags\":[\"t\"],\"close\":true}");
        assertThat(response.statusCode()).isEqualTo(202);
        JsonNode accepted = json(response);
        String id = accepted.get("id").asText();
        assertThat(accepted.get("status").asText()).isEqualTo("open");
        assertThat(accepted.at("/links/self").asText()).isEqualTo("/v1/batches/" + id);
        List<String> jobs = ids(accepted);
        assertThat(jobs).hasSize(6).doesNotHaveDuplicates();

        JsonNode read = json(jobpulse.get("/v1/batches/" + id));
        assertThat(read.get("total").asInt()).isEqualTo(6);
        assertThat(read.get("owner").asText()).isEqualTo(JobpulseInstance.USER);
        assertThat(json(jobpulse.get("/v1/jobs/" + jobs.get(0))).get("batchId").asText()).isEqualTo(id);

        List<String> order = new ArrayList<>(jobs);
        Collections.shuffle(order, new Random(7));
        for (String job : order) {
            report(job, "running");
        }
        for (String job : order) {
            report(job, job.equals(jobs.get(2)) ? "failed" : "succeeded");
        }
        JsonNode finished = awaitBatch(id, "partial", 6);
        assertThat(finished.at("/counts/succeeded").asInt()).isEqualTo(5);
        assertThat(finished.at("/counts/failed").asInt()).isEqualTo(1);
        assertThat(finished.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(json(jobpulse.get("/v1/batches/" + id + "/members")).get("jobs")).hasSize(6);
    }

    @Test
    void aRepeatedSubmissionWithTheSameKeyAnswersWithTheSameBatchAndJobs() {
        String key = "batch-key-" + UUID.randomUUID();
        String body = "{\"jobs\":" + jobs(3, "batch.idem") + "}";
        HttpRequest.Builder request = HttpRequest.newBuilder(jobpulse.uri("/v1/batches")).header("Content-Type", "application/json")
                .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body));
        JsonNode first = json(jobpulse.send(request));
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/batches/" + first.get("id").asText()).statusCode() == 200);

        HttpResponse<String> again = jobpulse.send(request);
        assertThat(again.statusCode()).isEqualTo(202);
        assertThat(again.headers().firstValue("Idempotent-Replayed")).contains("true");
        assertThat(json(again).get("id")).isEqualTo(first.get("id"));
        assertThat(json(again).get("jobs")).isEqualTo(first.get("jobs"));
        assertThat(json(jobpulse.get("/v1/batches/" + first.get("id").asText())).get("total").asInt()).isEqualTo(3);
    }

    @Test
    void aBatchWhoseTransactionFailsHalfWayLeavesNothingForReadCommittedReaders() {
        String key = "failing-" + UUID.randomUUID();
        String big = "x".repeat(MAX_RECORD_BYTES + 5_000);
        String body = "{\"jobs\":[{\"type\":\"batch.ok\"},{\"type\":\"batch.ok\"},{\"type\":\"batch.big\",\"input\":\"" + big + "\"}]}";
        HttpResponse<String> response;
        // The producer sends the big record (it is within the producer's own limit), and the broker refuses
        // it, so the records before it are on the log when the transaction fails.
        try (TopicLimit limit = TopicLimit.set(Topics.JOB_EVENTS.name(), MAX_RECORD_BYTES)) {
            response = jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/batches"))
                    .header("Content-Type", "application/json").header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofString(body)));
        }

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("problem+json"));
        SigningKey keys = jobpulse.context().getBean(SigningKey.class);
        String batch = keys.idempotentBatchId(JobpulseInstance.USER, key);
        Set<String> written = Set.of(batch, keys.idempotentBatchJobId(JobpulseInstance.USER, key, 0),
                keys.idempotentBatchJobId(JobpulseInstance.USER, key, 1));
        assertThat(keysIn("read_uncommitted")).as("the first records were written, then aborted").containsAnyElementsOf(written);
        assertThat(keysIn("read_committed")).doesNotContainAnyElementsOf(written);
        assertThat(jobpulse.get("/v1/batches/" + batch).statusCode()).isEqualTo(404);
    }

    /** A topic's {@code max.message.bytes}, lowered for a while and given back when closed. */
    private record TopicLimit(String topic) implements AutoCloseable {

        static TopicLimit set(String topic, int bytes) {
            alter(topic, new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(bytes)), AlterConfigOp.OpType.SET));
            return new TopicLimit(topic);
        }

        @Override
        public void close() {
            alter(topic, new AlterConfigOp(new ConfigEntry(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, ""), AlterConfigOp.OpType.DELETE));
        }

        private static void alter(String topic, AlterConfigOp op) {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers))) {
                admin.incrementalAlterConfigs(Map.of(new ConfigResource(ConfigResource.Type.TOPIC, topic), List.of(op))).all().get();
            } catch (Exception e) {
                throw new IllegalStateException("could not change " + topic + "'s " + TopicConfig.MAX_MESSAGE_BYTES_CONFIG, e);
            }
        }
    }

    /** Every key on the batch and job events topics, as a reader with this isolation level sees them. */
    private static Set<String> keysIn(String isolation) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(Topics.BATCH_EVENTS.name(), Topics.JOB_EVENTS.name())) {
                consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Set<String> keys = new java.util.HashSet<>();
            // read_committed stops at the last stable offset; wait until the aborted transaction's marker is past it.
            long quiet = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < quiet) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    keys.add(record.key());
                    quiet = System.nanoTime() + Duration.ofSeconds(1).toNanos();
                }
            }
            return keys;
        }
    }

    @Test
    void eachJobIsCheckedAndARefusalNamesItsIndex() {
        HttpResponse<String> response = jobpulse.post("/v1/batches", "{\"jobs\":[{\"type\":\"ok\"},{\"type\":\"ok\"},{\"input\":{}}]}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("field").asText()).isEqualTo("jobs[2].type");
        HttpResponse<String> tooMany = jobpulse.post("/v1/batches", "{\"jobs\":" + jobs(1001, "many") + "}");
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(json(tooMany).get("limit").asInt()).isEqualTo(1000);
    }

    @Test
    void aThousandJobsFitInOneRequest() {
        HttpResponse<String> response = jobpulse.post("/v1/batches", "{\"jobs\":" + jobs(1000, "batch.thousand") + ",\"close\":true}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
        assertThat(ids(json(response))).hasSize(1000);
    }

    @Test
    void anotherOwnersBatchIsNoBatchAtAll() {
        String id = json(jobpulse.post("/v1/batches", "{\"jobs\":" + jobs(1, "batch.mine") + "}")).get("id").asText();
        assertThat(jobpulse.get("/v1/batches/" + id).statusCode()).isEqualTo(200);

        assertThat(getAs("bob", "/v1/batches/" + id).statusCode()).isEqualTo(404);
        assertThat(getAs("bob", "/v1/batches/" + id + "/members").statusCode()).isEqualTo(404);
        assertThat(as("bob", "/v1/batches/" + id + "/jobs", "{\"jobs\":[{\"type\":\"x\"}]}").statusCode()).isEqualTo(404);
        assertThat(as("bob", "/v1/jobs", "{\"type\":\"x\",\"batchId\":\"" + id + "\"}").statusCode()).isEqualTo(404);
        assertThat(as("bob", "/v1/batches/" + id + "/cancel", "{}").statusCode()).isEqualTo(404);
        assertThat(jobpulse.send(HttpRequest.newBuilder(jobpulse.uri("/v1/batches/" + id))
                .header("Authorization", "Bearer " + JobpulseInstance.adminToken()).GET()).statusCode()).isEqualTo(200);
    }

    @Test
    void jobsAreAddedToAnOpenBatchOnlyAndCountInIt() {
        String id = json(jobpulse.post("/v1/batches", "{\"jobs\":" + jobs(1, "batch.add") + "}")).get("id").asText();
        HttpResponse<String> added = jobpulse.post("/v1/batches/" + id + "/jobs", "{\"jobs\":" + jobs(2, "batch.add") + "}");
        assertThat(added.statusCode()).isEqualTo(202);
        HttpResponse<String> single = jobpulse.post("/v1/jobs", "{\"type\":\"batch.add\",\"batchId\":\"" + id + "\"}");
        assertThat(single.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/batches/" + id)).get("total").asInt() == 4);

        assertThat(jobpulse.post("/v1/batches/" + id + "/close", "").statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/batches/" + id)).has("closedAt"));

        HttpResponse<String> refused = jobpulse.post("/v1/batches/" + id + "/jobs", "{\"jobs\":" + jobs(1, "batch.add") + "}");
        assertThat(refused.statusCode()).isEqualTo(409);
        assertThat(json(refused).get("reason").asText()).isEqualTo("batch-closed");
        HttpResponse<String> refusedSingle = jobpulse.post("/v1/jobs", "{\"type\":\"batch.add\",\"batchId\":\"" + id + "\"}");
        assertThat(refusedSingle.statusCode()).isEqualTo(409);
        assertThat(refusedSingle.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).contains("problem+json"));
    }

    @Test
    void cancelingABatchCancelsEveryOpenJob() {
        JsonNode accepted = json(jobpulse.post("/v1/batches", "{\"jobs\":" + jobs(4, "batch.cancel") + "}"));
        String id = accepted.get("id").asText();
        List<String> jobs = ids(accepted);
        report(jobs.get(0), "succeeded");
        report(jobs.get(1), "running");
        await().atMost(Duration.ofSeconds(20)).until(() -> json(jobpulse.get("/v1/batches/" + id)).get("done").asInt() == 1);

        HttpResponse<String> canceled = jobpulse.post("/v1/batches/" + id + "/cancel", "{\"reason\":\"no longer needed\"}");
        assertThat(canceled.statusCode()).isEqualTo(202);
        assertThat(json(canceled).get("canceledJobs")).hasSize(3);

        JsonNode batch = awaitBatch(id, "canceled", 4);
        assertThat(batch.at("/counts/canceled").asInt()).isEqualTo(3);
        assertThat(batch.at("/counts/succeeded").asInt()).isEqualTo(1);
        for (String job : jobs.subList(1, 4)) {
            assertThat(json(jobpulse.get("/v1/jobs/" + job)).get("status").asText()).isEqualTo("canceled");
        }
        assertThat(json(jobpulse.post("/v1/batches/" + id + "/cancel", "{}")).get("reason").asText()).isEqualTo("batch-canceled");
    }

    @Test
    void twoHundredJobsFinishingInRandomOrderStepTheBatchStatusAndItsStreamByOne() throws Exception {
        JsonNode accepted = json(jobpulse.post("/v1/batches", "{\"jobs\":" + jobs(200, "batch.many") + ",\"close\":true}"));
        String id = accepted.get("id").asText();
        List<String> jobs = ids(accepted);
        await().atMost(Duration.ofSeconds(20)).until(() -> jobpulse.get("/v1/batches/" + id).statusCode() == 200);
        try (SseClient stream = jobpulse.stream("/v1/batches/" + id + "/stream", null)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> !stream.events("batch").isEmpty());
            List<String> order = new ArrayList<>(jobs);
            Collections.shuffle(order, new Random(42));
            for (int i = 0; i < order.size(); i++) {
                report(order.get(i), i % 50 == 0 ? "failed" : "succeeded");
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> JobJson.mapper().readTree(stream.events("batch").getLast().data())
                    .at("/batch/done").asInt() == 200);
            List<SseClient.Event> seen = stream.events("batch");
            for (int i = 1; i < seen.size(); i++) {
                assertThat(Long.parseLong(seen.get(i).id())).as("the stream's versions step by one").isEqualTo(Long.parseLong(seen.get(i - 1).id()) + 1);
            }
            assertThat(JobJson.mapper().readTree(seen.getLast().data()).get("status").asText()).isEqualTo("partial");
        }

        List<BatchChange> changes = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.BATCH_STATUS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key().equals(id)) {
                        changes.add(Topics.BATCH_STATUS.valueSerde().deserializer().deserialize(record.topic(), record.value()));
                    }
                }
                return !changes.isEmpty() && changes.getLast().batch().done() == 200;
            });
        }
        for (int i = 0; i < changes.size(); i++) {
            assertThat(changes.get(i).version()).isEqualTo(i + 1L);
        }
        BatchChange last = changes.getLast();
        assertThat(last.status()).isEqualTo(BatchStatus.PARTIAL);
        assertThat(last.batch().counts().failed()).isEqualTo(4);
        assertThat(last.batch().counts().succeeded()).isEqualTo(196);
        assertThat(last.batch().total()).isEqualTo(200);
    }
}
