package io.jobpulse.events;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Optional;

/**
 * A Kafka topic with the serdes of its keys and values and how long it keeps its records, so that
 * a topic's name, its wire format and its retention are declared once, and every reader decodes
 * its records the same way ({@link #decode}).
 */
public record Topic<K, V>(String name, Serde<K> keySerde, Serde<V> valueSerde, Cleanup cleanup) {

    private static final Logger LOG = LoggerFactory.getLogger(Topic.class);

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

    /**
     * The readers' one way past a record they cannot read: the value decoded, or empty after one
     * warning that names the topic, the record's position and why. (The topology does not skip: it
     * writes such a record to the rejects topic as {@code malformed}.)
     */
    public Optional<V> decodeOrSkip(byte[] value, int partition, long offset) {
        try {
            return Optional.of(decode(value));
        } catch (SerializationException e) {
            LOG.warn("skipping an undecodable record of {} at partition {} offset {}: {}", name, partition, offset, e.getMessage());
            return Optional.empty();
        }
    }
}
