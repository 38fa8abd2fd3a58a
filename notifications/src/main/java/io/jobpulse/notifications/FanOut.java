package io.jobpulse.notifications;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jobpulse.events.Delivery;
import io.jobpulse.events.DeliveryTypes;
import io.jobpulse.events.Endpoint;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.StatusChange;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns each job change into one delivery per endpoint that is told of it: an endpoint that is not
 * deleted, serves the job's owner, was registered before the change, and whose filter matches.
 * The delivery's id is derived from the endpoint, the job and the version, so the same change
 * read twice (after a restart) makes the same delivery, which the scheduler keeps once.
 */
final class FanOut implements Processor<String, StatusChange, String, Delivery> {

    private ProcessorContext<String, Delivery> context;
    private KeyValueStore<String, Endpoint> endpoints;

    @Override
    public void init(ProcessorContext<String, Delivery> context) {
        this.context = context;
        this.endpoints = context.getStateStore(DeliveryTopology.ENDPOINTS);
    }

    @Override
    public void process(Record<String, StatusChange> record) {
        StatusChange change = record.value();
        if (change == null || change.job() == null) {
            return;
        }
        String payload = null;
        try (KeyValueIterator<String, Endpoint> all = endpoints.all()) {
            while (all.hasNext()) {
                KeyValue<String, Endpoint> next = all.next();
                Endpoint endpoint = next.value;
                if (Endpoint.DELETED.equals(endpoint.status()) || !endpoint.servesOwner(change.job().owner())
                        || change.at().isBefore(endpoint.createdAt()) || !endpoint.filter().matches(change)) {
                    continue;
                }
                payload = payload != null ? payload : payload(change);
                Delivery delivery = new Delivery(id(endpoint.id(), change.jobId(), change.version()), endpoint.id(), change.jobId(),
                        change.version(), DeliveryTypes.of(change), payload, change.at(), false);
                context.forward(new Record<>(endpoint.id(), delivery, record.timestamp()));
            }
        }
    }

    /**
     * The body: {@code {"type", "timestamp", "data"}}, the data being the job update a stream
     * subscriber receives for the same change.
     */
    static String payload(StatusChange change) {
        ObjectNode data = JobJson.mapper().createObjectNode();
        data.put("jobId", change.jobId());
        data.put("version", change.version());
        data.set("status", JobJson.mapper().valueToTree(change.status()));
        if (change.previousStatus() != null) {
            data.set("previousStatus", JobJson.mapper().valueToTree(change.previousStatus()));
        }
        data.put("cause", change.causeEventType());
        data.set("changed", JobJson.mapper().valueToTree(change.changed()));
        data.set("job", JobJson.mapper().valueToTree(change.job()));
        return body(DeliveryTypes.of(change), change.at(), data);
    }

    static String body(String type, java.time.Instant at, ObjectNode data) {
        ObjectNode body = JobJson.mapper().createObjectNode();
        body.put("type", type);
        body.put("timestamp", at.toString());
        body.set("data", data);
        return new String(JobJson.write(body), StandardCharsets.UTF_8);
    }

    /** {@code msg_} and 32 hex digits of a hash of what the delivery tells of whom. */
    static String id(String endpointId, String jobId, long version) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest((endpointId + "/" + jobId + "/" + version).getBytes(StandardCharsets.UTF_8));
            return "msg_" + HexFormat.of().formatHex(hash, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
