package io.jobpulse.projections;

import io.jobpulse.events.JobJson;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Projects {@code jobpulse.job-status} into PostgreSQL. Each poll is one batch and one database
 * transaction; offsets are committed only after it commits, so a crash replays the batch, and the
 * version guard of {@link JobProjectionWriter} makes the replay harmless.
 */
@KafkaListener(groupId = "${jobpulse.projections.group-id:jobpulse-projections}", batch = true,
        offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_EXPONENTIALLY_ON_ERROR,
                retryCount = Integer.MAX_VALUE, retryDelay = "500ms", handleAllExceptions = true),
        properties = @Property(name = ConsumerConfig.ISOLATION_LEVEL_CONFIG, value = "read_committed"))
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
public class StatusChangeProjector {

    private static final Logger LOG = LoggerFactory.getLogger(StatusChangeProjector.class);

    private final JobProjectionWriter writer;

    public StatusChangeProjector(JobProjectionWriter writer) {
        this.writer = writer;
    }

    @Topic(Topics.JOB_STATUS_NAME)
    public void project(List<ConsumerRecord<String, byte[]>> records) {
        List<StatusChange> changes = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            try {
                changes.add(JobJson.read(record.value(), StatusChange.class));
            } catch (SerializationException e) {
                LOG.warn("skipping undecodable record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(), e.getMessage());
            }
        }
        writer.write(changes);
    }
}
