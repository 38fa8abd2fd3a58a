package io.jobpulse.topology;

import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.RejectedEvent;
import io.jobpulse.events.Topics;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;

/**
 * The rejection the error handlers write for a record the topology could not process or write: a
 * {@link RejectedEvent} on {@code jobpulse.job-events-rejected}, keyed like the input record, so
 * that a record that fails is told about where every other refusal is, and its partition goes on.
 * The event is repeated only when it is small enough to fit; otherwise the detail names its offset.
 */
final class DeadLetters {

    /** The streams property that passes the maximum record size to the handlers. */
    static final String MAX_RECORD_BYTES = "jobpulse.max.record.bytes";

    private DeadLetters() {
    }

    static int maxRecordBytes(Map<String, ?> configs) {
        Object value = configs.get(MAX_RECORD_BYTES);
        return value == null ? 1_000_000 : Integer.parseInt(value.toString());
    }

    static ProducerRecord<byte[], byte[]> rejection(ErrorHandlerContext context, byte[] fallbackKey, String reason,
                                                    String detail, int maxRecordBytes) {
        byte[] key = context.sourceRawKey() != null ? context.sourceRawKey() : fallbackKey;
        String jobId = key == null ? null : new String(key, StandardCharsets.UTF_8);
        String where = context.topic() == null ? "no input record (a punctuation)"
                : context.topic() + " partition " + context.partition() + " offset " + context.offset();
        JobEvent event = event(context.sourceRawValue(), maxRecordBytes / 2);
        Instant at = context.timestamp() >= 0 ? Instant.ofEpochMilli(context.timestamp()) : Instant.now();
        RejectedEvent rejected = new RejectedEvent(jobId, reason, detail + " The input record is at " + where + ".", event, null, at);
        RecordHeaders headers = new RecordHeaders();
        if (context.topic() != null) {
            headers.add(RejectedEvent.EVENT_PARTITION_HEADER, Integer.toString(context.partition()).getBytes(StandardCharsets.UTF_8));
            headers.add(RejectedEvent.EVENT_OFFSET_HEADER, Long.toString(context.offset()).getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(Topics.JOB_EVENTS_REJECTED_NAME, null, null, key, JobJson.write(rejected), headers);
    }

    /** The input record as an event, if it is one and no larger than {@code maxBytes}; else null. */
    private static JobEvent event(byte[] value, int maxBytes) {
        if (value == null || value.length > maxBytes) {
            return null;
        }
        try {
            return JobJson.read(value, JobEvent.class);
        } catch (SerializationException e) {
            return null;
        }
    }

    static byte[] bytes(Object key) {
        return switch (key) {
            case null -> null;
            case byte[] raw -> raw;
            default -> key.toString().getBytes(StandardCharsets.UTF_8);
        };
    }
}
