package io.jobpulse.consumers;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

/**
 * The lag of a consumer group on a topic as the broker sees it: for each partition, its last
 * stable offset (the end a read_committed reader can reach) less the group's committed offset, or
 * less the partition's start where the group has committed nothing (its members start from the
 * earliest record). It depends on no member being alive: a group whose members were killed shows
 * everything that has piled up since, which is what an operator needs to see then.
 *
 * <p>{@link #start} reads it every {@code interval} on a thread of its own, never on a request's
 * path; {@link #value} is the last reading, NaN before the first one succeeds. A reading that fails
 * (the broker is away) keeps the previous one. Offsets count transaction markers too, so a topic
 * written in transactions shows a few more than its records; a group that has read everything shows 0.
 */
public final class ConsumerGroupLag implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ConsumerGroupLag.class);
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final Admin admin;
    private final String group;
    private final String topic;
    private final ScheduledExecutorService reader;
    private volatile double value = Double.NaN;

    private ConsumerGroupLag(Admin admin, String group, String topic) {
        this.admin = admin;
        this.group = group;
        this.topic = topic;
        this.reader = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("jobpulse-lag-" + group).daemon().factory());
    }

    /** Reads the lag of {@code group} on {@code topic} now and then every {@code interval}, until closed. */
    public static ConsumerGroupLag start(Admin admin, String group, String topic, Duration interval) {
        ConsumerGroupLag lag = new ConsumerGroupLag(admin, group, topic);
        lag.reader.scheduleWithFixedDelay(lag::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
        return lag;
    }

    /** The last reading: records of the topic the group has not yet committed, NaN if none was read yet. */
    public double value() {
        return value;
    }

    private void refresh() {
        try {
            value = read(admin, group, topic);
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("cannot read the lag of group {} on {}: {}", group, topic, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warn("cannot read the lag of group {} on {}", group, topic, e);
        }
    }

    /** Reads the lag of {@code group} on {@code topic} from the broker, once. */
    public static long read(Admin admin, String group, String topic) throws ExecutionException, InterruptedException, TimeoutException {
        Map<TopicPartition, OffsetAndMetadata> committed = admin.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> partitions = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).get(topic).partitions().stream()
                .collect(Collectors.toMap(p -> new TopicPartition(topic, p.partition()), p -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(admin, partitions);
        Map<TopicPartition, OffsetSpec> uncommitted = new HashMap<>();
        partitions.keySet().stream().filter(p -> committed.get(p) == null).forEach(p -> uncommitted.put(p, OffsetSpec.earliest()));
        Map<TopicPartition, ListOffsetsResultInfo> starts = offsets(admin, uncommitted);
        long lag = 0;
        for (Map.Entry<TopicPartition, ListOffsetsResultInfo> end : ends.entrySet()) {
            OffsetAndMetadata done = committed.get(end.getKey());
            long from = done != null ? done.offset() : starts.get(end.getKey()).offset();
            lag += Math.max(0, end.getValue().offset() - from);
        }
        return lag;
    }

    private static Map<TopicPartition, ListOffsetsResultInfo> offsets(Admin admin, Map<TopicPartition, OffsetSpec> specs)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (specs.isEmpty()) {
            return Map.of();
        }
        return admin.listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }
}
