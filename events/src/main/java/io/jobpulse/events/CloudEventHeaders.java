package io.jobpulse.events;

import org.apache.kafka.common.header.internals.RecordHeaders;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * CloudEvents Kafka protocol binding, binary mode: the attributes travel as record headers and
 * the record value is the event data ({@link StatusChange}, {@link BatchChange}).
 */
public final class CloudEventHeaders {

    public static final String SPEC_VERSION = "ce_specversion";
    public static final String ID = "ce_id";
    public static final String SOURCE = "ce_source";
    public static final String TYPE = "ce_type";
    public static final String TIME = "ce_time";
    public static final String SUBJECT = "ce_subject";
    public static final String CONTENT_TYPE = "content-type";

    public static final String SPEC_VERSION_VALUE = "1.0";
    public static final String STATUS_CHANGED_TYPE = "io.jobpulse.job.status-changed";
    public static final String BATCH_STATUS_CHANGED_TYPE = "io.jobpulse.batch.status-changed";
    public static final String SOURCE_VALUE = "/jobpulse/topology";

    /**
     * The headers of one record of Jobpulse's topology: {@code ce_id} is {@code <subject>/<version>}, unique per
     * subject and change, so a consumer can dedupe on it.
     */
    public static RecordHeaders of(String type, String subject, long version, Instant time) {
        RecordHeaders headers = new RecordHeaders();
        add(headers, SPEC_VERSION, SPEC_VERSION_VALUE);
        add(headers, ID, subject + "/" + version);
        add(headers, SOURCE, SOURCE_VALUE);
        add(headers, TYPE, type);
        add(headers, TIME, time.toString());
        add(headers, SUBJECT, subject);
        add(headers, CONTENT_TYPE, "application/json");
        return headers;
    }

    private static void add(RecordHeaders headers, String key, String value) {
        headers.add(key, value.getBytes(StandardCharsets.UTF_8));
    }

    private CloudEventHeaders() {
    }
}
