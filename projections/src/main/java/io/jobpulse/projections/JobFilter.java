package io.jobpulse.projections;

import java.time.Instant;
import java.util.List;

/**
 * What a job list is narrowed to, beyond its owner. Every part is optional; they combine with AND.
 *
 * @param statuses      any of these statuses (wire names); empty for all
 * @param types         any of these job types; empty for all
 * @param tag           jobs carrying this tag
 * @param createdAfter  created strictly after
 * @param createdBefore created strictly before
 * @param updatedSince  changed at or after
 * @param batchId       only the jobs of this batch ({@code GET /v1/batches/{id}/jobs})
 */
public record JobFilter(List<String> statuses, List<String> types, String tag, Instant createdAfter, Instant createdBefore,
                        Instant updatedSince, String batchId) {

    public static final JobFilter NONE = new JobFilter(List.of(), List.of(), null, null, null, null);

    public JobFilter {
        statuses = statuses == null ? List.of() : List.copyOf(statuses);
        types = types == null ? List.of() : List.copyOf(types);
    }

    /** A filter over jobs of any batch or none. */
    public JobFilter(List<String> statuses, List<String> types, String tag, Instant createdAfter, Instant createdBefore,
                     Instant updatedSince) {
        this(statuses, types, tag, createdAfter, createdBefore, updatedSince, null);
    }

    /** The same filter over the jobs of one batch only. */
    public JobFilter inBatch(String batch) {
        return new JobFilter(statuses, types, tag, createdAfter, createdBefore, updatedSince, batch);
    }

    /**
     * The SQL condition for an owner's jobs under this filter, with its parameters in order.
     * Only the parts given appear, so every shape of the query is one the indexes of
     * {@code V2__filters_history_events.sql} (and for a batch's jobs {@code V8__batches.sql}) serve.
     */
    public Condition where(String owner) {
        Condition where = Condition.owner(owner).anyOf("status", statuses).anyOf("type", types).containing("tags", tag)
                .compared("created_at", ">", createdAfter).compared("created_at", "<", createdBefore)
                .compared("updated_at", ">=", updatedSince);
        return batchId == null ? where : where.and("batch_id = ?", batchId);
    }
}
