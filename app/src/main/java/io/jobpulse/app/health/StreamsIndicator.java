package io.jobpulse.app.health;

import io.jobpulse.notifications.NotificationsRuntime;
import io.jobpulse.topology.TopologyRuntime;
import io.micronaut.context.event.BeanCreatedEvent;
import io.micronaut.context.event.BeanCreatedEventListener;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import org.apache.kafka.streams.KafkaStreams;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Function;

/**
 * Readiness: the state of each Kafka Streams client the instance runs (the topology's, the notifications'), and
 * while one restores its stores, how far ({@link RestoreProgress}). Running, rebalancing and starting are UP: reads of
 * partitions that move answer 503 or go to a standby by themselves, and taking every instance out of the balancer
 * during a group-wide rebalance would refuse everything else too. A client that is shutting down, stopped or
 * failed is DOWN. The restore listeners are set as the runtimes are created, before they start.
 */
@Singleton
public class StreamsIndicator extends DeadlineIndicator {

    private static final Set<KafkaStreams.State> DOWN = EnumSet.of(KafkaStreams.State.PENDING_SHUTDOWN,
            KafkaStreams.State.NOT_RUNNING, KafkaStreams.State.PENDING_ERROR, KafkaStreams.State.ERROR);

    private record Client(KafkaStreams streams, RestoreProgress restores) {
    }

    private final Map<String, Client> clients = new ConcurrentSkipListMap<>();

    public StreamsIndicator(HealthConfiguration config) {
        super("streams", config);
    }

    void watch(String name, KafkaStreams streams) {
        RestoreProgress restores = new RestoreProgress();
        streams.setGlobalStateRestoreListener(restores);
        clients.put(name, new Client(streams, restores));
    }

    @Override
    protected HealthResult check() {
        Map<String, Object> details = new LinkedHashMap<>();
        boolean up = true;
        for (Map.Entry<String, Client> entry : clients.entrySet()) {
            KafkaStreams.State state = entry.getValue().streams().state();
            up &= !DOWN.contains(state);
            Map<String, Object> client = new LinkedHashMap<>();
            client.put("state", state.name());
            Map<String, Map<String, Long>> restoring = entry.getValue().restores().stores();
            if (!restoring.isEmpty()) {
                client.put("restoring", restoring);
            }
            details.put(entry.getKey(), client);
        }
        return up ? up(details) : down(details);
    }

    /** Watches a runtime's Streams client from the runtime's creation, before it starts. */
    private abstract static class Watch<T> implements BeanCreatedEventListener<T> {

        private final StreamsIndicator indicator;
        private final String name;
        private final Function<T, KafkaStreams> streams;

        Watch(StreamsIndicator indicator, String name, Function<T, KafkaStreams> streams) {
            this.indicator = indicator;
            this.name = name;
            this.streams = streams;
        }

        @Override
        public T onCreated(BeanCreatedEvent<T> event) {
            indicator.watch(name, streams.apply(event.getBean()));
            return event.getBean();
        }
    }

    @Singleton
    static class Topology extends Watch<TopologyRuntime> {
        Topology(StreamsIndicator indicator) {
            super(indicator, "topology", TopologyRuntime::streams);
        }
    }

    @Singleton
    static class Notifications extends Watch<NotificationsRuntime> {
        Notifications(StreamsIndicator indicator) {
            super(indicator, "notifications", NotificationsRuntime::streams);
        }
    }
}
