package io.jobpulse.notifications;

import io.jobpulse.events.EndpointFilter;
import io.micronaut.core.annotation.Introspected;
import io.micronaut.core.annotation.Nullable;

/**
 * The body of {@code POST /v1/endpoints} and {@code PATCH /v1/endpoints/{id}} (where a field left
 * out stays as it is).
 *
 * @param owner for a credential bound to no owner, whose jobs; an administrator leaves it out for every owner's
 */
@Introspected
public record EndpointRequest(@Nullable String url, @Nullable String description, @Nullable EndpointFilter filter, @Nullable String owner) {
}
