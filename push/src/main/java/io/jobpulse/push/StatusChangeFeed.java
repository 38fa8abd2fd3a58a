package io.jobpulse.push;

import io.jobpulse.consumers.ConsumerWorker;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.events.Topics;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads every partition of {@code jobpulse.job-status} and hands each change,
 * with its partition and offset, to the {@link SubscriberHub}. Every push instance reads all
 * changes itself, with no consumer group, so each can serve any subscriber and resume any
 * stream. It starts at the end of the topic: what came before is read back from the topic by
 * {@link LogReplay} for a subscriber resuming from before the history (an older cursor, or a
 * job's older version), and served from the current state to a one-job subscriber that connects
 * without a version, or whose versions the topic no longer has. Subscriptions wait for
 * {@link #awaitReady} so that no change falls between the snapshot and the feed's starting position.
 *
 * <p>By default it reads uncommitted records ({@code jobpulse.push.read-uncommitted}): a change
 * is on the streams as soon as the topology has written it, not one exactly-once commit later.
 * A change of a transaction that then aborts is written again, identical, when the topology
 * redoes the transaction (the fold is a function of the committed log), and the hub drops the
 * repeat by version; docs/streaming.md says what a subscriber sees in that case.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class StatusChangeFeed extends ConsumerWorker {

    private static final Logger LOG = LoggerFactory.getLogger(StatusChangeFeed.class);

    private final SubscriberHub hub;
    private final CountDownLatch ready = new CountDownLatch(1);

    public StatusChangeFeed(SubscriberHub hub, @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers,
                            PushConfiguration config) {
        super("jobpulse-push-feed", Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "jobpulse-push-feed",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, config.isolationLevel()));
        this.hub = hub;
    }

    /** Waits until the feed is positioned; false if it is not within the timeout. */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Every partition, from its end: no consumer group, so every instance reads every change. */
    @Override
    protected void subscribe() {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_STATUS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(partition -> hub.startAt(partition.partition(), consumer.position(partition)));
        ready.countDown();
        LOG.info("push feed reading {} partitions of {}", partitions.size(), Topics.JOB_STATUS.name());
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        records.forEach(this::deliver);
    }

    private void deliver(ConsumerRecord<String, byte[]> record) {
        entry(record).ifPresent(hub::publish);
    }

    /** The change a record of the topic holds, with its position and size; empty for one that cannot be read. */
    static Optional<FeedEntry> entry(ConsumerRecord<String, byte[]> record) {
        long bytes = Math.max(0, record.serializedKeySize()) + Math.max(0, record.serializedValueSize());
        return Topics.JOB_STATUS.decodeOrSkip(record.value(), record.partition(), record.offset())
                .map(change -> new FeedEntry(JobUpdate.of(change), record.partition(), record.offset(), bytes));
    }

    /**
     * The partition of {@code jobpulse.job-status} that holds a job's changes: the topology writes
     * them keyed by job id with the default partitioner, so all of a job's changes are in this one
     * partition, in version order.
     */
    static int partitionOf(String jobId, int partitions) {
        return BuiltInPartitioner.partitionForKey(Serdes.String().serializer().serialize(Topics.JOB_STATUS.name(), jobId), partitions);
    }
}
