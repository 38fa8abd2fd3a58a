package io.jobpulse.notifications;

import io.jobpulse.events.DeliveryReport;
import io.jobpulse.events.Endpoint;
import io.jobpulse.events.Roles;
import io.jobpulse.events.Topics;
import io.micronaut.configuration.kafka.annotation.ErrorStrategy;
import io.micronaut.configuration.kafka.annotation.ErrorStrategyValue;
import io.micronaut.configuration.kafka.annotation.KafkaListener;
import io.micronaut.configuration.kafka.annotation.OffsetReset;
import io.micronaut.configuration.kafka.annotation.OffsetStrategy;
import io.micronaut.configuration.kafka.annotation.Topic;
import io.micronaut.context.annotation.Requires;
import org.apache.kafka.clients.consumer.ConsumerRecord;

import java.util.ArrayList;
import java.util.List;

/**
 * Follows {@code jobpulse.endpoints} and {@code jobpulse.delivery-log} into PostgreSQL: the
 * endpoints as their latest changes left them (the API has already stored its own changes; this
 * catches any it could not, and rebuilds the table from the log), and each delivery as its latest
 * report left it, with an endpoint's disabling. Offsets are committed after the writes, which are
 * guarded, so a batch read again changes nothing; a batch that cannot be written is read again.
 */
@KafkaListener(groupId = "${jobpulse.notifications.projector-group-id:jobpulse-notifications-projector}", batch = true,
        offsetReset = OffsetReset.EARLIEST, offsetStrategy = OffsetStrategy.SYNC,
        errorStrategy = @ErrorStrategy(value = ErrorStrategyValue.RETRY_ON_ERROR,
                retryCount = Integer.MAX_VALUE, retryDelay = "1s", handleAllExceptions = true))
@Requires(property = Roles.PROPERTY, pattern = Roles.NOTIFICATIONS)
public class NotificationProjector {

    private final EndpointStore store;

    public NotificationProjector(EndpointStore store) {
        this.store = store;
    }

    @Topic(Topics.ENDPOINTS_NAME)
    public void endpoints(List<ConsumerRecord<String, byte[]>> records) {
        List<Endpoint> changed = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            Topics.ENDPOINTS.decodeOrSkip(record.value(), record.partition(), record.offset())
                    .filter(change -> change.endpoint() != null).ifPresent(change -> changed.add(change.endpoint()));
        }
        if (!changed.isEmpty()) {
            store.applyChanges(changed);
        }
    }

    @Topic(Topics.DELIVERY_LOG_NAME)
    public void deliveries(List<ConsumerRecord<String, byte[]>> records) {
        List<DeliveryReport> reports = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : records) {
            Topics.DELIVERY_LOG.decodeOrSkip(record.value(), record.partition(), record.offset())
                    .filter(report -> report.delivery() != null).ifPresent(reports::add);
        }
        if (!reports.isEmpty()) {
            store.applyReports(reports);
        }
    }
}
