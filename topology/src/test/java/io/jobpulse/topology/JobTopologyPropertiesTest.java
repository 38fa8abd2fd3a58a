package io.jobpulse.topology;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobState;
import io.jobpulse.events.StatusChange;
import io.jobpulse.processors.JobEvents;
import io.jobpulse.processors.JobLogs;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The topology over random logs (see {@link JobLogs}): it stores exactly what the pure fold
 * computes over the log it ends with (the events sent and the grants of provider requests it
 * wrote back), writes one change or one rejection per event, numbers each job's changes 1, 2, 3...,
 * and two runs over the same log end in identical stores.
 */
class JobTopologyPropertiesTest {

    @Property(tries = 60)
    void theTopologyStoresWhatTheFoldComputes(@ForAll("logs") List<JobEvent> log) {
        try (TopologyHarness topology = new TopologyHarness(JobEvents.T0)) {
            // The log as folded: each event sent, then what the topology wrote back for it (grants of provider requests).
            List<JobEvent> written = new ArrayList<>();
            for (JobEvent event : log) {
                topology.send(event);
                written.add(event);
                written.addAll(topology.log.readValuesToList());
            }
            Map<String, JobState> expected = JobLogs.fold(written);
            for (String job : JobLogs.JOBS) {
                assertThat(topology.state(job)).isEqualTo(expected.get(job));
            }
            List<StatusChange> changes = topology.status.readValuesToList();
            long refusedEvents = topology.rejected.readValuesToList().stream()
                    .filter(rejected -> !rejected.reason().equals("request-claimed")).count();
            assertThat(changes.size() + refusedEvents).isEqualTo(written.size());
            Map<String, List<Long>> versions = changes.stream().collect(Collectors.groupingBy(StatusChange::jobId,
                    Collectors.mapping(StatusChange::version, Collectors.toList())));
            versions.values().forEach(jobVersions ->
                    assertThat(jobVersions).containsExactlyElementsOf(
                            LongStream.rangeClosed(1, jobVersions.size()).boxed().toList()));
        }
    }

    @Property(tries = 30)
    void twoRunsOverTheSameLogEndInTheSameStates(@ForAll("logs") List<JobEvent> log) {
        assertThat(run(log)).isEqualTo(run(log));
    }

    private static Map<String, JobState> run(List<JobEvent> log) {
        try (TopologyHarness topology = new TopologyHarness(JobEvents.T0)) {
            topology.send(log);
            Map<String, JobState> states = new HashMap<>();
            JobLogs.JOBS.forEach(job -> states.put(job, topology.state(job)));
            return states;
        }
    }

    @Provide
    Arbitrary<List<JobEvent>> logs() {
        return JobLogs.logs();
    }
}
