package io.jobpulse.projections;

import io.jobpulse.events.Roles;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Projects {@code jobpulse.job-status} into PostgreSQL. Each poll is one batch and one database
 * transaction; offsets are committed only after it commits, so a crash replays the batch, and the
 * version guard of {@link JobProjectionWriter} makes the replay harmless. A batch that cannot be
 * written (the database is down) is fetched again after a backoff ({@link BatchRetry}).
 *
 * <p>It runs {@code jobpulse.projections.threads} consumers (3): PostgreSQL, not Kafka, bounds
 * its throughput, and each consumer writes through a connection of its own. Its lag, the records
 * of {@code jobpulse.job-status} its group has not yet projected, is read from the broker by every
 * instance (the gauge {@code jobpulse.consumer.group.lag}, in the app); the jobs submitted and
 * finished are counted here too ({@link JobFlowMetrics}).
 *
 * <p>A poll brings up to {@value #BATCH} records (a partition's fetch up to {@value #FETCH_BYTES}
 * bytes, room for that many changes): when the projector is behind, a large batch costs one commit
 * and one upsert per job however many of its changes it holds, which is what lets it catch up;
 * when it keeps up, a poll returns what has arrived, and batches stay small.
 */
@KafkaListener(groupId = "${jobpulse.projections.group-id:jobpulse-projections}", batch = true, threadsValue = "${jobpulse.projections.threads:3}",
        offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR,
                retryCount = Integer.MAX_VALUE, retryDelay = "1s", handleAllExceptions = true),
        properties = {
            @Property(name = ConsumerConfig.ISOLATION_LEVEL_CONFIG, value = "read_committed"),
            @Property(name = ConsumerConfig.MAX_POLL_RECORDS_CONFIG, value = StatusChangeProjector.BATCH),
            @Property(name = ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, value = StatusChangeProjector.FETCH_BYTES)})
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
@Requires(property = ProjectionRebuild.PROJECTORS_ENABLED, notEquals = "false")
public class StatusChangeProjector {

    static final String BATCH = "5000";
    static final String FETCH_BYTES = "8388608";

    private final JobProjectionWriter writer;
    private final JobFlowMetrics metrics;
    /** Each consumer thread backs off on its own. */
    private final ThreadLocal<BatchRetry> retry = ThreadLocal.withInitial(() -> new BatchRetry("status projection"));

    public StatusChangeProjector(JobProjectionWriter writer, JobFlowMetrics metrics) {
        this.writer = writer;
        this.metrics = metrics;
    }

    @Topic(Topics.JOB_STATUS_NAME)
    public void project(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        List<StatusChange> changes = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            Topics.JOB_STATUS.decodeOrSkip(record.value(), record.partition(), record.offset()).ifPresent(changes::add);
        }
        // Counted once the transaction has committed, and only what it inserted: each change once, cluster-wide.
        retry.get().write(records, consumer, () -> metrics.count(writer.write(changes)));
    }
}
