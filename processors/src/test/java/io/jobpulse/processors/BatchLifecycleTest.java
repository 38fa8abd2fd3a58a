package io.jobpulse.processors;

import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchCounts;
import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchStatus;
import io.jobpulse.events.JobStatus;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.jobpulse.events.JobStatus.CANCELED;
import static io.jobpulse.events.JobStatus.FAILED;
import static io.jobpulse.events.JobStatus.QUEUED;
import static io.jobpulse.events.JobStatus.RUNNING;
import static io.jobpulse.events.JobStatus.SUCCEEDED;
import static io.jobpulse.processors.JobEvents.at;
import static org.assertj.core.api.Assertions.assertThat;

/** Scenarios of the batch fold: given these events, then this aggregate and these changes. */
class BatchLifecycleTest {

    private final BatchEvents batch = new BatchEvents("b1");

    private BatchEvents.Folded fold(BatchEvent... events) {
        return BatchEvents.fold(List.of(events));
    }

    private static List<Long> versions(BatchEvents.Folded folded) {
        return folded.changes().stream().map(BatchChange::version).toList();
    }

    @Test
    void anOpenedBatchWithAddedJobsCountsThemQueued() {
        var folded = fold(batch.opened(), batch.added(1, "j1", "j2", "j3"));

        assertThat(folded.state().status()).isEqualTo(BatchStatus.OPEN);
        assertThat(folded.state().counts()).isEqualTo(new BatchCounts(3, 0, 0, 0, 0, 0));
        assertThat(folded.state().total()).isEqualTo(3);
        assertThat(folded.state().owner()).isEqualTo("alice");
        assertThat(versions(folded)).containsExactly(1L, 2L);
        assertThat(folded.changes().getFirst().previousStatus()).isNull();
    }

