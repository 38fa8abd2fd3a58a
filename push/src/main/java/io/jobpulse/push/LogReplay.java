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
 * Reads changes this instance's history no longer holds back from {@code jobpulse.job-status}:
 * for a multi-job subscriber resuming from an older cursor, the records from its cursor up to
 * where the history starts; for a one-job subscriber resuming from an older version, the job's
 * records in its partition before the history, found by a {@link JobLogSearch}. Each read is a
 * short-lived consumer of its own (no group, with the feed's isolation level), assigned the
 * partitions to read and seeked to the offsets to read from. It refuses (empty) when the topic no
 * longer has the records needed (retention deleted them), when more than
 * {@code jobpulse.push.max-log-replay} records would have to be read, or when the broker does not
 * answer in time: a multi-job subscriber then gets a reset, a one-job subscriber the job's current state.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class LogReplay {

    private static final Logger LOG = LoggerFactory.getLogger(LogReplay.class);
    private static final Duration POLL = Duration.ofMillis(200);
    /** How long a replay may take before the subscriber is served without it. */
    private static final Duration TIME_LIMIT = Duration.ofSeconds(30);

    private final String bootstrapServers;
    private final long maxRecords;
    private final String isolationLevel;

    public LogReplay(@Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers, PushConfiguration config) {
        this.bootstrapServers = bootstrapServers;
        this.maxRecords = config.maxLogReplay();
        this.isolationLevel = config.isolationLevel();
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
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
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
            List<FeedEntry> read = readUntil(consumer, until, key -> true, wanted, Instant.now().plus(TIME_LIMIT));
            if (read == null) {
                LOG.warn("reading {} back for a resume took more than {}: it gets a reset", Topics.JOB_STATUS.name(), TIME_LIMIT);
            }
            return Optional.ofNullable(read);
        } catch (KafkaException e) {
            LOG.warn("reading {} back for a resume failed ({}): it gets a reset", Topics.JOB_STATUS.name(), e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * A job's changes after {@code afterVersion} among the records of its partition before
     * {@code before} (where the history starts in it), oldest first; empty if the version after
     * {@code afterVersion} is not among the records the search may read, or they cannot be read.
     * Those records were all read by the feed already, so nothing here waits for them.
     */
    Optional<List<FeedEntry>> readJob(String jobId, int partition, long before, long afterVersion) {
        TopicPartition topicPartition = new TopicPartition(Topics.JOB_STATUS.name(), partition);
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            Instant deadline = Instant.now().plus(TIME_LIMIT);
            long logStart = consumer.beginningOffsets(List.of(topicPartition), TIME_LIMIT).get(topicPartition);
            JobLogSearch search = new JobLogSearch(afterVersion, before, logStart, maxRecords);
            consumer.assign(List.of(topicPartition));
            for (Optional<JobLogSearch.Window> window = search.next(); window.isPresent(); window = search.next()) {
                consumer.seek(topicPartition, window.get().start());
                consumer.resume(List.of(topicPartition));
                List<FeedEntry> held = readUntil(consumer, Map.of(partition, window.get().end()), jobId::equals, update -> true, deadline);
                if (held == null) {
                    LOG.warn("reading {} back for a resume of job {} took more than {}: it gets the current state", topicPartition, jobId,
                            TIME_LIMIT);
                    return Optional.empty();
                }
                search.found(held);
            }
            Optional<List<FeedEntry>> result = search.result();
            if (result.isEmpty()) {
                LOG.info("job {}'s version {} is not in the {} records of {} before offset {} (the topic starts at {}, at most {} are read):"
                        + " its resume gets the current state", jobId, afterVersion + 1, search.reach(), topicPartition, before, logStart,
                        maxRecords);
            }
            return result;
        } catch (KafkaException e) {
            LOG.warn("reading {} back for a resume of job {} failed ({}): it gets the current state", topicPartition, jobId, e.getMessage());
            return Optional.empty();
        }
    }

    private KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "jobpulse-push-replay",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolationLevel,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"), new StringDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Polls the assigned partitions, from where they are seeked, until each is read up to its end
     * offset in {@code until}; the changes of the records whose key and update are wanted, in log
     * order per partition, each version of a job once; null if the deadline passes first. Records whose key is not wanted are
     * not decoded.
     */
    private static List<FeedEntry> readUntil(KafkaConsumer<String, byte[]> consumer, Map<Integer, Long> until, Predicate<String> wantedKey,
                                             Predicate<JobUpdate> wanted, Instant deadline) {
        Map<Integer, List<FeedEntry>> byPartition = new TreeMap<>();
        Map<String, Long> lastVersions = new HashMap<>();
        List<TopicPartition> reading = new ArrayList<>(consumer.assignment());
        while (!reading.isEmpty()) {
            if (Instant.now().isAfter(deadline)) {
                return null;
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                if (record.offset() < until.get(record.partition()) && wantedKey.test(record.key())) {
                    StatusChangeFeed.entry(record).filter(entry -> wanted.test(entry.update()) && !isRepeat(entry, lastVersions))
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

    /**
     * Whether the read already holds this version of the job or a later one: read uncommitted, an
     * aborted transaction's change is followed by the same change written again.
     */
    private static boolean isRepeat(FeedEntry entry, Map<String, Long> lastVersions) {
        long version = entry.update().version();
        Long last = lastVersions.get(entry.update().jobId());
        if (last != null && last >= version) {
            return true;
        }
        lastVersions.put(entry.update().jobId(), version);
        return false;
    }
}
