package io.jobpulse.topology;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.JobState;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.JobLifecycleProcessor;
import io.jobpulse.processors.RejectionReason;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.CloseOptions;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Rebuilds the topology's state stores from {@code jobpulse.job-events} and checks that the
 * rebuilt states equal the previous ones: a Streams application reset, then a run of the
 * topology in {@link JobTopology.Mode#REBUILD} (it folds into the stores and writes nothing else)
 * until it has consumed the log as it was at the start.
 *
 * <ol>
 *   <li>Refuses while the application's group has members: every topology instance must be
 *       stopped first.</li>
 *   <li>Reads the previous states from the {@code job-state} changelog, and from
 *       {@code jobpulse.job-events-rejected} the events the live topology refused for reasons that
 *       depended on limits (a state or record too large then): the rebuild refuses them again, so
 *       that it rebuilds the states the log led to, whatever the limits are today.</li>
 *   <li>Resets: deletes the group's committed offsets and the stores' changelog topics, and the
 *       local state directory.</li>
 *   <li>Runs the rebuild to the log's end offsets of step 2, then compares every job's state.</li>
 * </ol>
 * Instances started afterwards restore from the rebuilt changelogs and go on from the log's end.
 */
public final class TopologyReplay {

    private static final Duration WAIT = Duration.ofMinutes(30);

    /**
     * Bytes of Kafka Streams' record cache in front of the stores during a rebuild: a job's state is
     * written to the store and its changelog once per commit, not once per event.
     */
    static final long REBUILD_CACHE_BYTES = 64L * 1024 * 1024;
    /** How long the rebuild's producer waits to fill a batch, and how large one may be: it writes only the changelogs. */
    private static final String REBUILD_LINGER_MS = "20";
    private static final String REBUILD_BATCH_BYTES = Integer.toString(512 * 1024);

    /**
     * What the replay did.
     *
     * @param events     records of {@code jobpulse.job-events} replayed
     * @param previous   jobs in the stores before
     * @param rebuilt    jobs in the stores after
     * @param different  ids of jobs whose state differs (or exists on one side only), at most 20
     * @param took       the whole replay
     * @param folding    of which the rebuild itself: from the start of the topology to its commit at the log's end
     */
    public record Report(long events, int previous, int rebuilt, List<String> different, long differences, Duration took,
                         Duration folding) {

        public boolean identical() {
            return differences == 0;
        }
    }

    private TopologyReplay() {
    }

    /**
     * @param limits the limits the live topology runs with; the rebuild refuses what it refused
     */
    public static Report run(TopologyConfiguration config, String bootstrapServers, JobLimits limits) {
        long started = System.nanoTime();
        String appId = config.applicationId();
        String stateChangelog = changelog(appId, StateStores.JOB_STATE);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            requireNoMembers(admin, appId);
            Map<String, byte[]> previous = readChangelog(bootstrapServers, stateChangelog);
            Set<String> refusedLive = refusedForLimits(bootstrapServers);
            Map<TopicPartition, Long> end = endOffsets(bootstrapServers);
            reset(admin, appId);

            long folding = System.nanoTime();
            KafkaStreams streams = new KafkaStreams(JobTopology.build(config.deadlineCheckInterval(), JobTopology.Mode.REBUILD,
                    TopologyRuntime.effectiveLimits(admin, appId, limits, config), refusedLive),
                    rebuildProperties(config, bootstrapServers));
            streams.cleanUp();
            streams.start();
            try {
                awaitCommitted(admin, appId, end);
            } finally {
                streams.close(CloseOptions.groupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP)
                        .withTimeout(Duration.ofSeconds(30)));
            }
            Duration fold = Duration.ofNanos(System.nanoTime() - folding);
            // The rebuilt changelog is what the stores hold, and what every instance started afterwards restores.
            Map<String, byte[]> rebuilt = readChangelog(bootstrapServers, stateChangelog);
            Set<String> different = differences(previous, rebuilt);
            long events = end.values().stream().mapToLong(Long::longValue).sum();
            return new Report(events, previous.size(), rebuilt.size(), different.stream().limit(20).toList(),
                    different.size(), Duration.ofNanos(System.nanoTime() - started), fold);
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka refused a step of the replay: " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * The Streams properties of a rebuild: the live ones, still exactly-once, but committing every
     * {@link TopologyConfiguration#rebuildCommitInterval()} with a record cache in front of the
     * stores and batching producer. Nobody reads what a rebuild writes until it is complete, so
     * latency does not matter, and a commit (three round trips to the broker, waiting for every
     * write's acknowledgement) every 20 ms would be most of its time. Being exactly-once, a rebuild
     * that stops half-way leaves stores and offsets consistent; the next replay starts again from
     * the beginning all the same. {@code jobpulse.topology.streams.*} still applies last.
     */
    static Properties rebuildProperties(TopologyConfiguration config, String bootstrapServers) {
        Properties props = TopologyRuntime.streamsProperties(config, bootstrapServers);
        long commitMs = config.rebuildCommitInterval().toMillis();
        props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, Long.toString(commitMs));
        props.put(StreamsConfig.POLL_MS_CONFIG, "100");
        props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, Long.toString(REBUILD_CACHE_BYTES));
        props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), REBUILD_LINGER_MS);
        props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), REBUILD_BATCH_BYTES);
        // A transaction stays open for a whole commit interval; the broker must not abort it as hung meanwhile.
        props.put(StreamsConfig.producerPrefix(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG),
                Long.toString(Math.max(60_000, 6 * commitMs)));
        props.putAll(config.streams());
        return props;
    }

    /** The jobs whose state differs between two changelogs' contents, or which only one has. */
    private static Set<String> differences(Map<String, byte[]> previous, Map<String, byte[]> rebuilt) {
        Set<String> all = new HashSet<>(previous.keySet());
        all.addAll(rebuilt.keySet());
        // In parallel: with many jobs, decoding the states to compare is seconds of the replay.
        return all.parallelStream().filter(id -> differ(previous.get(id), rebuilt.get(id)))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    private static boolean differ(byte[] before, byte[] after) {
        if (before == null || after == null) {
            return true;
        }
        // Equal states may be written differently (the order of a map's keys, an older version's writer).
        return !Arrays.equals(before, after) && !JobJson.read(before, JobState.class).equals(JobJson.read(after, JobState.class));
    }

    static String changelog(String applicationId, String store) {
        return applicationId + "-" + store + "-changelog";
    }

    private static void requireNoMembers(Admin admin, String appId) throws ExecutionException, InterruptedException {
        ConsumerGroupDescription group;
        try {
            group = admin.describeConsumerGroups(List.of(appId)).describedGroups().get(appId).get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return;
            }
            throw e;
        }
        if (!group.members().isEmpty()) {
            throw new TopologyRunning("the topology (group " + appId + ") is running with " + group.members().size()
                    + " member(s); stop every instance with the topology role before replaying it");
        }
    }

    /** The replay's refusal while an instance of the topology is live. */
    public static final class TopologyRunning extends IllegalStateException {

        TopologyRunning(String message) {
            super(message);
        }
    }

    private static void reset(Admin admin, String appId) throws ExecutionException, InterruptedException {
        try {
            admin.deleteConsumerGroups(List.of(appId)).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof GroupIdNotFoundException)) {
                throw e;
            }
        }
        List<String> changelogs = List.of(changelog(appId, StateStores.JOB_STATE), changelog(appId, StateStores.JOB_DEADLINES),
                changelog(appId, StateStores.PROVIDER_REQUESTS), changelog(appId, StateStores.PENDING_CALLBACKS));
        try {
            admin.deleteTopics(changelogs).all().get();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                throw e;
            }
        }
        // Deletion completes in the background; Streams must not find the old topics when it creates its own.
        Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
        while (admin.listTopics().names().get().stream().anyMatch(changelogs::contains)) {
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the changelog topics " + changelogs + " were not deleted within a minute");
            }
            Thread.sleep(100);
        }
    }

    private static void awaitCommitted(Admin admin, String appId, Map<TopicPartition, Long> end)
            throws ExecutionException, InterruptedException {
        Instant deadline = Instant.now().plus(WAIT);
        while (true) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(appId).partitionsToOffsetAndMetadata().get();
            boolean done = end.entrySet().stream().allMatch(e -> e.getValue() == 0
                    || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
            if (done) {
                return;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("the rebuild did not reach the end of the log within " + WAIT);
            }
            Thread.sleep(100);
        }
    }

    private static Map<TopicPartition, Long> endOffsets(String bootstrapServers) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> partitions = consumer.partitionsFor(Topics.JOB_EVENTS.name()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            return consumer.endOffsets(partitions);
        }
    }

    /**
     * The latest state per job in a changelog topic, as written (none if the topic does not exist):
     * only states that differ are decoded, to be compared.
     */
    private static Map<String, byte[]> readChangelog(String bootstrapServers, String topic) {
        Map<String, byte[]> states = new HashMap<>();
        readAll(bootstrapServers, topic, record -> {
            if (record.value() == null) {
                states.remove(record.key());
            } else {
                states.put(record.key(), record.value());
            }
        });
        return states;
    }

    /** The log records ({@link JobLifecycleProcessor#position}) that the live topology refused for reasons that depended on limits. */
    private static Set<String> refusedForLimits(String bootstrapServers) {
        Set<String> refused = new HashSet<>();
        readAll(bootstrapServers, Topics.JOB_EVENTS_REJECTED.name(), record -> {
            Header partition = record.headers().lastHeader(RejectedEvent.EVENT_PARTITION_HEADER);
            Header offset = record.headers().lastHeader(RejectedEvent.EVENT_OFFSET_HEADER);
            if (record.value() == null || partition == null || offset == null) {
                return;
            }
            try {
                RejectedEvent rejected = Topics.JOB_EVENTS_REJECTED.decode(record.value());
                if (RejectionReason.fromCode(rejected.reason()).filter(RejectionReason::dependsOnLimits).isPresent()) {
                    refused.add(JobLifecycleProcessor.position(Integer.parseInt(text(partition)), Long.parseLong(text(offset))));
                }
            } catch (SerializationException | NumberFormatException e) {
                // Not a rejection the topology wrote: nothing to repeat.
            }
        });
        return refused;
    }

    private static String text(Header header) {
        return new String(header.value(), StandardCharsets.UTF_8);
    }

    /** Every record of a topic, from its start to its end as it is now (none if the topic does not exist). */
    private static void readAll(String bootstrapServers, String topic, Consumer<ConsumerRecord<String, byte[]>> each) {
        try (KafkaConsumer<String, byte[]> consumer = consumer(bootstrapServers)) {
            List<TopicPartition> partitions = consumer.listTopics().containsKey(topic)
                    ? consumer.partitionsFor(topic).stream().map(p -> new TopicPartition(p.topic(), p.partition())).toList()
                    : List.of();
            if (partitions.isEmpty()) {
                return;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                consumer.poll(Duration.ofMillis(500)).forEach(each);
            }
        }
    }

    private static KafkaConsumer<String, byte[]> consumer(String bootstrapServers) {
        return new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false), new StringDeserializer(), new ByteArrayDeserializer());
    }
}
