package io.jobpulse.consumers;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.Deserializer;

import java.time.Duration;
import java.util.Properties;

/**
 * A {@link KafkaConsumer} whose every close leaves its group at once ({@link GroupMembership#leave}):
 * for the consumers that a framework closes with a plain {@code close()}, which would keep a static
 * member in its group until its session expires.
 */
final class LeavingKafkaConsumer<K, V> extends KafkaConsumer<K, V> {

    LeavingKafkaConsumer(Properties properties) {
        super(properties);
    }

    LeavingKafkaConsumer(Properties properties, Deserializer<K> keys, Deserializer<V> values) {
        super(properties, keys, values);
    }

    @Override
    public void close() {
        GroupMembership.leave(this);
    }

    @Override
    public void close(Duration timeout) {
        GroupMembership.leave(this);
    }
}
