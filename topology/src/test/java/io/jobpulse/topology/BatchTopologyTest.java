package io.jobpulse.topology;

import io.jobpulse.events.BatchChange;
import io.jobpulse.events.BatchCounts;
import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchMember;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.BatchStatus;
import io.jobpulse.events.CloudEventHeaders;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.StateStores;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.processors.BatchEvents;
import io.jobpulse.processors.BatchFoldProcessor;
import io.jobpulse.processors.JobEvents;
import io.jobpulse.processors.JobLifecycle;
import io.jobpulse.processors.Outcome;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static io.jobpulse.events.JobStatus.FAILED;
import static io.jobpulse.events.JobStatus.RUNNING;
import static io.jobpulse.events.JobStatus.SUCCEEDED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The batches' part of the topology in a {@link TopologyTestDriver}: jobs submitted in a batch reach
 * its aggregate through the repartition topic, job changes that arrive out of order or twice (as
 * from different partitions) converge, and the batch finishes, fails or is canceled as its rules say.
 */
class BatchTopologyTest {

    private static final String BATCH = "b1";

    private final TopologyHarness topology = new TopologyHarness(JobEvents.T0);
    private final BatchEvents batch = new BatchEvents(BATCH);
    private final TestInputTopic<String, byte[]> batchEvents = topology.driver.createInputTopic(Topics.BATCH_EVENTS_NAME,
            Serdes.String().serializer(), Serdes.ByteArray().serializer());
    /** Job changes written straight to {@code jobpulse.job-status}, in any order, as other partitions would deliver them. */
    private final TestInputTopic<String, StatusChange> jobStatus = topology.driver.createInputTopic(Topics.JOB_STATUS_NAME,
            Serdes.String().serializer(), Topics.JOB_STATUS.valueSerde().serializer());
    private final TestOutputTopic<String, BatchChange> batchStatus = topology.driver.createOutputTopic(Topics.BATCH_STATUS_NAME,
            Serdes.String().deserializer(), Topics.BATCH_STATUS.valueSerde().deserializer());

    @AfterEach
    void close() {
        topology.close();
    }

    private void send(BatchEvent event) {
        batchEvents.pipeInput(event.batchId(), JobJson.write(event));
    }

    private BatchState state() {
        return topology.driver.<String, BatchState>getKeyValueStore(StateStores.BATCH_STATE).get(BATCH);
    }

    /** A job's changes as the job fold makes them, for a job submitted in the batch. */
    private static List<StatusChange> changesOf(String jobId, JobStatus... reported) {
        JobEvents job = new JobEvents(jobId);
        List<JobEvent> events = new ArrayList<>(List.of(job.submittedIn(BATCH)));
        for (JobStatus status : reported) {
            events.add(job.report(status, status == RUNNING ? 0.5 : null));
        }
        List<StatusChange> changes = new ArrayList<>();
        JobState state = null;
        for (JobEvent event : events) {
            Outcome.Applied applied = (Outcome.Applied) JobLifecycle.evolve(state, event);
            state = applied.state();
            changes.add(applied.change());
        }
        return changes;
    }

    @Test
    void jobsSubmittedInABatchReachItsAggregateThroughTheRepartitionTopic() {
        send(batch.opened());
        send(batch.added(1, "j1", "j2"));
        JobEvents j1 = new JobEvents("j1");
        JobEvents j2 = new JobEvents("j2");
        topology.send(List.of(j1.submittedIn(BATCH), j2.submittedIn(BATCH), j1.report(RUNNING, 0.5), j2.report(RUNNING, 0.25)));

        assertThat(state().counts()).isEqualTo(new BatchCounts(0, 2, 0, 0, 0, 0));
        assertThat(state().progress()).isEqualTo(0.375);
        assertThat(state().status()).isEqualTo(BatchStatus.RUNNING);

        topology.send(List.of(j1.report(SUCCEEDED, null), j2.report(FAILED, null)));
        send(batch.closed(60));

        List<TestRecord<String, BatchChange>> records = batchStatus.readRecordsToList();
        BatchChange last = records.getLast().value();
        assertThat(last.status()).isEqualTo(BatchStatus.PARTIAL);
        assertThat(last.batch().done()).isEqualTo(2);
        assertThat(records.stream().map(record -> record.value().version()).toList())
                .containsExactlyElementsOf(LongStream.rangeClosed(1, records.size()).boxed().toList());
        assertThat(records).allSatisfy(record -> assertThat(record.key()).isEqualTo(BATCH));
        Headers headers = records.getLast().headers();
        assertThat(header(headers, CloudEventHeaders.TYPE)).isEqualTo(CloudEventHeaders.BATCH_STATUS_CHANGED_TYPE);
        assertThat(header(headers, CloudEventHeaders.ID)).isEqualTo(BATCH + "/" + last.version());
        assertThat(header(headers, CloudEventHeaders.SUBJECT)).isEqualTo(BATCH);
        assertThat(header(headers, CloudEventHeaders.TIME)).isEqualTo(last.at().toString());
        assertThat(header(headers, CloudEventHeaders.SPEC_VERSION)).isEqualTo(CloudEventHeaders.SPEC_VERSION_VALUE);
    }

