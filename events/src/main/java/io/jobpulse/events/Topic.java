package io.jobpulse.events;

import org.apache.kafka.common.serialization.Serde;

import java.time.Duration;

/**
 * A Kafka topic with the serdes of its keys and values and how long it keeps its records, so that
 * a topic's name, its wire format and its retention are declared once, and every reader decodes
 * its records the same way ({@link #decode}).
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, Cleanup cleanup) {

    /** How a topic keeps its records. */
    public sealed interface Cleanup {

        /** Every record, for ever: a log kept for audit and replay. */
        record KeptForever() implements Cleanup {
        }

        /** The latest record per key; a tombstone removes the key. */
        record Compacted() implements Cleanup {
        }

        /** Records for a fixed time. */
        record KeptFor(Duration retention) implements Cleanup {
        }

        /** Records for as long as the operator configures ({@code jobpulse.topics.status-retention}). */
        record KeptAsConfigured() implements Cleanup {
        }
    }

    /** A record value of this topic, decoded; throws Kafka's {@code SerializationException} for one that is not. */
    public V decode(byte[] value) {
        return valueSerde.deserializer().deserialize(name, value);
    }
}
