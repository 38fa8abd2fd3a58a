package io.jobpulse.app;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static io.jobpulse.app.SliceEndToEndTest.json;
import static io.jobpulse.app.StreamingTest.data;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real abort of the topology's exactly-once transaction: a producer takes over the topology's
 * transactional id (as a new instance of a zombie's would), which aborts the open transaction
 * whose changes push has already streamed uncommitted. The topology redoes the same events from
 * the last commit, with a state restored from its changelog: the redone changes are the same
 * versions again, committed once, and a subscriber gets each version once. The commit interval is
 * long here so that the transaction is still open when it is taken over.
 */
class TopologyAbortTest {

    @Test
    void aTransactionAbortedAfterItsChangesWereStreamedIsRedoneWithTheSameVersionsStreamedOnce() throws Exception {
        // The test stack's own application id: a new one would fold every earlier test's events again.
        String applicationId = "jobpulse-topology";
        String tag = "t-" + UUID.randomUUID().toString().substring(0, 8);
        try (JobpulseInstance jobpulse = JobpulseInstance.start(Map.of(
                "jobpulse.topology.commit-interval", "3s"));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers));
             SseClient stream = jobpulse.stream("/v1/stream?tag=" + tag, null)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> stream.position() != null);
            // A first commit, so that the transaction taken over below holds only the job's changes.
            await().atMost(Duration.ofSeconds(30)).until(() -> openTransaction(admin, applicationId) == null);

            String id = json(jobpulse.post("/v1/jobs", "{\"type\":\"x.abort\",\"tags\":[\"" + tag + "\"]}")).get("id").asText();
            await().atMost(Duration.ofSeconds(30)).until(() -> stream.updates().size() == 1);
            // A report whose change is streamed while its transaction is still open (the commit may
            // fall between the report and the look; then another report).
            String open = null;
            long version = 1;
            while (open == null && version < 4) {
                version++;
                // A 503 (the topology rebalancing, reads waiting) wrote nothing: the report is sent again, as a worker would.
                String report = "{\"status\":\"running\",\"progress\":" + version / 10.0 + "}";
                await().atMost(Duration.ofSeconds(30)).until(() -> jobpulse.post("/v1/jobs/" + id + "/reports", report).statusCode() == 202);
                long streamed = version;
                await().atMost(Duration.ofSeconds(10)).until(() -> stream.updates().size() == streamed);
                open = openTransaction(admin, applicationId);
            }
            assertThat(open).as("a change streamed while its transaction is open").isNotNull();

            try (KafkaProducer<byte[], byte[]> takeover = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, open), new ByteArraySerializer(), new ByteArraySerializer())) {
                takeover.initTransactions();
            }

            long last = version;
            await().atMost(Duration.ofSeconds(90)).until(() -> changes(id, "read_committed").size() >= last);
            List<Long> expected = LongStream.rangeClosed(1, last).boxed().toList();
            assertThat(changes(id, "read_committed")).extracting(StatusChange::version).containsExactlyElementsOf(expected);
            List<StatusChange> written = changes(id, "read_uncommitted");
            assertThat(written).as("the aborted transaction's changes, then the same ones redone").hasSizeGreaterThan((int) last);
            assertThat(written.stream().map(StatusChange::version).distinct().toList()).containsExactlyElementsOf(expected);
            Map<Long, List<StatusChange>> copies = written.stream().collect(Collectors.groupingBy(StatusChange::version));
            copies.forEach((v, same) -> assertThat(same).as("every copy of version " + v).allMatch(same.getFirst()::equals));

            assertThat(jobpulse.post("/v1/jobs/" + id + "/reports", "{\"progress\":0.75}").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> stream.updates().size() >= last + 1);
            assertThat(stream.updates()).as("each version once on the stream")
                    .extracting(e -> data(e).get("version").asLong()).containsExactlyElementsOf(LongStream.rangeClosed(1, last + 1).boxed().toList());
            assertThat(data(stream.updates().getLast()).get("job").get("progress").asDouble()).isEqualTo(0.75);
        }
    }

    /** The topology's open transaction's id, or null when it has none open. */
    private static String openTransaction(Admin admin, String applicationId) throws Exception {
        return admin.listTransactions().all().get().stream()
                .filter(listing -> listing.transactionalId().startsWith(applicationId + "-")
                        && listing.state() == TransactionState.ONGOING)
                .map(TransactionListing::transactionalId).findFirst().orElse(null);
    }

    /** The job's changes in {@code jobpulse.job-status}, in log order, read with this isolation. */
    private static List<StatusChange> changes(String jobId, String isolation) {
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestStack.get().bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer())) {
            int partitions = consumer.partitionsFor(Topics.JOB_STATUS.name()).size();
            // Keyed by job id with the default partitioner, as the topology writes it.
            TopicPartition partition = new TopicPartition(Topics.JOB_STATUS.name(), BuiltInPartitioner.partitionForKey(
                    new StringSerializer().serialize(Topics.JOB_STATUS.name(), jobId), partitions));
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition)).get(partition);
            List<StatusChange> changes = new ArrayList<>();
            while (consumer.position(partition) < end) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (jobId.equals(record.key())) {
                        changes.add(JobJson.read(record.value(), StatusChange.class));
                    }
                }
            }
            return changes;
        }
    }
}
