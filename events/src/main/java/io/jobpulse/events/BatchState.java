package io.jobpulse.events;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The live aggregate of one batch: the fold of its events and of its jobs' changes (the
 * topology's {@code batch-state} store; the member jobs themselves are in {@code batch-members}).
 * {@code version} steps by one for every change a reader can see; version 0 is a batch whose
 * {@code batch.opened} has not arrived yet (its jobs' changes may come first), which is never
 * written out.
 *
 * @param counts         jobs by status
 * @param total          jobs in the batch
 * @param done           jobs that have ended (succeeded, failed, canceled or expired)
 * @param progress       the mean of the jobs' progress, ended jobs counting as 1; 0 with no jobs (1 once finished)
 * @param progressUnits  the sum of the jobs' progress in millionths ({@link BatchMember#UNITS}), which {@code progress} is
 *                       derived from: kept whole so that the sum is exact in any order
 * @param openedAt       when the batch was opened, or null before {@code batch.opened} arrived
 * @param closedAt       when it was closed (the earliest close), or null
 * @param canceledAt     when it was canceled (the earliest cancel), or null
 * @param cancelReason   that cancel's reason, or null
 * @param firstStartedAt the earliest start of any attempt of any of its jobs, or null
 * @param lastFinishedAt the latest end of any attempt of any of its jobs, or null
 * @param updatedAt      when the latest visible change was applied
 */
public record BatchState(String id, String owner, List<String> tags, Map<String, JsonNode> metadata, BatchStatus status,
                         BatchCounts counts, int total, int done, double progress, long progressUnits,
                         Instant openedAt, Instant closedAt, Instant canceledAt, String cancelReason,
                         Instant firstStartedAt, Instant lastFinishedAt, long version, Instant updatedAt) {

    public BatchState {
        tags = tags == null ? List.of() : List.copyOf(tags);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        counts = counts == null ? BatchCounts.NONE : counts;
    }

    /** A batch nothing is known of yet. */
    public static BatchState unknown(String id) {
        return new BatchState(id, null, List.of(), Map.of(), BatchStatus.OPEN, BatchCounts.NONE, 0, 0, 0.0, 0,
                null, null, null, null, null, null, 0, null);
    }
}
