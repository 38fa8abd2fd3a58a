package io.jobpulse.projections;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Keeps a projector going through database outages without losing a record: when a batch
 * cannot be written, the consumer is rewound to the batch's first record of each partition, so
 * the offsets committed after the listener returns do not pass it and the next poll fetches it
 * again, and the thread waits before that poll, backing off exponentially with jitter from
 * {@link #FIRST_WAIT} to {@link #MAX_WAIT} (well inside {@code max.poll.interval.ms}, so the
 * consumer keeps its partitions). A success resets the wait.
 */
final class BatchRetry {

    static final Duration FIRST_WAIT = Duration.ofMillis(500);
    static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private static final Logger LOG = LoggerFactory.getLogger(BatchRetry.class);

    private final String projection;
    private Duration wait = FIRST_WAIT;
    private int failures;

    BatchRetry(String projection) {
        this.projection = projection;
    }

    /** Runs the write of a batch; on failure rewinds the consumer and waits. Returns whether it was written. */
    boolean write(List<? extends ConsumerRecord<?, ?>> records, Consumer<?, ?> consumer, Runnable write) {
        try {
            write.run();
            if (failures > 0) {
                LOG.info("{}: writing again after {} failed attempts", projection, failures);
            }
            failures = 0;
            wait = FIRST_WAIT;
            return true;
        } catch (RuntimeException e) {
            failures++;
            rewind(records, consumer);
            Duration pause = wait.plusMillis(ThreadLocalRandom.current().nextLong(wait.toMillis() / 4 + 1));
            LOG.warn("{}: cannot write a batch of {} records (attempt {}): {}; retrying in {} ms", projection,
                    records.size(), failures, e.getMessage(), pause.toMillis());
            wait = wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
            try {
                Thread.sleep(pause);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
            return false;
        }
    }

    private static void rewind(List<? extends ConsumerRecord<?, ?>> records, Consumer<?, ?> consumer) {
        Map<TopicPartition, Long> first = new HashMap<>();
        for (ConsumerRecord<?, ?> record : records) {
            first.merge(new TopicPartition(record.topic(), record.partition()), record.offset(), Math::min);
        }
        first.forEach(consumer::seek);
    }
}
