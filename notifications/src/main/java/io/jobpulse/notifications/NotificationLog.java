package io.jobpulse.notifications;

import io.jobpulse.events.Delivery;
import io.jobpulse.events.EndpointChange;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.events.Topic;
import io.jobpulse.events.Topics;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Writes what the endpoints API decides to Kafka and returns once it is durably acknowledged
 * (acks=all, idempotent): an endpoint's changes to {@code jobpulse.endpoints}, tests and retries
 * asked for to {@code jobpulse.deliveries}. What is not acknowledged in time is a 503.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.NOTIFICATIONS)
public class NotificationLog {

    private static final long ACK_TIMEOUT_MS = 10_000;

    private final Producer<String, byte[]> producer;

    public NotificationLog(@Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers) {
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.CLIENT_ID_CONFIG, "jobpulse-notifications",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, ACK_TIMEOUT_MS / 2,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) ACK_TIMEOUT_MS / 2,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) ACK_TIMEOUT_MS), new StringSerializer(), new ByteArraySerializer());
    }

    void write(EndpointChange change) {
        send(Topics.ENDPOINTS, change.endpoint().id(), change, "the endpoint's change");
    }

    void write(Delivery delivery) {
        send(Topics.DELIVERIES, delivery.endpointId(), delivery, "the delivery");
    }

    private <V> void send(Topic<String, V> topic, String key, V value, String what) {
        try {
            producer.send(new ProducerRecord<>(topic.name(), key, topic.valueSerde().serializer().serialize(topic.name(), value)))
                    .get(ACK_TIMEOUT_MS + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            throw new ProblemException(ProblemType.UNAVAILABLE, "The event log did not acknowledge " + what + " in time, so it may"
                    + " not have taken effect. Look again, and try again later.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProblemException(ProblemType.UNAVAILABLE, "Interrupted while writing " + what + "; nothing was changed.");
        }
    }

    @PreDestroy
    void close() {
        producer.close();
    }
}
