package io.jobpulse.topology;

import io.jobpulse.events.JobLimits;
import org.apache.kafka.streams.TopologyDescription;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kafka Streams names a task after its sub-topology's number, and keeps a task's local state in a directory of
 * that name: the jobs' sub-topologies must keep their numbers (0: the fold, 1: callback routing) in every mode and
 * version, or a rebuild's state directories, and those of instances upgraded from before batches, would hold the
 * stores of another sub-topology. Streams numbers sub-topologies in the order of their source nodes' names.
 */
class SubtopologyNumbersTest {

    @Test
    void theJobsSubtopologiesAreNumberedAlikeLiveAndInARebuildAndTheBatchesComeAfter() {
        Map<Integer, Set<String>> live = stores(JobTopology.build(Duration.ofSeconds(1), JobTopology.Mode.LIVE, JobLimits.DEFAULTS, Set.of()).describe());
        Map<Integer, Set<String>> rebuild = stores(JobTopology.build(Duration.ofSeconds(1), JobTopology.Mode.REBUILD, JobLimits.DEFAULTS, Set.of()).describe());

        assertThat(rebuild).containsEntry(0, Set.of("job-deadlines", "job-state"))
                .containsEntry(1, Set.of("pending-callbacks", "provider-requests"));
        assertThat(live).containsEntry(0, rebuild.get(0)).containsEntry(1, rebuild.get(1));
        assertThat(live.keySet()).as("the batches' sub-topologies, after the jobs'").containsExactly(0, 1, 2, 3);
    }

    private static Map<Integer, Set<String>> stores(TopologyDescription description) {
        Map<Integer, Set<String>> stores = new TreeMap<>();
        for (TopologyDescription.Subtopology subtopology : description.subtopologies()) {
            Set<String> names = new TreeSet<>();
            subtopology.nodes().forEach(node -> {
                if (node instanceof TopologyDescription.Processor processor) {
                    names.addAll(processor.stores());
                }
            });
            stores.put(subtopology.id(), names);
        }
        return stores;
    }
}