    @Test
    void sevenOfTenDoneTwoRunningOneFailedIsSeventyThreePercent() {
        List<BatchEvent> events = new ArrayList<>(List.of(batch.opened()));
        for (int i = 0; i < 10; i++) {
            events.add(batch.job("j" + i, 1, QUEUED, 0));
        }
        for (int i = 0; i < 6; i++) {
            events.add(batch.job("j" + i, 3, SUCCEEDED, 1));
        }
        events.add(batch.job("j6", 3, FAILED, 0.2));
        events.add(batch.job("j7", 2, RUNNING, 0.2));
        events.add(batch.job("j8", 2, RUNNING, 0.1));

        var state = BatchEvents.fold(events).state();

        assertThat(state.counts()).isEqualTo(new BatchCounts(1, 2, 6, 1, 0, 0));
        assertThat(state.done()).isEqualTo(7);
        assertThat(state.total()).isEqualTo(10);
        assertThat(state.progress()).isCloseTo(0.73, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(state.status()).isEqualTo(BatchStatus.RUNNING);
        assertThat(state.firstStartedAt()).isEqualTo(at(5));
        assertThat(state.lastFinishedAt()).isEqualTo(at(30));
    }

    @Test
    void anOvertakenOrRepeatedJobChangeChangesNothing() {
        var folded = fold(batch.opened(), batch.job("j1", 3, RUNNING, 0.6), batch.job("j1", 2, RUNNING, 0.3),
                batch.job("j1", 3, RUNNING, 0.6));

        assertThat(folded.members().get("j1").version()).isEqualTo(3);
        assertThat(folded.state().progress()).isEqualTo(0.6);
        assertThat(versions(folded)).containsExactly(1L, 2L);
    }

    @Test
    void aJobChangeBeforeTheOpeningIsKeptAndShownWithIt() {
        var folded = fold(batch.job("j1", 2, RUNNING, 0.5), batch.opened());

        assertThat(folded.changes()).hasSize(1);
        assertThat(folded.changes().getFirst().batch().counts().running()).isEqualTo(1);
        assertThat(folded.state().version()).isEqualTo(1);
    }

    @Test
    void aJobSeenBeforeItsAddingIsCountedOnce() {
        var folded = fold(batch.opened(), batch.job("j1", 2, RUNNING, 0.5), batch.added(1, "j1", "j2"));

        assertThat(folded.state().total()).isEqualTo(2);
        assertThat(folded.state().counts()).isEqualTo(new BatchCounts(1, 1, 0, 0, 0, 0));
    }

    @Test
    void aBatchWhoseJobsAllEndedStaysOpenUntilClosed() {
        var ended = fold(batch.opened(), batch.job("j1", 3, SUCCEEDED, 1), batch.job("j2", 3, SUCCEEDED, 1));
        assertThat(ended.state().status()).isEqualTo(BatchStatus.OPEN);

        var closedAfter = fold(batch.opened(), batch.job("j1", 3, SUCCEEDED, 1), batch.job("j2", 3, SUCCEEDED, 1),
                batch.closed(40));
        assertThat(closedAfter.state().status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(closedAfter.changes().getLast().previousStatus()).isEqualTo(BatchStatus.OPEN);
        assertThat(closedAfter.state().progress()).isEqualTo(1.0);
    }

    @Test
    void aClosedBatchFinishesWhenItsLastJobEnds() {
        var folded = fold(batch.opened(), batch.added(1, "j1", "j2"), batch.closed(2), batch.job("j1", 3, SUCCEEDED, 1),
                batch.job("j2", 2, RUNNING, 0.5));
        assertThat(folded.state().status()).isEqualTo(BatchStatus.RUNNING);

        var finished = fold(batch.opened(), batch.added(1, "j1", "j2"), batch.closed(2), batch.job("j1", 3, SUCCEEDED, 1),
                batch.job("j2", 3, FAILED, 0.5));
        assertThat(finished.state().status()).isEqualTo(BatchStatus.PARTIAL);
        assertThat(finished.state().closedAt()).isEqualTo(at(2));
    }

    @Test
    void aClosedBatchOfFailedJobsFailed() {
        var folded = fold(batch.opened(), batch.job("j1", 3, FAILED, 0), batch.job("j2", 3, CANCELED, 0), batch.closed(40));

        assertThat(folded.state().status()).isEqualTo(BatchStatus.FAILED);
    }

    @Test
    void aCanceledBatchIsCanceledOnceItsJobsHaveEnded() {
        var canceling = fold(batch.opened(), batch.job("j1", 3, SUCCEEDED, 1), batch.job("j2", 2, RUNNING, 0.5),
                batch.canceled(35, "wrong prompts"));
        assertThat(canceling.state().status()).isEqualTo(BatchStatus.RUNNING);
        assertThat(canceling.state().canceledAt()).isEqualTo(at(35));
        assertThat(canceling.state().cancelReason()).isEqualTo("wrong prompts");

        var canceled = fold(batch.opened(), batch.job("j1", 3, SUCCEEDED, 1), batch.job("j2", 2, RUNNING, 0.5),
                batch.canceled(35, "wrong prompts"), batch.job("j2", 3, CANCELED, 0.5));
        assertThat(canceled.state().status()).isEqualTo(BatchStatus.CANCELED);
    }

    @Test
    void theEarliestCancelIsKeptInAnyOrder() {
        var one = fold(batch.opened(), batch.canceled(9, "late"), batch.canceled(7, "early"));
        var other = fold(batch.opened(), batch.canceled(7, "early"), batch.canceled(9, "late"));

        assertThat(one.state().cancelReason()).isEqualTo("early");
        assertThat(BatchEvents.content(one.state())).isEqualTo(BatchEvents.content(other.state()));
        assertThat(versions(other)).containsExactly(1L, 2L);
    }

    @Test
    void aRetriedJobTakesAFinishedBatchBackToRunning() {
        var folded = fold(batch.opened(), batch.closed(1), batch.job("j1", 3, SUCCEEDED, 1), batch.job("j2", 3, FAILED, 0.4),
                batch.job("j2", 4, QUEUED, 0), batch.job("j2", 5, RUNNING, 0.1));

        assertThat(folded.changes().stream().map(BatchChange::status).toList()).contains(BatchStatus.PARTIAL);
        assertThat(folded.state().status()).isEqualTo(BatchStatus.RUNNING);
        assertThat(folded.state().done()).isEqualTo(1);
        assertThat(folded.state().lastFinishedAt()).isEqualTo(at(30));
    }

    @Test
    void aClosedEmptyBatchSucceeded() {
        var folded = fold(batch.opened(), batch.closed(1));

        assertThat(folded.state().status()).isEqualTo(BatchStatus.SUCCEEDED);
        assertThat(folded.state().progress()).isEqualTo(1.0);
    }

    @Test
    void aChangeOfAJobThatChangesNothingVisibleMakesNoVersion() {
        var folded = fold(batch.opened(), batch.job("j1", 2, RUNNING, 0.5), batch.job("j1", 3, RUNNING, 0.5));

        assertThat(folded.members().get("j1").version()).isEqualTo(3);
        assertThat(versions(folded)).containsExactly(1L, 2L);
    }

    @Test
    void everyChangeCarriesItsCause() {
        BatchEvent.JobChanged change = batch.job("j1", 2, JobStatus.RUNNING, 0.5);
        var last = fold(batch.opened(), change).changes().getLast();

        assertThat(last.causeEventId()).isEqualTo("j1/2");
        assertThat(last.causeEventType()).isEqualTo(BatchEvent.JobChanged.WIRE_NAME);
        assertThat(last.at()).isEqualTo(change.receivedAt());
        assertThat(last.batch().updatedAt()).isEqualTo(change.receivedAt());
    }
}
