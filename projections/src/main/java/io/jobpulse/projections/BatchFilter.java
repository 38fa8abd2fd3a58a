package io.jobpulse.projections;

import java.time.Instant;
import java.util.List;

/**
 * What a batch list is narrowed to, beyond its owner. Every part is optional; they combine with AND.
 * A batch is created when it is opened: {@code createdAfter} and {@code createdBefore} compare its
 * {@code openedAt}.
 *
 * @param statuses      any of these statuses (wire names); empty for all
 * @param tag           batches carrying this tag
 * @param createdAfter  opened strictly after
 * @param createdBefore opened strictly before
 */
public record BatchFilter(List<String> statuses, String tag, Instant createdAfter, Instant createdBefore) {

    public static final BatchFilter NONE = new BatchFilter(List.of(), null, null, null);

    public BatchFilter {
        statuses = statuses == null ? List.of() : List.copyOf(statuses);
    }

    /** The SQL condition for an owner's batches under this filter; every shape is served by an index of {@code V8__batches.sql}. */
    public Condition where(String owner) {
        return Condition.owner(owner).anyOf("status", statuses).containing("tags", tag)
                .compared("opened_at", ">", createdAfter).compared("opened_at", "<", createdBefore);
    }
}
