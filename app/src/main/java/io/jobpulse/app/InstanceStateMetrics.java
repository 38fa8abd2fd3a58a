package io.jobpulse.app;

import io.jobpulse.events.Roles;
import io.jobpulse.notifications.NotificationsRuntime;
import io.jobpulse.topology.TopologyRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.annotation.Nullable;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.ThreadMetadata;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyDescription;
import org.apache.kafka.streams.processor.StateRestoreListener;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;

/**
 * What this instance is, as gauges on {@code /prometheus}, where {@code jobpulse status} reads them from each
 * instance it finds: {@code jobpulse_instance_roles{roles, instance_id}} (always 1), and for each Kafka Streams
 * application it runs (the topology, the notifications' deliveries) its state
 * ({@code jobpulse_streams_state{application, state}}, 1 for the current one), its active and standby tasks
 * ({@code jobpulse_streams_tasks{application, kind}}), and per store the partitions being restored and how far
 * ({@code jobpulse_streams_store_restoring_partitions}, {@code _restore_remaining} and {@code _restore_size}
 * records, 0 once restored). Restoration is told by Streams' restore listener, which is set here before the
 * application starts.
 */
@Context
public class InstanceStateMetrics {

    private final MeterRegistry metrics;

    public InstanceStateMetrics(MeterRegistry metrics, Optional<TopologyRuntime> topology, Optional<NotificationsRuntime> notifications,
                                @Property(name = Roles.PROPERTY) String roles,
                                @Property(name = "jobpulse.consumers.instance-id") @Nullable String instanceId) {
        this.metrics = metrics;
        String normalised = String.join(",", new TreeSet<>(Set.of(roles.replace(" ", "").split(","))));
        Gauge.builder("jobpulse.instance.roles", () -> 1)
                .tags(Tags.of("roles", normalised, "instance_id", instanceId == null ? "" : instanceId.strip()))
                .description("this instance's roles and instance id").register(metrics);
        topology.ifPresent(runtime -> watch(runtime.applicationId(), runtime.streams(), runtime.topology()));
        notifications.ifPresent(runtime -> watch(runtime.applicationId(), runtime.streams(), runtime.topology()));
    }

    private void watch(String application, KafkaStreams streams, Topology topology) {
        for (KafkaStreams.State state : KafkaStreams.State.values()) {
            Gauge.builder("jobpulse.streams.state", () -> streams.state() == state ? 1 : 0)
                    .tags(Tags.of("application", application, "state", state.name().toLowerCase(Locale.ROOT)))
                    .description("1 for the Kafka Streams application's current state on this instance").register(metrics);
        }
        tasks(application, streams, "active", thread -> thread.activeTasks().size());
        tasks(application, streams, "standby", thread -> thread.standbyTasks().size());
        Restoration restoration = new Restoration();
        for (String store : stores(topology)) {
            Tags tags = Tags.of("application", application, "store", store);
            Gauge.builder("jobpulse.streams.store.restoring.partitions", () -> restoration.partitions(store))
                    .tags(tags).description("partitions of the store being restored from its changelog").register(metrics);
            Gauge.builder("jobpulse.streams.store.restore.remaining", () -> restoration.remaining(store))
                    .tags(tags).description("records of the store's changelog still to restore").register(metrics);
            Gauge.builder("jobpulse.streams.store.restore.size", () -> restoration.size(store))
                    .tags(tags).description("records of the store's changelog being restored, in all").register(metrics);
        }
        streams.setGlobalStateRestoreListener(restoration);
    }

    private void tasks(String application, KafkaStreams streams, String kind, ToIntFunction<ThreadMetadata> count) {
        Gauge.builder("jobpulse.streams.tasks", () -> streams.metadataForLocalThreads().stream().mapToInt(count).sum())
                .tags(Tags.of("application", application, "kind", kind))
                .description("Kafka Streams tasks this instance holds").register(metrics);
    }

    private static Set<String> stores(Topology topology) {
        Set<String> stores = new TreeSet<>();
        TopologyDescription description = topology.describe();
        description.subtopologies().forEach(sub -> sub.nodes().forEach(node -> {
            if (node instanceof TopologyDescription.Processor processor) {
                stores.addAll(processor.stores());
            }
        }));
        description.globalStores().forEach(global -> stores.addAll(global.processor().stores()));
        return stores;
    }

    /** The partitions being restored now, per store: what each has left and had in all. */
    private static final class Restoration implements StateRestoreListener {

        private record Progress(long remaining, long size) {
        }

        private final Map<String, Map<TopicPartition, Progress>> byStore = new ConcurrentHashMap<>();

        @Override
        public void onRestoreStart(TopicPartition partition, String store, long startingOffset, long endingOffset) {
            long size = Math.max(0, endingOffset - startingOffset);
            byStore.computeIfAbsent(store, s -> new ConcurrentHashMap<>()).put(partition, new Progress(size, size));
        }

        @Override
        public void onBatchRestored(TopicPartition partition, String store, long batchEndOffset, long restored) {
            byStore.getOrDefault(store, Map.of()).computeIfPresent(partition,
                    (p, progress) -> new Progress(Math.max(0, progress.remaining() - restored), progress.size()));
        }

        @Override
        public void onRestoreEnd(TopicPartition partition, String store, long totalRestored) {
            byStore.getOrDefault(store, Map.of()).remove(partition);
        }

        @Override
        public void onRestoreSuspended(TopicPartition partition, String store, long totalRestored) {
            byStore.getOrDefault(store, Map.of()).remove(partition);
        }

        int partitions(String store) {
            return byStore.getOrDefault(store, Map.of()).size();
        }

        long remaining(String store) {
            return byStore.getOrDefault(store, Map.of()).values().stream().mapToLong(Progress::remaining).sum();
        }

        long size(String store) {
            return byStore.getOrDefault(store, Map.of()).values().stream().mapToLong(Progress::size).sum();
        }
    }
}
