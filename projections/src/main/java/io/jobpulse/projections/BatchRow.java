package io.jobpulse.projections;

import io.micronaut.data.annotation.Id;
import io.micronaut.data.annotation.MappedEntity;

import java.time.Instant;

/** A row of the {@code batches} table, as the list reads it; {@code snapshot} is the whole {@code BatchState} as JSON. */
@MappedEntity("batches")
public record BatchRow(@Id String id, String owner, String status, long version, Instant openedAt, String snapshot) {
}
