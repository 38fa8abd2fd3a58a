package io.jobpulse.topology;

import io.jobpulse.events.CloudEventHeaders;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.PollSchedule;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.JobEvents;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class JobTopologyTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private TopologyHarness topology;
    private TestInputTopic<String, byte[]> events;
    private TestOutputTopic<String, StatusChange> status;
    private TestOutputTopic<String, RejectedEvent> rejected;

    @BeforeEach
    void start() {
        topology = new TopologyHarness(T0);
        events = topology.events;
        status = topology.status;
        rejected = topology.rejected;
    }

    @AfterEach
    void stop() {
        topology.close();
    }

    private void send(JobEvent event) {
        topology.send(event);
    }

    private static JobEvent.Submitted submitted(String jobId) {
        return new JobEvent.Submitted("s-" + jobId, jobId, T0, T0, EventSource.user("alice"), "alice", "image.generate",
                null, null, null, null, null, null, null);
    }

    private static JobEvent.ReportReceived report(String jobId, String eventId, JobStatus status) {
        return new JobEvent.ReportReceived(eventId, jobId, T0, T0.plusSeconds(1), EventSource.service("w"), status,
                null, null, null, null, null);
    }

    @Test
    void foldsEventsIntoStoreAndEmitsOneChangePerAppliedEvent() {
        send(submitted("a"));
        send(report("a", "r1", JobStatus.RUNNING));
        send(report("a", "r2", JobStatus.SUCCEEDED));

        List<StatusChange> changes = status.readValuesToList();
        assertThat(changes).extracting(StatusChange::version).containsExactly(1L, 2L, 3L);
        assertThat(changes).extracting(StatusChange::status)
                .containsExactly(JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED);
        JobState stored = topology.state("a");
        assertThat(stored).isEqualTo(changes.getLast().job());
        assertThat(rejected.isEmpty()).isTrue();
    }

    @Test
    void statusRecordsCarryCloudEventsHeaders() {
        send(submitted("a"));

        TestRecord<String, StatusChange> record = status.readRecord();
        assertThat(record.key()).isEqualTo("a");
        assertThat(header(record, CloudEventHeaders.SPEC_VERSION)).isEqualTo("1.0");
        assertThat(header(record, CloudEventHeaders.ID)).isEqualTo("a/1");
        assertThat(header(record, CloudEventHeaders.TYPE)).isEqualTo(CloudEventHeaders.STATUS_CHANGED_TYPE);
        assertThat(header(record, CloudEventHeaders.SOURCE)).isEqualTo(CloudEventHeaders.SOURCE_VALUE);
        assertThat(header(record, CloudEventHeaders.SUBJECT)).isEqualTo("a");
        assertThat(header(record, CloudEventHeaders.TIME)).isEqualTo(T0.toString());
    }

    @Test
    void rejectsEventForUnknownJob() {
        send(report("ghost", "r1", JobStatus.RUNNING));

        assertThat(status.isEmpty()).isTrue();
        RejectedEvent rejection = rejected.readValue();
        assertThat(rejection.reason()).isEqualTo("unknown-job");
        assertThat(rejection.event()).isEqualTo(report("ghost", "r1", JobStatus.RUNNING));
    }

    @Test
    void rejectsMalformedRecordsAndKeepsProcessing() {
        events.pipeInput("a", "{not json".getBytes(StandardCharsets.UTF_8));
        events.pipeInput("b", JobJson.write(submitted("a")));
        send(submitted("a"));

        List<RejectedEvent> rejections = rejected.readValuesToList();
        assertThat(rejections).extracting(RejectedEvent::reason).containsExactly("malformed", "malformed");
        assertThat(rejections.getFirst().raw()).isEqualTo("{not json");
        assertThat(status.readValue().jobId()).isEqualTo("a");
    }

    @Test
    void lateEventAfterTerminalIsRejectedAndChangesNothing() {
        send(submitted("a"));
        send(report("a", "r1", JobStatus.SUCCEEDED));
        send(report("a", "r2", JobStatus.RUNNING));

        assertThat(status.readValuesToList()).hasSize(2);
        assertThat(rejected.readValue().reason()).isEqualTo("job-terminal");
        assertThat(topology.state("a").status())
                .isEqualTo(JobStatus.SUCCEEDED);
    }

    @Test
    void tellsThePollersWhenAJobStartsAndStopsBeingPolled() {
        var polls = topology.driver.createOutputTopic(Topics.JOB_POLLS.name(), Serdes.String().deserializer(),
                Topics.JOB_POLLS.valueSerde().deserializer());
        JobEvents job = new JobEvents("p");
        send(job.submitted());
        send(job.pollRequested("https://engine.example/status/1"));
        send(job.report(JobStatus.RUNNING, 0.5));
        send(job.report(JobStatus.SUCCEEDED, null));

        List<TestRecord<String, PollSchedule>> records = polls.readRecordsToList();
        assertThat(records).extracting(TestRecord::key).containsExactly("p", "p");
        assertThat(records.getFirst().value().poll().statusUrl()).isEqualTo("https://engine.example/status/1");
        assertThat(records.get(1).value()).as("a tombstone once the job ended").isNull();
    }

    private static String header(TestRecord<?, ?> record, String key) {
        return new String(record.headers().lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
