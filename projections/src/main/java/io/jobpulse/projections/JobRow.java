package io.jobpulse.projections;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** A row of the {@code jobs} table, as the list queries read it; {@code snapshot} is the full state as JSON. */
@MappedEntity("jobs")
public record JobRow(@Id String id, String owner, String type, String status, long version, Instant createdAt,
                     String snapshot) {
}
