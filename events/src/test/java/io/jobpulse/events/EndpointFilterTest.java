package io.jobpulse.events;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EndpointFilterTest {

    private static StatusChange change(JobStatus before, JobStatus after, String type, List<String> tags) {
        JobState job = new JobState("j1", "alice", type, tags, null, after, 0.5, null, null, null, null, null, null, 1, 2,
                Instant.EPOCH, Instant.EPOCH, null, null, null, null, null, null, null);
        return new StatusChange("j1", 2, before, after, job, "e1", "job.report-received", List.of("status"), Instant.EPOCH);
    }

    @Test
    void aChangeToAStatusIsOfThatTypeAndOneWithinItIsAnUpdate() {
        assertThat(DeliveryTypes.of(change(JobStatus.RUNNING, JobStatus.SUCCEEDED, "t", List.of()))).isEqualTo("job.succeeded");
        assertThat(DeliveryTypes.of(change(null, JobStatus.QUEUED, "t", List.of()))).isEqualTo("job.queued");
        assertThat(DeliveryTypes.of(change(JobStatus.RUNNING, JobStatus.RUNNING, "t", List.of()))).isEqualTo("job.updated");
        assertThat(DeliveryTypes.ALL).contains("job.expired", "job.updated", "ping").hasSize(8);
    }

    @Test
    void everyListThatIsNotEmptyMustMatch() {
        StatusChange done = change(JobStatus.RUNNING, JobStatus.SUCCEEDED, "image.generate", List.of("prod", "eu"));
        assertThat(EndpointFilter.ALL.matches(done)).isTrue();
        assertThat(new EndpointFilter(List.of("image.generate"), List.of("succeeded"), List.of("eu"), List.of("job.succeeded")).matches(done)).isTrue();
        assertThat(new EndpointFilter(List.of("video.render"), null, null, null).matches(done)).isFalse();
        assertThat(new EndpointFilter(null, List.of("failed"), null, null).matches(done)).isFalse();
        assertThat(new EndpointFilter(null, null, List.of("us"), null).matches(done)).isFalse();
        assertThat(new EndpointFilter(null, null, null, List.of("job.updated")).matches(done)).isFalse();
    }
}
