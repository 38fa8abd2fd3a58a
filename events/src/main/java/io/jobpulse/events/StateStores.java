package io.jobpulse.events;

/** Names of the Kafka Streams state stores; the names fix their changelog topics and must not drift. */
public final class StateStores {

    /** Current state per job: {@code KeyValueStore<jobId, JobState>}. */
    public static final String JOB_STATE = "job-state";

    /**
     * The deadlines of unfinished jobs in time order: {@code KeyValueStore<"<epoch millis>/<jobId>", jobId>}.
     * Internal to the topology; named here because its name fixes its changelog topic.
     */
    public static final String JOB_DEADLINES = "job-deadlines";

    /** Which job a provider request belongs to: {@code KeyValueStore<"<provider>:<requestId>", jobId>}. */
    public static final String PROVIDER_REQUESTS = "provider-requests";

    /** Callbacks waiting for their request to be claimed: {@code KeyValueStore<"<provider>:<requestId>", JSON array>}. */
    public static final String PENDING_CALLBACKS = "pending-callbacks";

    /** The aggregate per batch: {@code KeyValueStore<batchId, BatchState>}. */
    public static final String BATCH_STATE = "batch-state";

    /** The latest change seen of each batch's member jobs: {@code KeyValueStore<"<batchId>/<jobId>", BatchMember>}. */
    public static final String BATCH_MEMBERS = "batch-members";

    private StateStores() {
    }
}
