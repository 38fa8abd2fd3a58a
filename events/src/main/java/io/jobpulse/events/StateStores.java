package io.jobpulse.events;

/** Names of the Kafka Streams state stores that other roles query. */
public final class StateStores {

    /** Current state per job: {@code KeyValueStore<jobId, JobState>}. */
    public static final String JOB_STATE = "job-state";

    private StateStores() {
    }
}
