package io.jobpulse.push;

import io.jobpulse.consumers.ConsumerWorker;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.events.Topics;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Reads every partition of {@code jobpulse.batch-status} from its end, with no consumer group
 * (every push instance reads every batch's changes, as {@link StatusChangeFeed} does the jobs'), and
 * hands each change to the {@link BatchHub}. With the same isolation as the jobs' feed
 * ({@code jobpulse.push.read-uncommitted}): a batch's change written in a transaction that then
 * aborts is written again, identical, and the hub drops the repeat by version.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class BatchChangeFeed extends ConsumerWorker {

    private static final Logger LOG = LoggerFactory.getLogger(BatchChangeFeed.class);

    private final BatchHub hub;
    private final CountDownLatch ready = new CountDownLatch(1);

    public BatchChangeFeed(BatchHub hub, @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers,
                           PushConfiguration config) {
        super("jobpulse-push-batch-feed", Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "jobpulse-push-batch-feed",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, config.isolationLevel()));
        this.hub = hub;
    }

    /** Waits until the feed is positioned; false if it is not within the timeout. */
    boolean awaitReady(Duration timeout) throws InterruptedException {
        return ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void subscribe() {
        List<TopicPartition> partitions = consumer.partitionsFor(Topics.BATCH_STATUS.name()).stream()
                .map(p -> new TopicPartition(p.topic(), p.partition()))
                .toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        partitions.forEach(consumer::position);
        ready.countDown();
        LOG.info("push batch feed reading {} partitions of {}", partitions.size(), Topics.BATCH_STATUS.name());
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        records.forEach(record -> Topics.BATCH_STATUS.decodeOrSkip(record.value(), record.partition(), record.offset())
                .map(BatchUpdate::of)
                .ifPresent(hub::publish));
    }
}
