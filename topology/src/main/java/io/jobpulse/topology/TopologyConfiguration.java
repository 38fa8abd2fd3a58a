package io.jobpulse.topology;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.Map;

/**
 * Settings of the topology role ({@code jobpulse.topology.*}).
 *
 * @param applicationId      the Kafka Streams application id (consumer group, internal topic prefix)
 * @param stateDir           where the state stores live on disk
 * @param commitInterval     how often Streams commits; with exactly-once, how long a change may wait before
 *                           committed-only readers (the projections) see it; push reads it uncommitted
 * @param readYourWritesWait how long a read waits for the topology to be running, and at most for a missing job
 * @param readYourWritesWindow how recent (by the time in its id) a missing job must be to be waited for; the wait
 *                           ends this long after the id's time
 * @param readYourWritesWaiters how many reads may wait for missing jobs at once; more are answered 503 at once
 * @param deadlineCheckInterval how often, in wall-clock time, jobs past their deadline are looked for and
 *                           expired; a job expires at most this long (plus a commit) after its deadline
 * @param instanceId         a stable identity of this instance in the Streams group (static membership), or
 *                           null; with one, a restarted instance takes its partitions back at once instead
 *                           of waiting for the group to time out the member it replaces
 * @param advertisedHost     the host other instances reach this one's HTTP port at, for reads of jobs it hosts
 *                           (Streams' {@code application.server}); null for the address this machine's own name
 *                           resolves to, which inside a container is its address on the container network
 * @param standbyReplicas    how many other instances keep a warm copy of each partition's store
 *                           ({@code num.standby.replicas}), to answer reads and take over at once when its
 *                           instance dies
 * @param rebuildCommitInterval how often {@code jobpulse replay topology} commits while it rebuilds: the rebuild
 *                           writes no record others read, so it commits in large transactions (still exactly-once)
 * @param streams            any further Kafka Streams properties, passed through as given
 */
@ConfigurationProperties("jobpulse.topology")
public record TopologyConfiguration(
        @Bindable(defaultValue = "jobpulse-topology") String applicationId,
        @Bindable(defaultValue = ".jobpulse/streams/default") String stateDir,
        @Bindable(defaultValue = "20ms") Duration commitInterval,
        @Bindable(defaultValue = "5s") Duration readYourWritesWait,
        @Bindable(defaultValue = "3s") Duration readYourWritesWindow,
        @Bindable(defaultValue = "16") int readYourWritesWaiters,
        @Bindable(defaultValue = "1s") Duration deadlineCheckInterval,
        @Nullable String instanceId,
        @Nullable String advertisedHost,
        @Bindable(defaultValue = "0") int standbyReplicas,
        @Bindable(defaultValue = "1s") Duration rebuildCommitInterval,
        Map<String, String> streams) {

    /** The setting of {@link #stateDir}. */
    public static final String STATE_DIR = "jobpulse.topology.state-dir";

    public TopologyConfiguration {
        streams = streams == null ? Map.of() : streams;
    }
}
