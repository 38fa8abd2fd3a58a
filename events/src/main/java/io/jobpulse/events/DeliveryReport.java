package io.jobpulse.events;

import java.time.Instant;

/**
 * What became of a delivery, as written to {@code jobpulse.delivery-log} (key = endpoint id) when
 * it is first held, after each attempt, and when it ends; the deliveries an owner lists are these.
 *
 * @param status             {@code pending} (not yet tried, or waiting for an earlier delivery of its job),
 *                           {@code retrying}, {@code delivered} or {@code failed} (given up)
 * @param attempts           how many requests were made
 * @param responseStatus     the HTTP status of the last answer, or null when there was none
 * @param responseExcerpt    the start of the last answer's body, capped, or null
 * @param error              why the last attempt failed without an answer (timeout, refused address...), or null
 * @param nextAttemptAt      when it is tried next, or null
 * @param latencyMillis      for a delivered one, from the change to the successful answer
 * @param endpointDisabled   when this outcome disabled the endpoint, why; otherwise null
 * @param endpointVersion    the endpoint's version it was sent under (0 when it was not sent)
 */
public record DeliveryReport(Delivery delivery, String status, int attempts, Integer responseStatus, String responseExcerpt,
                             String error, Instant lastAttemptAt, Instant nextAttemptAt, Long latencyMillis,
                             String endpointDisabled, long endpointVersion, Instant at) {

    public static final String PENDING = "pending";
    public static final String RETRYING = "retrying";
    public static final String DELIVERED = "delivered";
    public static final String FAILED = "failed";
}
