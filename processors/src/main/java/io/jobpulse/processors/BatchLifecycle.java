package io.jobpulse.processors;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchCounts;
import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchMember;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.BatchStatus;
import io.jobpulse.events.JobStatus;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The batch fold: {@code evolve(state, event, members)} folds one event into a batch's aggregate.
 *
 * <p>A batch's inputs come from two topics with no order between them (its own events, and its
 * jobs' changes re-keyed from their partitions), and may be delivered again, so every rule is
 * idempotent and commutes with every other: whatever the order and the duplicates, the same events
 * leave the same aggregate. Only {@code version} and {@code updatedAt} depend on the order, since
 * they count and stamp the visible changes on the way. Rules:
 * <ul>
 *   <li>a member job's change is applied only if its version is higher than the one held for the
 *       job (a redelivered or overtaken change is skipped); a job is a member from its first change
 *       or from the {@code batch.jobs-added} naming it, whichever comes first;</li>
 *   <li>a job added and not yet seen counts as queued with progress 0;</li>
 *   <li>{@code firstStartedAt} and {@code lastFinishedAt} are the earliest start and latest end
 *       carried by any change of any member, skipped changes included (they are facts of the past,
 *       so taking them from every change keeps them independent of order);</li>
 *   <li>opening, closing and canceling keep the earliest (ties: the smaller reason); a batch's
 *       opening should be written once, since two different openings at the same instant are the one
 *       case where the order decides;</li>
 *   <li>the status is derived ({@link #status}); the fold refuses nothing: whether a batch may be
 *       closed or canceled, or take more jobs, is for the writer of its events to decide;</li>
 *   <li>the version steps by one for each event that changes what a reader sees; one that changes
 *       nothing visible (a duplicate, an overtaken change, a change of a job's message) makes no
 *       change; nothing is visible before {@code batch.opened} (the state is kept at version 0).</li>
 * </ul>
 * It is pure: its clock is the events' {@code receivedAt}, and the members come from the caller.
 */
public final class BatchLifecycle {

    private BatchLifecycle() {
    }

    /**
     * What one event made of a batch.
     *
     * @param state   the state to keep (the previous one if nothing changed)
     * @param members the member jobs to keep, by job id: those added or changed by the event
     * @param change  the visible change to write, or null for none
     */
    public record Step(BatchState state, Map<String, BatchMember> members, BatchChange change) {
    }

    /**
     * @param held    the batch's state, or null if nothing is known of it yet
     * @param members the member job held for a job id, or null if the job is not (yet) a member
     */
    public static Step evolve(BatchState held, BatchEvent event, Function<String, BatchMember> members) {
        BatchState before = held == null ? BatchState.unknown(event.batchId()) : held;
        Draft next = new Draft(before);
        Map<String, BatchMember> changed = new LinkedHashMap<>();
        Function<String, BatchMember> current = job -> changed.containsKey(job) ? changed.get(job) : members.apply(job);
        switch (event) {
            case BatchEvent.Opened opened -> {
                if (before.openedAt() == null || opened.receivedAt().isBefore(before.openedAt())) {
                    next.owner = opened.owner();
                    next.tags = opened.tags();
                    next.metadata = opened.metadata();
                    next.openedAt = opened.receivedAt();
                }
            }
            case BatchEvent.JobsAdded added -> added.jobIds().forEach(job -> {
                if (current.apply(job) == null) {
                    changed.put(job, BatchMember.ADDED);
                    next.replace(null, BatchMember.ADDED);
                }
            });
            case BatchEvent.Closed closed -> next.closedAt = earliest(next.closedAt, closed.receivedAt());
            case BatchEvent.Canceled canceled -> {
                if (next.canceledAt == null || before(canceled, next.canceledAt, next.cancelReason)) {
                    next.canceledAt = canceled.receivedAt();
                    next.cancelReason = canceled.reason();
                }
            }
            case BatchEvent.JobChanged job -> {
                next.firstStartedAt = earliest(next.firstStartedAt, job.startedAt());
                next.lastFinishedAt = latest(next.lastFinishedAt, job.finishedAt());
                BatchMember was = current.apply(job.jobId());
                if (was == null || job.version() > was.version()) {
                    BatchMember now = new BatchMember(job.version(), job.status(), job.progress());
                    changed.put(job.jobId(), now);
                    next.replace(was, now);
                }
            }
        }
        return step(before, next.toState(before.version(), before.updatedAt()), changed, event);
    }

    private static Step step(BatchState before, BatchState candidate, Map<String, BatchMember> members, BatchEvent cause) {
        if (candidate.equals(before) || candidate.openedAt() == null) {
            return new Step(candidate, members, null);
        }
        BatchState after = new BatchState(candidate.id(), candidate.owner(), candidate.tags(), candidate.metadata(),
                candidate.status(), candidate.counts(), candidate.total(), candidate.done(), candidate.progress(),
                candidate.progressUnits(), candidate.openedAt(), candidate.closedAt(), candidate.canceledAt(),
                candidate.cancelReason(), candidate.firstStartedAt(), candidate.lastFinishedAt(), before.version() + 1,
                cause.receivedAt());
        BatchChange change = new BatchChange(after.id(), after.version(), before.version() == 0 ? null : before.status(),
                after.status(), after, cause.eventId(), cause.wireName(), cause.receivedAt());
        return new Step(after, members, change);
    }

    /**
     * The batch's status: finished once it is closed or canceled and every job has ended (canceled
     * if it was canceled, else succeeded, failed or partial by how many succeeded); otherwise
     * running while some job has started (is running or has ended) and some has not ended, and
     * open while nothing is under way.
     */
    static BatchStatus status(BatchCounts counts, boolean closed, boolean canceled) {
        int total = counts.total();
        if ((closed || canceled) && counts.done() == total) {
            if (canceled) {
                return BatchStatus.CANCELED;
            }
            return counts.succeeded() == total ? BatchStatus.SUCCEEDED
                    : counts.succeeded() == 0 ? BatchStatus.FAILED : BatchStatus.PARTIAL;
        }
        boolean started = counts.running() > 0 || counts.done() > 0;
        return started && counts.done() < total ? BatchStatus.RUNNING : BatchStatus.OPEN;
    }

    /** Whether a cancel comes before the one held: by time, then by reason (none first), so the same one is kept in any order. */
    private static boolean before(BatchEvent.Canceled canceled, Instant heldAt, String heldReason) {
        int byTime = canceled.receivedAt().compareTo(heldAt);
        return byTime != 0 ? byTime < 0
                : Objects.compare(canceled.reason(), heldReason, Comparator.nullsFirst(Comparator.<String>naturalOrder())) < 0;
    }

    private static Instant earliest(Instant held, Instant seen) {
        if (seen == null) {
            return held;
        }
        return held == null || seen.isBefore(held) ? seen : held;
    }

    private static Instant latest(Instant held, Instant seen) {
        if (seen == null) {
            return held;
        }
        return held == null || seen.isAfter(held) ? seen : held;
    }

    /** A batch being changed by one event: the previous state's fields, overwritten by the rule. */
    private static final class Draft {
        private final String id;
        private String owner;
        private List<String> tags;
        private Map<String, JsonNode> metadata;
        private BatchCounts counts;
        private long progressUnits;
        private Instant openedAt;
        private Instant closedAt;
        private Instant canceledAt;
        private String cancelReason;
        private Instant firstStartedAt;
        private Instant lastFinishedAt;

        Draft(BatchState state) {
            id = state.id();
            owner = state.owner();
            tags = state.tags();
            metadata = state.metadata();
            counts = state.counts();
            progressUnits = state.progressUnits();
            openedAt = state.openedAt();
            closedAt = state.closedAt();
            canceledAt = state.canceledAt();
            cancelReason = state.cancelReason();
            firstStartedAt = state.firstStartedAt();
            lastFinishedAt = state.lastFinishedAt();
        }

        /** Counts a member's new latest change instead of its previous one (none for a new member). */
        void replace(BatchMember was, BatchMember now) {
            if (was != null) {
                counts = counts.plus(was.status(), -1);
                progressUnits -= was.progressUnits();
            }
            counts = counts.plus(now.status(), 1);
            progressUnits += now.progressUnits();
        }

        BatchState toState(long version, Instant updatedAt) {
            BatchStatus status = status(counts, closedAt != null, canceledAt != null);
            int total = counts.total();
            double progress = total == 0 ? (status.isFinished() ? 1.0 : 0.0)
                    : (double) progressUnits / ((double) total * BatchMember.UNITS);
            return new BatchState(id, owner, tags, metadata, status, counts, total, counts.done(), progress, progressUnits,
                    openedAt, closedAt, canceledAt, cancelReason, firstStartedAt, lastFinishedAt, version, updatedAt);
        }
    }
}
