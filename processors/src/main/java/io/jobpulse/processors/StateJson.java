package io.jobpulse.processors;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.StatusChange;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * A job state's JSON, written once however often the fold needs it. For every event it applies, the
 * fold measures the new state (the bound on a state's size), measures the status change that
 * carries the state (the bound on a record's size), and stores the state: three writes of the same
 * JSON, most of the fold's work. Here the state last written on a thread is remembered by identity,
 * so the store's serializer reuses the measured bytes, and a change is measured from its state's
 * bytes and the JSON of its other fields. The bytes are exactly {@link JobJson}'s, so the store,
 * its changelog and every record stay as they were.
 *
 * <p>States are immutable records, and the fold never modifies a value inside one, so the same
 * object always has the same JSON. The returned arrays are shared: callers must not modify them.
 */
public final class StateJson {

    /** {@code "job":} and the comma that separates it from the change's other fields. */
    private static final int JOB_FIELD_OVERHEAD = "\"job\":".length() + 1;

    private static final ThreadLocal<Last> LAST = ThreadLocal.withInitial(Last::new);

    private StateJson() {
    }

    /** The state's JSON, as {@link JobJson#write} writes it. */
    public static byte[] write(JobState state) {
        Last last = LAST.get();
        if (last.state != state) {
            last.bytes = JobJson.write(state);
            last.state = state;
        }
        return last.bytes;
    }

    /**
     * The length of the change's JSON as {@link JobJson#write} writes it: its fields but the state,
     * with the state's JSON as the field {@code job}. A record's fields are written in their
     * declared order, compactly, and the change always has others (its version), so the state adds
     * its name, its JSON and one comma.
     */
    public static int changeSize(StatusChange change) {
        if (change.job() == null) {
            return JobJson.write(change).length;
        }
        StatusChange withoutJob = new StatusChange(change.jobId(), change.version(), change.previousStatus(), change.status(),
                null, change.causeEventId(), change.causeEventType(), change.changed(), change.at());
        return JobJson.write(withoutJob).length + JOB_FIELD_OVERHEAD + write(change.job()).length;
    }

    /** The store's serde of states: {@link JobJson}'s, writing through {@link #write}. */
    public static Serde<JobState> serde() {
        Serializer<JobState> serializer = (topic, state) -> state == null ? null : write(state);
        Deserializer<JobState> deserializer = (topic, bytes) -> bytes == null ? null : JobJson.read(bytes, JobState.class);
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static final class Last {
        private JobState state;
        private byte[] bytes;
    }
}
