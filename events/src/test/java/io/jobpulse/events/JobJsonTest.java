package io.jobpulse.events;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobJsonTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void eventsCarryTheirWireNameNotTheirClassName() {
        var event = new JobEvent.Submitted("e1", "j1", T0, T0, EventSource.user("alice"), "alice", "image.generate",
                JsonNodeFactory.instance.objectNode().put("prompt", "cat"), Map.of(), List.of("a"), Duration.ofMinutes(5), null, null, null);

        String json = new String(JobJson.write(event), StandardCharsets.UTF_8);

        assertThat(json).startsWith("{\"event\":\"job.submitted\"").doesNotContain("Submitted").contains("\"timeout\":\"PT5M\"");
        assertThat(JobJson.read(json.getBytes(StandardCharsets.UTF_8), JobEvent.class)).isEqualTo(event);
    }

    @Test
    void aJobOfNoBatchLeavesBatchIdOffTheWireAndOlderRecordsReadAsOfNoBatch() {
        var event = new JobEvent.Submitted("e1", "j1", T0, T0, EventSource.user("alice"), "alice", "image.generate",
                null, Map.of(), List.of(), null, null, null, null);

        assertThat(new String(JobJson.write(event), StandardCharsets.UTF_8)).doesNotContain("batchId");
        String older = "{\"event\":\"job.submitted\",\"eventId\":\"e1\",\"jobId\":\"j1\",\"owner\":\"alice\",\"jobType\":\"x\"}";
        assertThat(((JobEvent.Submitted) JobJson.read(older.getBytes(StandardCharsets.UTF_8), JobEvent.class)).batchId()).isNull();
    }

    @Test
    void statusesUseLowerCaseWireNames() {
        var report = new JobEvent.ReportReceived("e2", "j1", T0, T0, EventSource.service("w"), JobStatus.SUCCEEDED,
                0.5, null, null, null, null);

        String json = new String(JobJson.write(report), StandardCharsets.UTF_8);

        assertThat(json).contains("\"event\":\"job.report-received\"", "\"status\":\"succeeded\"");
        assertThat(JobJson.read(json.getBytes(StandardCharsets.UTF_8), JobEvent.class)).isEqualTo(report);
    }

    @Test
    void unknownFieldsAreIgnoredSoNewerWritersStayReadable() {
        String json = """
                {"event":"job.report-received","eventId":"e3","jobId":"j1","occurredAt":"2026-01-01T00:00:00Z",
                 "receivedAt":"2026-01-01T00:00:00Z","progress":0.1,"addedLater":true}""";

        JobEvent event = JobJson.read(json.getBytes(StandardCharsets.UTF_8), JobEvent.class);

        assertThat(event).isInstanceOf(JobEvent.ReportReceived.class);
        assertThat(((JobEvent.ReportReceived) event).progress()).isEqualTo(0.1);
    }

    @Test
    void unknownEventTypeIsASerializationError() {
        byte[] json = "{\"event\":\"job.teleported\",\"jobId\":\"j1\"}".getBytes(StandardCharsets.UTF_8);

        assertThatThrownBy(() -> JobJson.read(json, JobEvent.class))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class);
    }

    @Test
    void missingValueIsASerializationError() {
        assertThatThrownBy(() -> JobJson.read(null, StatusChange.class))
                .isInstanceOf(org.apache.kafka.common.errors.SerializationException.class);
    }
}
