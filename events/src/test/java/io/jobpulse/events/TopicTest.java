package io.jobpulse.events;

import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A topic decodes its own records: what it can, or, for a reader that skips, nothing and a reason in the log. */
class TopicTest {

    @Test
    void aTopicDecodesItsRecordsAndSkipsWhatItCannot() {
        RejectedEvent rejected = new RejectedEvent("job-1", "malformed", "not JSON", null, "{", java.time.Instant.EPOCH);
        byte[] valid = JobJson.write(rejected);
        byte[] garbage = "{not json".getBytes(StandardCharsets.UTF_8);

        assertThat(Topics.JOB_EVENTS_REJECTED.decode(valid)).isEqualTo(rejected);
        assertThat(Topics.JOB_EVENTS_REJECTED.decodeOrSkip(valid, 0, 1)).contains(rejected);
        assertThat(Topics.JOB_EVENTS_REJECTED.decodeOrSkip(garbage, 0, 2)).isEmpty();
        assertThatThrownBy(() -> Topics.JOB_EVENTS_REJECTED.decode(garbage)).isInstanceOf(SerializationException.class);
    }

    @Test
    void everyTopicDeclaresHowItKeepsItsRecords() {
        assertThat(Topics.ALL).allSatisfy(topic -> assertThat(topic.cleanup()).isNotNull());
        assertThat(Topics.JOB_EVENTS.cleanup()).isInstanceOf(Topic.Cleanup.KeptForever.class);
        assertThat(Topics.JOB_POLLS.cleanup()).isInstanceOf(Topic.Cleanup.Compacted.class);
        assertThat(Topics.JOB_STATUS.cleanup()).isInstanceOf(Topic.Cleanup.KeptAsConfigured.class);
    }
}
