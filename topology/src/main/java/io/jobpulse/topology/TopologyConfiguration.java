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
 * @param commitInterval     how often Streams commits; with exactly-once this bounds the latency of a change
 * @param readYourWritesWait how long a read of a missing job waits for the topology to catch up
 * @param deadlineCheckInterval how often, in wall-clock time, jobs past their deadline are looked for and
 *                           expired; a job expires at most this long (plus a commit) after its deadline
 * @param instanceId         a stable identity of this instance in the Streams group (static membership), or
 *                           null; with one, a restarted instance takes its partitions back at once instead
 *                           of waiting for the group to time out the member it replaces
 * @param streams            any further Kafka Streams properties, passed through as given
 */
@ConfigurationProperties("jobpulse.topology")
public record TopologyConfiguration(
        @Bindable(defaultValue = "jobpulse-topology") String applicationId,
        @Bindable(defaultValue = ".jobpulse/streams/default") String stateDir,
        @Bindable(defaultValue = "20ms") Duration commitInterval,
        @Bindable(defaultValue = "5s") Duration readYourWritesWait,
        @Bindable(defaultValue = "1s") Duration deadlineCheckInterval,
        @Nullable String instanceId,
        Map<String, String> streams) {

    public TopologyConfiguration {
        streams = streams == null ? Map.of() : streams;
    }
}
