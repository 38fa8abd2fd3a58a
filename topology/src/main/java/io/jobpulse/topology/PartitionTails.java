package io.jobpulse.topology;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Whether a stretch of a partition holds events, as a read-committed reader sees it. A Streams task
 * commits the offset after the last event it folded; transaction markers and aborted events after
 * that are nothing to fold, so the task may never commit past them, and a task short of the
 * partition's end is either behind or only short of such a tail. One consumer without a group,
 * made on first use and shared (one check at a time), tells which.
 */
final class PartitionTails implements AutoCloseable {

    private final Map<String, Object> config;
    private Consumer<byte[], byte[]> consumer;

    PartitionTails(String bootstrapServers, String applicationId) {
        this.config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, applicationId + "-tails",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, IsolationLevel.READ_COMMITTED.toString().toLowerCase(Locale.ROOT),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 1);
    }

    /**
     * Whether an event a read-committed reader would get lies in {@code [from, end)}.
     *
     * @throws TimeoutException when Kafka does not say within {@code timeout}
     */
    synchronized boolean holdsEvents(TopicPartition partition, long from, long end, Duration timeout) {
        if (consumer == null) {
            consumer = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }
        consumer.assign(List.of(partition));
        consumer.seek(partition, Math.max(0, from));
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> event : consumer.poll(Duration.ofMillis(20))) {
                return event.offset() < end;
            }
            if (consumer.position(partition, timeout) >= end) {
                return false;
            }
        }
        throw new TimeoutException("no answer from " + partition + " within " + timeout);
    }

    @Override
    public synchronized void close() {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(2));
        }
    }
}
