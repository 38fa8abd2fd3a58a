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

    private StateStores() {
    }
}
