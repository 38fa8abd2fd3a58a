package io.jobpulse.events;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything that happens to a batch of jobs. The batch's own events are written to
 * {@code jobpulse.batch-events} (key = batch id) in the same Kafka transaction as the submissions
 * of its jobs; {@link JobChanged} is the topology's digest of a member job's change, on the
 * batch-keyed repartition topic only. Wire names are stable, like {@link JobEvent}'s.
 *
 * <p>Every event is idempotent and commutes with every other (see {@code BatchLifecycle}): a batch
 * reaches the same state whatever order its events arrive in and however often.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "event")
@JsonSubTypes({
        @JsonSubTypes.Type(value = BatchEvent.Opened.class, name = BatchEvent.Opened.WIRE_NAME),
        @JsonSubTypes.Type(value = BatchEvent.JobsAdded.class, name = BatchEvent.JobsAdded.WIRE_NAME),
        @JsonSubTypes.Type(value = BatchEvent.Closed.class, name = BatchEvent.Closed.WIRE_NAME),
        @JsonSubTypes.Type(value = BatchEvent.Canceled.class, name = BatchEvent.Canceled.WIRE_NAME),
        @JsonSubTypes.Type(value = BatchEvent.JobChanged.class, name = BatchEvent.JobChanged.WIRE_NAME),
})
public sealed interface BatchEvent {

    String eventId();

    String batchId();

    /** When Jobpulse received it (for {@link JobChanged}: when the job's change was applied); the batch fold's only clock. */
    Instant receivedAt();

    /** The stable wire name, e.g. {@code batch.opened}. */
    String wireName();

    /**
     * A batch was opened: jobs may be added to it until it is closed or canceled.
     *
     * @param owner    the subject that owns the batch and its jobs
     * @param tags     labels to filter by
     * @param metadata free-form key/values
     */
    record Opened(String eventId, String batchId, Instant receivedAt, EventSource source, String owner,
                  List<String> tags, Map<String, JsonNode> metadata) implements BatchEvent {
        public static final String WIRE_NAME = "batch.opened";

        public Opened {
            tags = tags == null ? List.of() : List.copyOf(tags);
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        }

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * Jobs were submitted in the batch (their {@code job.submitted} events carry its id). They count
     * in its total, as queued, from here on, before the topology has folded their submissions.
     *
     * @param jobIds the jobs added
     */
    record JobsAdded(String eventId, String batchId, Instant receivedAt, EventSource source, List<String> jobIds)
            implements BatchEvent {
        public static final String WIRE_NAME = "batch.jobs-added";

        public JobsAdded {
            jobIds = jobIds == null ? List.of() : List.copyOf(jobIds);
        }

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /** No more jobs will be added: the batch finishes once all its jobs have ended. */
    record Closed(String eventId, String batchId, Instant receivedAt, EventSource source) implements BatchEvent {
        public static final String WIRE_NAME = "batch.closed";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * The batch was canceled: no more jobs will be added, and it ends as canceled once all its jobs
     * have ended (canceling its open jobs is up to the writer, with one {@code job.cancel-requested} each).
     *
     * @param reason why, in the requester's words; may be null
     */
    record Canceled(String eventId, String batchId, Instant receivedAt, EventSource source, String reason)
            implements BatchEvent {
        public static final String WIRE_NAME = "batch.canceled";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }
    }

    /**
     * A member job's change, as the batch needs it: derived by the topology from the job's
     * {@link StatusChange} and re-keyed by batch id. Its event id is {@code <jobId>/<version>}.
     *
     * @param version    the job's version after the change; a change is applied only over a lower one
     * @param progress   the job's progress, 0..1
     * @param startedAt  when the job's current attempt started, or null
     * @param finishedAt when the job ended, or null
     */
    record JobChanged(String eventId, String batchId, Instant receivedAt, String jobId, long version, JobStatus status,
                      double progress, Instant startedAt, Instant finishedAt) implements BatchEvent {
        public static final String WIRE_NAME = "batch.job-changed";

        @Override
        public String wireName() {
            return WIRE_NAME;
        }

        /** The change of a job in a batch, or null if the job belongs to none. */
        public static JobChanged of(StatusChange change) {
            JobState job = change.job();
            if (job == null || job.batchId() == null) {
                return null;
            }
            return new JobChanged(change.jobId() + "/" + change.version(), job.batchId(), change.at(), change.jobId(),
                    change.version(), change.status(), job.progress(), job.startedAt(), job.finishedAt());
        }
    }
}
