package io.jobpulse.projections;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
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
import io.micronaut.transaction.TransactionOperations;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Copies every event of {@code jobpulse.job-events}, applied or refused, into {@code job_events},
 * for the raw history behind a job's timeline. Batches are inserted by event id, once; offsets
 * are committed after the transaction, so a redelivered batch changes nothing, and a batch that
 * cannot be written is fetched again after a backoff ({@link BatchRetry}).
 */
@KafkaListener(groupId = "${jobpulse.projections.events-group-id:jobpulse-projections-events}", batch = true,
        offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR,
                retryCount = Integer.MAX_VALUE, retryDelay = "1s", handleAllExceptions = true),
        properties = @Property(name = ConsumerConfig.ISOLATION_LEVEL_CONFIG, value = "read_committed"))
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
@Requires(property = ProjectionRebuild.PROJECTORS_ENABLED, notEquals = "false")
public class JobEventProjector {

    private static final Logger LOG = LoggerFactory.getLogger(JobEventProjector.class);
    private static final String INSERT_HEAD = "INSERT INTO job_events (event_id, job_id, event_type, received_at, event) VALUES ";
    private static final String INSERT_ROW = "(?, ?, ?, ?, ?::jsonb)";

    private final TransactionOperations<Connection> transactions;
    private final BatchRetry retry = new BatchRetry("event projection");

    public JobEventProjector(TransactionOperations<Connection> transactions) {
        this.transactions = transactions;
    }

    @Topic(Topics.JOB_EVENTS_NAME)
    public void project(List<ConsumerRecord<String, byte[]>> records, Consumer<?, ?> consumer) {
        List<JobEvent> events = new ArrayList<>(records.size());
        for (ConsumerRecord<String, byte[]> record : records) {
            Topics.JOB_EVENTS.decodeOrSkip(record.value(), record.partition(), record.offset()).ifPresent(event -> {
                if (event.eventId() != null && event.jobId() != null && event.receivedAt() != null) {
                    events.add(event);
                } else {
                    LOG.debug("not copying event without id, job or time at {}-{}@{}", record.topic(), record.partition(), record.offset());
                }
            });
        }
        if (events.isEmpty()) {
            return;
        }
        retry.write(records, consumer, () -> insert(events));
    }

    private void insert(List<JobEvent> events) {
        String sql = INSERT_HEAD + String.join(", ", Collections.nCopies(events.size(), INSERT_ROW)) + " ON CONFLICT (event_id) DO NOTHING";
        transactions.executeWrite(status -> {
            try (PreparedStatement statement = status.getConnection().prepareStatement(sql)) {
                int i = 0;
                for (JobEvent event : events) {
                    statement.setString(++i, event.eventId());
                    statement.setString(++i, event.jobId());
                    statement.setString(++i, event.wireName());
                    statement.setTimestamp(++i, Timestamp.from(event.receivedAt()));
                    statement.setString(++i, new String(JobJson.write(event), StandardCharsets.UTF_8));
                }
                statement.executeUpdate();
            }
            return null;
        });
    }
}
