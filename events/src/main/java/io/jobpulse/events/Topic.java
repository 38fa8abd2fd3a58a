package io.jobpulse.events;

import org.apache.kafka.common.serialization.Serde;

/**
 * A Kafka topic with the serdes of its keys and values, so that a topic's name and its wire
 * format are declared once.
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde) {
}
