package io.jobpulse.events;

import java.time.Instant;

/**
 * A webhook to send to one endpoint, as written to {@code jobpulse.deliveries} (key = endpoint
 * id): one per job change that matches the endpoint, one per test, and one again for each retry
 * its owner asks for.
 *
 * @param id        the {@code webhook-id}: the same for every attempt, and for the same change written twice
 * @param jobId     the job, or null for a ping
 * @param version   the job's version the delivery tells of; 0 for a ping
 * @param type      {@link DeliveryTypes the delivery type}
 * @param payload   the JSON body, sent and signed exactly as it is; in a {@link DeliveryReport} after the first, null
 * @param createdAt when the change (or the test) happened
 * @param retry     true when its owner asked for it again: sent at once, whatever became of it
 */
public record Delivery(String id, String endpointId, String jobId, long version, String type, String payload,
                       Instant createdAt, boolean retry) {

    /** The order key of the deliveries that go out one after the other: one endpoint's deliveries of one job. */
    public String sequence() {
        return endpointId + "/" + (jobId == null ? "~ping" : jobId);
    }

    /** The same delivery without its body, for the reports after the first. */
    public Delivery withoutPayload() {
        return new Delivery(id, endpointId, jobId, version, type, null, createdAt, retry);
    }
}
