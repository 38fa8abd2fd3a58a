package io.jobpulse.consumers;

import io.micronaut.configuration.kafka.KafkaConsumerFactory;
import io.micronaut.configuration.kafka.config.AbstractKafkaConsumerConfiguration;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Parameter;
import io.micronaut.context.annotation.Prototype;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.exceptions.ConfigurationException;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Deserializer;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Makes the consumers of {@code @KafkaListener}s (the projectors) members of their groups by the
 * rules of {@link GroupMembership}: a listener's threads are its group's members 0, 1, 2... in the
 * order they start, so a restarted instance gives each the same {@code group.instance.id} again;
 * and every close leaves the group at once. Settings a listener names itself take precedence.
 */
@Factory
public class ListenerConsumerFactory {

    private final GroupMembership membership;
    private final Map<String, AtomicInteger> members = new ConcurrentHashMap<>();

    public ListenerConsumerFactory(GroupMembership membership) {
        this.membership = membership;
    }

    @Prototype
    @Replaces(factory = KafkaConsumerFactory.class, bean = Consumer.class)
    public <K, V> Consumer<K, V> createConsumer(@Parameter AbstractKafkaConsumerConfiguration<K, V> configuration) {
        Properties properties = new Properties();
        properties.putAll(configuration.getConfig());
        String group = properties.getProperty(ConsumerConfig.GROUP_ID_CONFIG);
        if (group != null) {
            int member = members.computeIfAbsent(group, g -> new AtomicInteger()).getAndIncrement();
            membership.consumerSettings(group, member).forEach(properties::putIfAbsent);
        }
        Optional<Deserializer<K>> keys = configuration.getKeyDeserializer();
        Optional<Deserializer<V>> values = configuration.getValueDeserializer();
        if (keys.isPresent() != values.isPresent()) {
            throw new ConfigurationException("Both the [keyDeserializer] and [valueDeserializer] must be set when setting either");
        }
        return keys.isPresent()
                ? new LeavingKafkaConsumer<>(properties, keys.get(), values.get())
                : new LeavingKafkaConsumer<>(properties);
    }
}
