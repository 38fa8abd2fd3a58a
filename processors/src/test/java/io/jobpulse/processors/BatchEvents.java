package io.jobpulse.processors;

import com.fasterxml.jackson.databind.node.TextNode;
import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchMember;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobStatus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.jobpulse.processors.JobEvents.at;

/** Builders of one batch's events, at {@link JobEvents#T0} plus whole seconds, and the fold of a list of them. */
public final class BatchEvents {

    private static final EventSource ALICE = EventSource.user("alice");

    private final String batchId;

    public BatchEvents(String batchId) {
        this.batchId = batchId;
    }

    public BatchEvent.Opened opened() {
        return new BatchEvent.Opened(batchId + "/opened", batchId, at(0), ALICE, "alice", List.of("demo"),
                Map.of("campaign", TextNode.valueOf("autumn")));
    }

    public BatchEvent.JobsAdded added(int second, String... jobs) {
        return new BatchEvent.JobsAdded(batchId + "/added/" + String.join(",", jobs), batchId, at(second), ALICE, List.of(jobs));
    }

    public BatchEvent.Closed closed(int second) {
        return new BatchEvent.Closed(batchId + "/closed/" + second, batchId, at(second), ALICE);
    }

    public BatchEvent.Canceled canceled(int second, String reason) {
        return new BatchEvent.Canceled(batchId + "/canceled/" + second, batchId, at(second), ALICE, reason);
    }

    /** A job's change at second {@code version * 10}; a running or ended job started at second 5, an ended one ended then. */
    public BatchEvent.JobChanged job(String jobId, long version, JobStatus status, double progress) {
        Instant now = at((int) version * 10);
        return new BatchEvent.JobChanged(jobId + "/" + version, batchId, now, jobId, version, status, progress,
                status == JobStatus.QUEUED ? null : at(5), status.isTerminal() ? now : null);
    }

    /**
     * A batch folded from nothing, in the given order.
     *
     * @param state   the final state
     * @param members the final members, by job id
     * @param changes the visible changes, in order
     */
    public record Folded(BatchState state, Map<String, BatchMember> members, List<BatchChange> changes) {
    }

    public static Folded fold(List<? extends BatchEvent> events) {
        BatchState state = null;
        Map<String, BatchMember> members = new HashMap<>();
        List<BatchChange> changes = new ArrayList<>();
        for (BatchEvent event : events) {
            BatchLifecycle.Step step = BatchLifecycle.evolve(state, event, members::get);
            state = step.state();
            members.putAll(step.members());
            if (step.change() != null) {
                changes.add(step.change());
            }
        }
        return new Folded(state, members, changes);
    }

    /** The state without what depends on the order it was built in: its version and the time of its latest change. */
    public static BatchState content(BatchState state) {
        return state == null ? null : new BatchState(state.id(), state.owner(), state.tags(), state.metadata(), state.status(),
                state.counts(), state.total(), state.done(), state.progress(), state.progressUnits(), state.openedAt(),
                state.closedAt(), state.canceledAt(), state.cancelReason(), state.firstStartedAt(), state.lastFinishedAt(),
                0, null);
    }
}
