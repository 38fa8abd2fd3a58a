package io.jobpulse.events;

import java.time.Instant;

/**
 * One change of an endpoint's configuration, as written to {@code jobpulse.endpoints} (key =
 * endpoint id), carrying the endpoint as it stands after it.
 *
 * @param change   what happened: {@code endpoint.created}, {@code endpoint.updated}, {@code endpoint.secret-rotated},
 *                 {@code endpoint.paused}, {@code endpoint.resumed} or {@code endpoint.deleted}
 * @param by       who changed it
 */
public record EndpointChange(String change, EventSource by, Endpoint endpoint, Instant at) {
}
