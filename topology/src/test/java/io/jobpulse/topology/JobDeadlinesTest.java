package io.jobpulse.topology;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.StatusChange;
import io.jobpulse.processors.JobEvents;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Deadlines, on the topology's wall clock (the driver's, moved by the test): an unfinished job
 * expires through a {@code job.deadline-passed} event written to the log, and only then.
 */
class JobDeadlinesTest {

    private static final Duration JUST_BEFORE = JobEvents.TIMEOUT.minusSeconds(1);

    private TopologyHarness topology;
    private final JobEvents job = new JobEvents("job-1");

    @BeforeEach
    void start() {
        topology = new TopologyHarness(JobEvents.T0);
    }

    @AfterEach
    void stop() {
        topology.close();
    }

    private void advance(Duration duration) {
        topology.driver.advanceWallClockTime(duration);
    }

    @Test
    void expiresAnUnfinishedJobOnceItsDeadlinePasses() {
        topology.send(List.of(job.submitted(), job.report(JobStatus.RUNNING, 0.3)));
        topology.drain();

        advance(JUST_BEFORE);
        assertThat(topology.log.isEmpty()).isTrue();

        advance(Duration.ofSeconds(2));
        List<JobEvent> written = topology.log.readValuesToList();
        assertThat(written).singleElement().isInstanceOfSatisfying(JobEvent.DeadlinePassed.class, passed -> {
            assertThat(passed.attempt()).isEqualTo(1);
            assertThat(passed.deadline()).isEqualTo(JobEvents.T0.plus(JobEvents.TIMEOUT));
        });
        StatusChange expiry = topology.status.readValue();
        assertThat(expiry.status() + "@" + expiry.version()).isEqualTo("expired@3");
        assertThat(expiry.job().error().code()).isEqualTo("deadline-exceeded");
        assertThat(topology.deadlines()).isEmpty();
    }

    @Test
    void aJobThatEndsInTimeNeverExpires() {
        topology.send(List.of(job.submitted(), job.report(JobStatus.SUCCEEDED, null)));
        assertThat(topology.deadlines()).isEmpty();
        topology.drain();

        advance(JobEvents.TIMEOUT.multipliedBy(2));

        assertThat(topology.log.isEmpty()).isTrue();
        assertThat(topology.status.isEmpty()).isTrue();
    }

    @Test
    void aRetriedJobExpiresByItsNewDeadlineOnly() {
        topology.send(List.of(job.submitted(), job.report(JobStatus.FAILED, null)));
        advance(Duration.ofSeconds(30));
        JobEvent.RetryRequested retry = job.retry();
        topology.send(retry);
        topology.drain();

        advance(JobEvents.TIMEOUT.minusSeconds(30));
        assertThat(topology.status.isEmpty()).as("the first attempt's deadline has passed, the second's not").isTrue();

        advance(Duration.ofSeconds(31).plus(Duration.between(JobEvents.T0, retry.receivedAt())));
        StatusChange expiry = topology.status.readValue();
        assertThat(expiry.status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(expiry.job().attempt()).isEqualTo(2);
    }

    @Test
    void theIndexHoldsOnlyUnfinishedJobsWithADeadline() {
        JobEvents noTimeout = new JobEvents("no-timeout");
        JobEvents done = new JobEvents("done");
        topology.send(List.of(job.submitted(), noTimeout.submitted(null), done.submitted(), done.report(JobStatus.SUCCEEDED, null)));

        assertThat(topology.deadlines()).extracting(entry -> entry.value).containsExactly("job-1");
    }

    @Test
    void everyOverdueJobExpiresInOneCheck() {
        List<JobEvents> jobs = IntStream.range(0, 50).mapToObj(i -> new JobEvents("job-" + i)).toList();
        jobs.forEach(j -> topology.send(j.submitted()));
        topology.drain();

        advance(JobEvents.TIMEOUT.plusSeconds(1));

        assertThat(topology.status.readValuesToList()).hasSize(50).allMatch(change -> change.status() == JobStatus.EXPIRED);
    }

    @Test
    void replayingTheLogExpiresTheSameJobsAtTheSameVersions() {
        List<JobEvent> sent = List.of(job.submitted(), job.report(JobStatus.RUNNING, 0.3));
        topology.send(sent);
        advance(JobEvents.TIMEOUT.plusSeconds(1));
        List<JobEvent> log = new ArrayList<>(sent);
        log.addAll(topology.log.readValuesToList());
        JobState expired = topology.state("job-1");

        try (TopologyHarness replay = new TopologyHarness(JobEvents.T0)) {
            replay.send(log);

            assertThat(replay.state("job-1")).isEqualTo(expired);
            assertThat(expired.status()).isEqualTo(JobStatus.EXPIRED);
        }
    }
}
