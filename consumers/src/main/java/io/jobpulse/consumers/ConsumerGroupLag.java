package io.jobpulse.consumers;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The lag of consumer groups as the broker sees it: for each partition a group reads, its last
 * stable offset (the end a read_committed reader can reach) less the group's committed offset.
 * Where the group has committed nothing on a partition, a group that starts from the earliest record
 * counts from the partition's start, and one that starts from the latest counts nothing. It depends on
 * no member being alive: a group whose members were all killed, or that never had any, shows everything
 * that has piled up since its last commit, which is what an operator needs to see then.
 *
 * <p>One reading asks the broker four things for all groups at once (their committed offsets, the topics'
 * partitions, their ends, and the starts where needed), each bounded by the timeout. Offsets count
 * transaction markers too, so a topic written in transactions shows a few more than its records; a group
 * that has read everything shows 0.
 */
public final class ConsumerGroupLag {

    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    /**
     * A group to read: its id, the topics it subscribes to, and whether its members start from the earliest
     * record of a partition the group has committed nothing on ({@code auto.offset.reset=earliest}).
     */
    public record Group(String id, List<String> topics, boolean fromEarliest) {
    }

    private ConsumerGroupLag() {
    }

    /** Reads the lag of {@code group} on {@code topic} from the broker, once (a group that starts from the earliest). */
    public static long read(Admin admin, String group, String topic) throws ExecutionException, InterruptedException, TimeoutException {
        return read(admin, List.of(new Group(group, List.of(topic), true)), READ_TIMEOUT).get(group).getOrDefault(topic, 0L);
    }

    /**
     * Reads the lag of every group on each of its topics (and on any other topic it has committed offsets on),
     * summed over the partitions: group id to topic to records. A topic that does not exist is left out.
     */
    public static Map<String, Map<String, Long>> read(Admin admin, List<Group> groups, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        Map<String, ListConsumerGroupOffsetsSpec> specs = new LinkedHashMap<>();
        groups.forEach(group -> specs.put(group.id(), new ListConsumerGroupOffsetsSpec()));
        var listed = admin.listConsumerGroupOffsets(specs);
        Map<String, Map<TopicPartition, OffsetAndMetadata>> committed = new HashMap<>();
        for (Group group : groups) {
            try {
                committed.put(group.id(), listed.partitionsToOffsetAndMetadata(group.id()).get(timeout.toMillis(), TimeUnit.MILLISECONDS));
            } catch (ExecutionException e) {
                // A group that does not exist (yet) has committed nothing.
                if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                    throw e;
                }
            }
        }
        Set<String> topics = new LinkedHashSet<>();
        for (Group group : groups) {
            topics.addAll(group.topics());
            committed.getOrDefault(group.id(), Map.of()).keySet().forEach(partition -> topics.add(partition.topic()));
        }
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        topics.retainAll(existing);
        Map<String, TopicDescription> described = topics.isEmpty() ? Map.of()
                : admin.describeTopics(topics).allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        Map<TopicPartition, OffsetSpec> earliest = new HashMap<>();
        described.values().forEach(topic -> topic.partitions().forEach(p -> {
            TopicPartition partition = new TopicPartition(topic.name(), p.partition());
            latest.put(partition, OffsetSpec.latest());
            earliest.put(partition, OffsetSpec.earliest());
        }));
        Map<TopicPartition, ListOffsetsResultInfo> ends = offsets(admin, latest, timeout);
        Map<TopicPartition, ListOffsetsResultInfo> starts = offsets(admin, earliest, timeout);
        Map<String, Map<String, Long>> lags = new LinkedHashMap<>();
        for (Group group : groups) {
            Map<TopicPartition, OffsetAndMetadata> done = committed.getOrDefault(group.id(), Map.of());
            Set<String> read = new LinkedHashSet<>(group.topics());
            done.keySet().forEach(partition -> read.add(partition.topic()));
            Map<String, Long> byTopic = new TreeMap<>();
            for (String topic : read) {
                TopicDescription description = described.get(topic);
                if (description == null) {
                    continue;
                }
                long lag = 0;
                for (var p : description.partitions()) {
                    TopicPartition partition = new TopicPartition(topic, p.partition());
                    OffsetAndMetadata offset = done.get(partition);
                    long end = ends.get(partition).offset();
                    long from = offset != null ? offset.offset() : group.fromEarliest() ? starts.get(partition).offset() : end;
                    lag += Math.max(0, end - from);
                }
                byTopic.put(topic, lag);
            }
            lags.put(group.id(), byTopic);
        }
        return lags;
    }

    private static Map<TopicPartition, ListOffsetsResultInfo> offsets(Admin admin, Map<TopicPartition, OffsetSpec> specs, Duration timeout)
            throws ExecutionException, InterruptedException, TimeoutException {
        if (specs.isEmpty()) {
            return Map.of();
        }
        return admin.listOffsets(specs, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED)).all()
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }
}
