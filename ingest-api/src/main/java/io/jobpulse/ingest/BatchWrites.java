package io.jobpulse.ingest;

import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.http.BatchStateReader;
import io.jobpulse.http.Caller;
import io.jobpulse.http.JobIds;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What intake decides from a batch's state before it writes to it: whether the caller may see the
 * batch, and whether it still takes jobs. The state is the topology's ({@link BatchStateReader}),
 * read with read-your-writes as a job's is, so a batch opened a moment ago is found. The fold
 * refuses nothing, so these checks are the only ones: two requests that race (a close and an add)
 * can still both be written, and then the job counts in the closed batch.
 */
@Singleton
@Requires(beans = BatchEventPublisher.class)
class BatchWrites {

    private final BatchStateReader batches;
    private final BatchEventPublisher publisher;

    BatchWrites(BatchStateReader batches, BatchEventPublisher publisher) {
        this.batches = batches;
        this.publisher = publisher;
    }

    /** The batch, if the caller may see it; else 404, whether it is another owner's or none at all. */
    BatchState visible(Caller caller, String id) {
        if (JobIds.isWellFormed(id)) {
            var batch = batches.batch(id);
            if (batch.isPresent() && caller.sees(batch.get().owner(), id)) {
                return batch.get();
            }
        }
        throw new ProblemException(ProblemType.NOT_FOUND, "No batch " + id + ".");
    }

    /** The caller's batch, which must still take jobs: 409 once it is closed or canceled. */
    BatchState open(Caller caller, String id) {
        BatchState batch = visible(caller, id);
        if (batch.canceledAt() != null) {
            throw conflict(batch, "batch-canceled", "it takes no more jobs");
        }
        if (batch.closedAt() != null) {
            throw conflict(batch, "batch-closed", "it takes no more jobs; submit them in a new batch");
        }
        return batch;
    }

    /** {@code POST /v1/jobs} naming a batch: the job's submission and its {@code batch.jobs-added}, in one transaction. */
    void addJob(Caller caller, String batchId, JobEvent.Submitted submitted) {
        BatchState batch = open(caller, batchId);
        checkOwner(batch, submitted.owner(), "batchId");
        write(batch.id(), List.of(), List.of(submitted), false, submitted.receivedAt(), submitted.source());
    }

    /** The job's owner must be the batch's (a caller bound to no owner could name another). */
    static void checkOwner(BatchState batch, String owner, String field) {
        if (!batch.owner().equals(owner)) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, "Batch " + batch.id() + " belongs to '"
                    + batch.owner() + "'; its jobs must be submitted for the same owner, not '" + owner + "'.").with("field", field));
        }
    }

    /**
     * Writes jobs into a batch: their submissions, the {@code batch.jobs-added} naming them, the close
     * if asked, and then the events given last (the opening, for a new batch); all in one transaction.
     * The opening goes last because the fold writes nothing before it (the batch is at version 0): so
     * the batch's first version, and the first read of it, already count its jobs and its close.
     */
    void write(String batchId, List<BatchEvent> last, List<JobEvent.Submitted> jobs, boolean close, Instant now,
               EventSource source) {
        List<BatchEvent> events = new ArrayList<>();
        if (!jobs.isEmpty()) {
            events.add(new BatchEvent.JobsAdded(Ids.next(), batchId, now, source, jobs.stream().map(JobEvent::jobId).toList()));
        }
        if (close) {
            events.add(new BatchEvent.Closed(Ids.next(), batchId, now, source));
        }
        events.addAll(last);
        publisher.publish(batchId, events, List.copyOf(jobs));
    }

    /** A 409 for a command the batch's state rules out, with a reason code. */
    static ProblemException conflict(BatchState batch, String reason, String why) {
        String state = batch.canceledAt() != null ? "canceled" : batch.closedAt() != null ? "closed" : batch.status().wireName();
        return new ProblemException(Problem.of(ProblemType.CONFLICT, "Batch " + batch.id() + " is " + state + ": " + why + ".")
                .with("reason", reason).with("batchStatus", batch.status().wireName()));
    }
}
