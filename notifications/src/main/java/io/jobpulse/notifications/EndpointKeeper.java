package io.jobpulse.notifications;

import io.jobpulse.events.Endpoint;
import io.jobpulse.events.EndpointChange;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Keeps the global store of endpoints: each one as its latest change left it, deleted ones
 * included (so a delivery for one is ended, not held as for an endpoint not heard of yet). A change
 * older than the one kept (a lower version) is ignored.
 */
final class EndpointKeeper implements Processor<String, EndpointChange, Void, Void> {

    private KeyValueStore<String, Endpoint> endpoints;

    @Override
    public void init(ProcessorContext<Void, Void> context) {
        endpoints = context.getStateStore(DeliveryTopology.ENDPOINTS);
    }

    @Override
    public void process(Record<String, EndpointChange> record) {
        if (record.value() == null || record.value().endpoint() == null) {
            return;
        }
        Endpoint next = record.value().endpoint();
        Endpoint kept = endpoints.get(next.id());
        if (kept == null || kept.version() < next.version()) {
            endpoints.put(next.id(), next);
        }
    }
}