    @Test
    void jobChangesOutOfOrderAndRepeatedConvergeOnTheLatest() {
        List<StatusChange> j1 = changesOf("j1", RUNNING, SUCCEEDED);
        List<StatusChange> j2 = changesOf("j2", RUNNING);
        send(batch.opened());
        send(batch.closed(1));
        // j1's end overtakes its start (another partition's lag), then everything is delivered again.
        for (StatusChange change : List.of(j1.get(2), j2.get(1), j1.get(0), j1.get(1), j2.get(0), j1.get(2), j2.get(1))) {
            jobStatus.pipeInput(change.jobId(), change);
        }

        assertThat(state().counts()).isEqualTo(new BatchCounts(0, 1, 1, 0, 0, 0));
        assertThat(topology.driver.<String, BatchMember>getKeyValueStore(StateStores.BATCH_MEMBERS)
                .get(BatchFoldProcessor.memberKey(BATCH, "j1")).version()).isEqualTo(3);
        List<BatchChange> changes = batchStatus.readValuesToList();
        // Opened, closed, j1 succeeded, j2 running: the overtaken and repeated changes showed nothing new.
        assertThat(changes).hasSize(4);

        jobStatus.pipeInput("j2", changesOf("j2", RUNNING, SUCCEEDED).get(2));
        assertThat(batchStatus.readValuesToList()).singleElement()
                .satisfies(change -> assertThat(change.status()).isEqualTo(BatchStatus.SUCCEEDED));
    }

    @Test
    void closingBeforeOrAfterTheLastJobEndsFinishesTheBatchAlike() {
        List<StatusChange> j1 = changesOf("j1", RUNNING, SUCCEEDED);
        send(batch.opened());
        send(batch.closed(1));
        j1.forEach(change -> jobStatus.pipeInput(change.jobId(), change));
        BatchState closedFirst = state();

        try (TopologyHarness other = new TopologyHarness(JobEvents.T0)) {
            TestInputTopic<String, byte[]> otherEvents = other.driver.createInputTopic(Topics.BATCH_EVENTS_NAME,
                    Serdes.String().serializer(), Serdes.ByteArray().serializer());
            TestInputTopic<String, StatusChange> otherStatus = other.driver.createInputTopic(Topics.JOB_STATUS_NAME,
                    Serdes.String().serializer(), Topics.JOB_STATUS.valueSerde().serializer());
            otherEvents.pipeInput(BATCH, JobJson.write(batch.opened()));
            j1.forEach(change -> otherStatus.pipeInput(change.jobId(), change));
            assertThat(other.driver.<String, BatchState>getKeyValueStore(StateStores.BATCH_STATE).get(BATCH).status())
                    .isEqualTo(BatchStatus.OPEN);
            otherEvents.pipeInput(BATCH, JobJson.write(batch.closed(1)));
            BatchState closedLast = other.driver.<String, BatchState>getKeyValueStore(StateStores.BATCH_STATE).get(BATCH);

            assertThat(closedFirst.status()).isEqualTo(BatchStatus.SUCCEEDED);
            assertThat(BatchEvents.content(closedLast)).isEqualTo(BatchEvents.content(closedFirst));
        }
    }

    @Test
    void aCanceledBatchEndsCanceledWhenItsLastJobHasEnded() {
        send(batch.opened());
        send(batch.added(1, "j1", "j2"));
        JobEvents j1 = new JobEvents("j1");
        JobEvents j2 = new JobEvents("j2");
        topology.send(List.of(j1.submittedIn(BATCH), j2.submittedIn(BATCH), j1.report(SUCCEEDED, null), j2.report(RUNNING, 0.5)));
        send(batch.canceled(30, "wrong prompts"));
        assertThat(state().status()).isEqualTo(BatchStatus.RUNNING);
        assertThat(state().cancelReason()).isEqualTo("wrong prompts");

        topology.send(j2.cancel("alice"));

        assertThat(state().status()).isEqualTo(BatchStatus.CANCELED);
        assertThat(state().counts()).isEqualTo(new BatchCounts(0, 0, 1, 0, 1, 0));
        assertThat(batchStatus.readValuesToList().getLast().status()).isEqualTo(BatchStatus.CANCELED);
    }

    @Test
    void jobsInNoBatchChangeNoBatch() {
        JobEvents job = new JobEvents("solo");
        topology.send(List.of(job.submitted(), job.report(SUCCEEDED, null)));

        assertThat(topology.status.readValuesToList()).hasSize(2);
        assertThat(batchStatus.isEmpty()).isTrue();
        assertThat(topology.driver.<String, BatchMember>getKeyValueStore(StateStores.BATCH_MEMBERS).approximateNumEntries()).isZero();
    }

    @Test
    void theRepartitionTopicAndTheStoresHaveStableNames() {
        String description = JobTopology.build(TopologyHarness.DEADLINE_CHECK).describe().toString();

        assertThat(description).contains(Topics.BATCH_JOB_CHANGES_REPARTITION + "-repartition",
                StateStores.BATCH_STATE, StateStores.BATCH_MEMBERS, BatchTopology.FOLD, BatchTopology.STATUS_SINK);
        assertThat(description).doesNotContain("KSTREAM-", "KTABLE-");
    }

    private static String header(Headers headers, String key) {
        return new String(headers.lastHeader(key).value(), StandardCharsets.UTF_8);
    }
}
