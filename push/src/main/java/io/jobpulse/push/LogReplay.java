package io.jobpulse.push;

import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.events.Topics;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Reads changes this instance's history no longer holds back from {@code jobpulse.job-status}, for a
 * multi-job subscriber resuming from an older cursor: a short-lived consumer of its own (no group,
 * read_committed, like the feed) assigned the partitions to read, seeked to the cursor's offsets,
 * reading up to the offsets where the history takes over. It refuses (empty) when the topic no
 * longer has the cursor's records (retention deleted them), when more than
 * {@code jobpulse.push.max-log-replay} records lie between the cursor and the history, or when the
 * broker does not answer in time: the subscriber then gets a reset.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class LogReplay {

    private static final Logger LOG = LoggerFactory.getLogger(LogReplay.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a replay may take before the subscriber gets a reset instead. */
    private static final Duration TIME_LIMIT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final long maxRecords;

    public LogReplay(@Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers, PushConfiguration config) {
        this.bootstrapServers = bootstrapServers;
        this.maxRecords = config.maxLogReplay();
    }

    /**
     * The changes the selector wants among the records from {@code from} up to (not including)
     * {@code until} in each partition, in log order per partition; empty if they cannot be read.
     */
    Optional<List<FeedEntry>> read(StreamCursor from, Map<Integer, Long> until, Predicate<JobUpdate> wanted) {
        Map<TopicPartition, Long> starts = new HashMap<>();
        long records = 0;
        for (Map.Entry<Integer, Long> partition : until.entrySet()) {
            long start = from.next(partition.getKey());
            if (start < partition.getValue()) {
                starts.put(new TopicPartition(Topics.JOB_STATUS.name(), partition.getKey()), start);
                records += partition.getValue() - start;
            }
        }
        if (records > maxRecords) {
            LOG.info("a resume would replay {} records of {}, more than {}: it gets a reset", records, Topics.JOB_STATUS.name(), maxRecords);
            return Optional.empty();
        }
        if (starts.isEmpty()) {
            return Optional.of(List.of());
        }
        // The records between the cursor and the history were all read by the feed already: nothing here waits for them.
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "jobpulse-push-replay",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"), new StringDeserializer(), new ByteArrayDeserializer())) {
            Map<TopicPartition, Long> logStart = consumer.beginningOffsets(starts.keySet(), TIME_LIMIT);
            for (Map.Entry<TopicPartition, Long> start : starts.entrySet()) {
                if (start.getValue() < logStart.get(start.getKey())) {
                    LOG.info("a resume from offset {} of {} gets a reset: the topic now starts at {}", start.getValue(),
                            start.getKey(), logStart.get(start.getKey()));
                    return Optional.empty();
                }
            }
            consumer.assign(starts.keySet());
            starts.forEach(consumer::seek);
            return Optional.ofNullable(readUntil(consumer, starts, until, wanted));
        } catch (KafkaException e) {
            LOG.warn("reading {} back for a resume failed ({}): it gets a reset", Topics.JOB_STATUS.name(), e.getMessage());
            return Optional.empty();
        }
    }

    /** Polls the assigned partitions until each is read up to its end offset; null if that takes too long. */
    private static List<FeedEntry> readUntil(KafkaConsumer<String, byte[]> consumer, Map<TopicPartition, Long> starts,
                                             Map<Integer, Long> until, Predicate<JobUpdate> wanted) {
        Map<Integer, List<FeedEntry>> byPartition = new TreeMap<>();
        Instant deadline = Instant.now().plus(TIME_LIMIT);
        List<TopicPartition> reading = new ArrayList<>(starts.keySet());
        while (!reading.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                LOG.warn("reading {} back for a resume took more than {}: it gets a reset", Topics.JOB_STATUS.name(), TIME_LIMIT);
                return null;
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                if (record.offset() < until.get(record.partition())) {
                    StatusChangeFeed.entry(record).filter(entry -> wanted.test(entry.update()))
                            .ifPresent(entry -> byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(entry));
                }
            }
            // The position, not the last record's offset: transaction markers and aborted records take offsets too.
            List<TopicPartition> finished = reading.stream()
                    .filter(partition -> consumer.position(partition) >= until.get(partition.partition())).toList();
            reading.removeAll(finished);
            consumer.pause(finished);
        }
        return byPartition.values().stream().flatMap(List::stream).toList();
    }
}
