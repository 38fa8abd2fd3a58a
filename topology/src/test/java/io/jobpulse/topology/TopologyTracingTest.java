package io.jobpulse.topology;

import io.jobpulse.events.CloudEventHeaders;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.events.TraceHeaders;
import io.jobpulse.processors.JobEvents;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the topology does with headers: the input's are never forwarded as they are; each output
 * gets its own, and the status change, the rejection and the poll change carry the
 * {@code traceparent} of the fold, a span whose parent is the event's {@code traceparent}.
 */
class TopologyTracingTest {

    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER = "00f067aa0ba902b7";
    private static final String TRACEPARENT = "00-" + TRACE + "-" + CALLER + "-01";

    private final List<SpanData> ended = new CopyOnWriteArrayList<>();
    private final SdkTracerProvider tracers = SdkTracerProvider.builder().addSpanProcessor(new SpanProcessor() {
        @Override
        public void onStart(Context parent, ReadWriteSpan span) {
        }

        @Override
        public boolean isStartRequired() {
            return false;
        }

        @Override
        public void onEnd(ReadableSpan span) {
            ended.add(span.toSpanData());
        }

        @Override
        public boolean isEndRequired() {
            return true;
        }
    }).build();
    private TopologyTestDriver driver;

    @AfterEach
    void stop() {
        if (driver != null) {
            driver.close();
        }
        tracers.close();
    }

    private TestInputTopic<String, byte[]> events(boolean traced) throws IOException {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "topology-tracing-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("topology-tracing-test").toString());
        var topology = traced
                ? JobTopology.build(Duration.ofSeconds(1), JobTopology.Mode.LIVE, JobLimits.DEFAULTS, Set.of(), tracers.get(TraceHeaders.INSTRUMENTATION))
                : JobTopology.build(Duration.ofSeconds(1));
        driver = new TopologyTestDriver(topology, props, Instant.parse("2026-01-01T00:00:00Z"));
        return driver.createInputTopic(Topics.JOB_EVENTS.name(), Serdes.String().serializer(), Serdes.ByteArray().serializer());
    }

    private TestOutputTopic<String, StatusChange> status() {
        return driver.createOutputTopic(Topics.JOB_STATUS.name(), Serdes.String().deserializer(), Topics.JOB_STATUS.valueSerde().deserializer());
    }

    private static TestRecord<String, byte[]> record(io.jobpulse.events.JobEvent event, String traceparent) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("x-from-the-producer", "not passed on".getBytes(StandardCharsets.UTF_8));
        if (traceparent != null) {
            headers.add(TraceHeaders.TRACEPARENT, traceparent.getBytes(StandardCharsets.UTF_8));
        }
        return new TestRecord<>(event.jobId(), JobJson.write(event), headers, (Instant) null);
    }

    private static String header(TestRecord<?, ?> record, String key) {
        var header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Test
    void theStatusChangeCarriesTheFoldSpanWhoseParentIsTheEvents() throws IOException {
        JobEvents job = new JobEvents("t");
        events(true).pipeInput(record(job.submitted(), TRACEPARENT));

        TestRecord<String, StatusChange> change = status().readRecord();
        SpanData fold = ended.stream().filter(span -> span.getName().equals("fold")).findFirst().orElseThrow();
        assertThat(fold.getTraceId()).isEqualTo(TRACE);
        assertThat(fold.getParentSpanId()).isEqualTo(CALLER);
        assertThat(header(change, TraceHeaders.TRACEPARENT)).isEqualTo("00-" + TRACE + "-" + fold.getSpanId() + "-01");
        assertThat(header(change, CloudEventHeaders.TYPE)).isEqualTo(CloudEventHeaders.STATUS_CHANGED_TYPE);
        assertThat(header(change, "x-from-the-producer")).as("input headers are not forwarded").isNull();
    }

    @Test
    void aRejectionAndAPollChangeCarryTheFoldSpanToo() throws IOException {
        JobEvents job = new JobEvents("r");
        TestInputTopic<String, byte[]> events = events(true);
        var polls = driver.createOutputTopic(Topics.JOB_POLLS.name(), Serdes.String().deserializer(), Serdes.ByteArray().deserializer());
        var rejected = driver.createOutputTopic(Topics.JOB_EVENTS_REJECTED.name(), Serdes.String().deserializer(),
                Topics.JOB_EVENTS_REJECTED.valueSerde().deserializer());
        events.pipeInput(record(job.submitted(), null));
        events.pipeInput(record(job.pollRequested("https://engine.example/status/1"), TRACEPARENT));
        events.pipeInput(record(job.report(JobStatus.SUCCEEDED, null), null));
        events.pipeInput(record(job.report(JobStatus.RUNNING, 0.5), TRACEPARENT));

        assertThat(header(polls.readRecord(), TraceHeaders.TRACEPARENT)).startsWith("00-" + TRACE + "-");
        TestRecord<String, RejectedEvent> refused = rejected.readRecord();
        assertThat(header(refused, TraceHeaders.TRACEPARENT)).startsWith("00-" + TRACE + "-");
        assertThat(header(refused, RejectedEvent.EVENT_OFFSET_HEADER)).isNotNull();
    }

    @Test
    void anEventWithoutTraceContextStartsATraceAndANoopTracerPassesTheEventsOnAsItIs() throws IOException {
        JobEvents untraced = new JobEvents("u");
        events(true).pipeInput(record(untraced.submitted(), null));
        String started = header(status().readRecord(), TraceHeaders.TRACEPARENT);
        assertThat(started).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[0-9a-f]").doesNotContain(TRACE);
        driver.close();

        JobEvents passed = new JobEvents("p");
        events(false).pipeInput(record(passed.submitted(), TRACEPARENT));
        assertThat(header(status().readRecord(), TraceHeaders.TRACEPARENT)).isEqualTo(TRACEPARENT);
    }
}
