package io.jobpulse.projections;

import io.jobpulse.events.BatchChange;
import io.jobpulse.events.Roles;
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
 * Projects {@code jobpulse.batch-status} into the {@code batches} table, in its own consumer group
 * ({@code jobpulse.projections.batches-group-id}) so that the batches' lag and the jobs' are told
 * apart. Like {@link StatusChangeProjector}: one poll is one database transaction, offsets are
 * committed only after it commits, a replayed poll changes nothing (the version guard of
 * {@link BatchProjectionWriter}), and a poll that cannot be written is fetched again after a backoff
 * ({@link BatchRetry}). One consumer per instance: a batch changes at most once per change of one of
 * its jobs, and its changes are folded to one row per batch per poll.
 */
@KafkaListener(groupId = "${" + BatchChangeProjector.GROUP_PROPERTY + ":" + BatchChangeProjector.GROUP_DEFAULT + "}", batch = true,
        offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR,
                retryCount = Integer.MAX_VALUE, retryDelay = "1s", handleAllExceptions = true),
        properties = @Property(name = ConsumerConfig.ISOLATION_LEVEL_CONFIG, value = "read_committed"))
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
@Requires(property = ProjectionRebuild.PROJECTORS_ENABLED, notEquals = "false")
public class BatchChangeProjector {

    public static final String GROUP_PROPERTY = "jobpulse.projections.batches-group-id";
    public static final String GROUP_DEFAULT = "jobpulse-projections-batches";

    private final BatchProjectionWriter writer;
    private final BatchRetry retry = new BatchRetry("batch projection");

    public BatchChangeProjector(BatchProjectionWriter writer) {
        this.writer = writer;
    }

    @Topic(Topics.BATCH_STATUS_NAME)
    public void project(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        List<BatchChange> changes = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            Topics.BATCH_STATUS.decodeOrSkip(record.value(), record.partition(), record.offset()).ifPresent(changes::add);
        }
        retry.write(records, consumer, () -> writer.write(changes));
    }
}
