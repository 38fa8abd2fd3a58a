package io.jobpulse.notifications;

import io.jobpulse.events.EndpointFilter;
import io.micronaut.core.annotation.Introspected;

import java.time.Instant;

/**
 * An endpoint as the API shows it: never its secrets, except {@code secret} in the answer that made it.
 *
 * @param status                  {@code active}, {@code paused}, or {@code disabled} (by Jobpulse, {@code disabledReason}
 *                                says why; resuming enables it again)
 * @param secret                  the new signing secret, only when it was just made
 * @param previousSecretExpiresAt after a rotation, until when the previous secret signs beside it
 */
@Introspected
public record EndpointView(String id, String owner, String url, String description, EndpointFilter filter, String status,
                           String disabledReason, long version, Instant createdAt, Instant updatedAt, String secret,
                           Instant previousSecretExpiresAt) {

    static EndpointView of(EndpointStore.Row row) {
        var endpoint = row.endpoint();
        return new EndpointView(endpoint.id(), endpoint.owner(), endpoint.url(), endpoint.description(), endpoint.filter(),
                row.disabledReason() != null ? "disabled" : endpoint.status(), row.disabledReason(), endpoint.version(),
                endpoint.createdAt(), endpoint.updatedAt(), null, null);
    }

    EndpointView withSecret(String secret, Instant previousExpiresAt) {
        return new EndpointView(id, owner, url, description, filter, status, disabledReason, version, createdAt, updatedAt, secret,
                previousExpiresAt);
    }
}
