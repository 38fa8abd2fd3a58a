package io.jobpulse.events;

/**
 * CloudEvents Kafka protocol binding, binary mode: the attributes travel as record headers and
 * the record value is the event data ({@link StatusChange}).
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
    public static final String SOURCE_VALUE = "/jobpulse/topology";

    private CloudEventHeaders() {
    }
}
