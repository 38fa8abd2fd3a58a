package io.jobpulse.topology;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StatusChange;
import io.jobpulse.processors.JobLifecycleProcessor;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One job cannot grow past its bounds, and its partition goes on: given a job at its maximum state
 * size, when more reports would grow it, then they are rejected with a reason, its state stays, and
 * the other jobs are folded as usual.
 */
class BoundedStateTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private static JobEvent.Submitted submitted(String jobId) {
        return new JobEvent.Submitted("s-" + jobId, jobId, T0, T0, EventSource.user("alice"), "alice", "image.generate",
                null, null, null, null, null, null, null);
    }

    private static JobEvent.ReportReceived metadata(String jobId, int n, int length) {
        return new JobEvent.ReportReceived(jobId + "/m" + n, jobId, T0, T0.plusSeconds(n), EventSource.service("w"), null,
                null, null, Map.of("key" + n, JSON.textNode("x".repeat(length))), null, null);
    }

    private static JobEvent.ReportReceived status(String jobId, String eventId, JobStatus status) {
        return new JobEvent.ReportReceived(eventId, jobId, T0, T0.plusSeconds(100), EventSource.service("w"), status,
                null, null, null, null, null);
    }

    @Test
    void metadataMergedOverManyReportsStopsAtTheMaximumStateAndTheJobKeepsItsState() {
        JobLimits limits = JobLimits.DEFAULTS.withMaxStateBytes(8 * 1024);
        try (TopologyHarness topology = new TopologyHarness(T0, limits)) {
            topology.send(submitted("big"));
            topology.send(submitted("other"));
            for (int n = 1; n <= 10; n++) {
                topology.send(metadata("big", n, 1_000));
            }
            topology.send(status("other", "o1", JobStatus.SUCCEEDED));

            List<RejectedEvent> rejected = topology.rejected.readValuesToList();
            assertThat(rejected).isNotEmpty().allSatisfy(r -> {
                assertThat(r.jobId()).isEqualTo("big");
                assertThat(r.reason()).isEqualTo("state-too-large");
                assertThat(r.event()).isNotNull();
            });
            List<StatusChange> changes = topology.status.readValuesToList();
            long applied = changes.stream().filter(c -> c.jobId().equals("big")).count();
            assertThat(applied + rejected.size()).as("every report was applied or rejected").isEqualTo(11);
            StatusChange last = changes.stream().filter(c -> c.jobId().equals("big")).toList().getLast();
            assertThat(topology.state("big")).as("the store keeps the last applied state").isEqualTo(last.job());
            assertThat(io.jobpulse.events.JobJson.write(topology.state("big")).length).isLessThanOrEqualTo(8 * 1024);
            assertThat(topology.state("other").status()).isEqualTo(JobStatus.SUCCEEDED);
        }
    }

    @Test
    void aRebuildRefusesAgainWhatTheLiveTopologyRefusedForItsLimitsWhateverTheLimitsAreNow() {
        List<JobEvent> log = new ArrayList<>(List.of(submitted("big")));
        for (int n = 1; n <= 10; n++) {
            log.add(metadata("big", n, 1_000));
        }
        JobState live;
        Set<String> refused = new HashSet<>();
        try (TopologyHarness topology = new TopologyHarness(T0, JobLimits.DEFAULTS.withMaxStateBytes(8 * 1024))) {
            topology.send(log);
            live = topology.state("big");
            topology.rejected.readRecordsToList().forEach(record -> refused.add(JobLifecycleProcessor.position(
                    Integer.parseInt(header(record, RejectedEvent.EVENT_PARTITION_HEADER)),
                    Long.parseLong(header(record, RejectedEvent.EVENT_OFFSET_HEADER)))));
        }
        assertThat(refused).as("the live run refused some reports for the state's size").isNotEmpty();

        try (TopologyHarness rebuild = new TopologyHarness(T0, JobLimits.DEFAULTS, JobTopology.Mode.REBUILD, refused)) {
            rebuild.send(log);
            assertThat(rebuild.state("big")).as("rebuilt under larger limits, with the live refusals").isEqualTo(live);
        }
        try (TopologyHarness rebuild = new TopologyHarness(T0, JobLimits.DEFAULTS, JobTopology.Mode.REBUILD, Set.of())) {
            rebuild.send(log);
            assertThat(rebuild.state("big").version()).as("deciding again under larger limits").isGreaterThan(live.version());
        }
    }

    private static String header(TestRecord<String, RejectedEvent> record, String name) {
        return new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    @Test
    void aChangeLargerThanARecordMayBeIsRejectedBeforeAnythingIsWritten() {
        JobLimits limits = JobLimits.DEFAULTS.withMaxRecordBytes(16 * 1024);
        try (TopologyHarness topology = new TopologyHarness(T0, limits)) {
            topology.send(submitted("big"));
            topology.send(metadata("big", 1, 20_000));
            topology.send(status("big", "b1", JobStatus.RUNNING));

            assertThat(topology.rejected.readValuesToList()).singleElement().satisfies(r -> {
                assertThat(r.reason()).isEqualTo("record-too-large");
                assertThat(r.event()).as("the rejection is too large to repeat the event").isNull();
                assertThat(r.detail()).contains("jobpulse.job-events partition 0 offset 1");
            });
            assertThat(topology.status.readValuesToList()).extracting(StatusChange::version).containsExactly(1L, 2L);
            assertThat(topology.state("big").metadata()).isEmpty();
            assertThat(topology.state("big").status()).isEqualTo(JobStatus.RUNNING);
        }
    }
}
