package io.jobpulse.notifications;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.Topics;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.Stores;

import java.time.Clock;

/**
 * The deliveries, as one Kafka Streams topology:
 * <pre>
 *  jobpulse.endpoints --------------------------> global store "endpoints" (every endpoint, on every instance)
 *  jobpulse.job-status --> fan-out ------------> jobpulse.deliveries (key = endpoint id)
 *                                                       |
 *                          scheduler <------------------+   stores "deliveries", "endpoint-health"
 *                              | sends, asynchronously; retries on its schedule
 *                              v
 *                          jobpulse.delivery-log (what became of each)
 * </pre>
 * Keying the deliveries by endpoint puts each endpoint's deliveries, and its health, in one task.
 * The stores' changelogs hold what is waiting, so a restarted or rebalanced instance goes on where
 * the last owner stopped.
 */
public final class DeliveryTopology {

    static final String ENDPOINTS = "endpoints";
    static final String DELIVERIES = "deliveries";
    static final String HEALTH = "endpoint-health";

    private DeliveryTopology() {
    }

    /** @param outcomes told of each delivery's transitions, on the stream threads (the metrics) */
    public static Topology build(NotificationsConfiguration config, WebhookSender sender, Clock clock, DeliveryOutcomes outcomes) {
        Topology topology = new Topology();
        topology.addGlobalStore(
                Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(ENDPOINTS), Serdes.String(), JobJson.serde(io.jobpulse.events.Endpoint.class))
                        .withLoggingDisabled(),
                "endpoints-source", Topics.ENDPOINTS.keySerde().deserializer(), Topics.ENDPOINTS.valueSerde().deserializer(),
                Topics.ENDPOINTS.name(), "endpoints-keeper", EndpointKeeper::new);

        topology.addSource("job-status-source", Topics.JOB_STATUS.keySerde().deserializer(), Topics.JOB_STATUS.valueSerde().deserializer(),
                Topics.JOB_STATUS.name());
        topology.addProcessor("fan-out", FanOut::new, "job-status-source");
        topology.addSink("deliveries-sink", Topics.DELIVERIES.name(), Topics.DELIVERIES.keySerde().serializer(),
                Topics.DELIVERIES.valueSerde().serializer(), "fan-out");

        topology.addSource("deliveries-source", Topics.DELIVERIES.keySerde().deserializer(), Topics.DELIVERIES.valueSerde().deserializer(),
                Topics.DELIVERIES.name());
        topology.addProcessor("scheduler", () -> new DeliveryScheduler(config, sender, clock, outcomes), "deliveries-source");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(DELIVERIES), Serdes.String(),
                JobJson.serde(Waiting.class)).withCachingDisabled(), "scheduler");
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(HEALTH), Serdes.String(),
                JobJson.serde(EndpointHealth.class)).withCachingDisabled(), "scheduler");
        topology.addSink("delivery-log-sink", Topics.DELIVERY_LOG.name(), Topics.DELIVERY_LOG.keySerde().serializer(),
                Topics.DELIVERY_LOG.valueSerde().serializer(), "scheduler");
        return topology;
    }
}
