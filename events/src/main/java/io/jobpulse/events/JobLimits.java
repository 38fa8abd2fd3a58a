package io.jobpulse.events;

/**
 * How large a job may grow: the bounds on every field of submissions and reports that ends up in
 * a job's state, on the state as a whole, and on any record the topology writes. One record serves
 * intake (which refuses a request that passes a field's bound), the fold (which refuses an event
 * that would take a state past {@code maxStateBytes}) and the topology (which never hands Kafka a
 * record larger than {@code maxRecordBytes}), so that one job cannot stop its partition.
 *
 * <p>Sizes in bytes are of the field's JSON, as Jobpulse stores it; lengths are in characters.
 *
 * @param maxInputBytes           a submission's {@code input}
 * @param maxMetadataBytes        a submission's {@code metadata}, or a report's metadata patch
 * @param maxMetadataKeys         keys in a submission's metadata, or in a report's patch
 * @param maxMetadataKeyLength    one metadata key
 * @param maxResultBytes          a report's {@code result}
 * @param maxMessageLength        a report's {@code message}, a cancel's or retry's {@code reason}
 * @param maxErrorCodeLength      a report's {@code error.code}
 * @param maxErrorMessageLength   a report's {@code error.message}
 * @param maxTags                 tags of a submission
 * @param maxTagLength            one tag
 * @param maxUrlLength            a status URL to poll
 * @param maxRawPayloadBytes      what is kept of a provider callback's or a poll answer's body; more is cut
 * @param maxStateBytes           a job's whole state; the fold refuses an event that would grow it past this
 * @param maxRecordBytes          any record the topology writes (state, change, rejection); must not be more
 *                                than Kafka accepts on the topics it writes ({@code max.message.bytes}) nor the
 *                                producer's {@code max.request.size}
 */
public record JobLimits(int maxInputBytes, int maxMetadataBytes, int maxMetadataKeys, int maxMetadataKeyLength,
                        int maxResultBytes, int maxMessageLength, int maxErrorCodeLength, int maxErrorMessageLength,
                        int maxTags, int maxTagLength, int maxUrlLength, int maxRawPayloadBytes, int maxStateBytes,
                        int maxRecordBytes) {

    /** The defaults: every field well inside a state, a state well inside Kafka's default 1 MB record. */
    public static final JobLimits DEFAULTS = new JobLimits(128 * 1024, 64 * 1024, 100, 128, 128 * 1024, 4_000, 100, 4_000,
            20, 64, 2_000, 64 * 1024, 512 * 1024, 1_000_000);

    public JobLimits {
        if (maxStateBytes <= 0 || maxRecordBytes <= 0 || maxRawPayloadBytes <= 0) {
            throw new IllegalArgumentException("the state, record and raw payload limits must be positive");
        }
    }

    /** These limits with another maximum record size. */
    public JobLimits withMaxRecordBytes(int bytes) {
        return new JobLimits(maxInputBytes, maxMetadataBytes, maxMetadataKeys, maxMetadataKeyLength, maxResultBytes,
                maxMessageLength, maxErrorCodeLength, maxErrorMessageLength, maxTags, maxTagLength, maxUrlLength,
                maxRawPayloadBytes, maxStateBytes, bytes);
    }

    /** These limits with another maximum state size. */
    public JobLimits withMaxStateBytes(int bytes) {
        return new JobLimits(maxInputBytes, maxMetadataBytes, maxMetadataKeys, maxMetadataKeyLength, maxResultBytes,
                maxMessageLength, maxErrorCodeLength, maxErrorMessageLength, maxTags, maxTagLength, maxUrlLength,
                maxRawPayloadBytes, bytes, maxRecordBytes);
    }
}
