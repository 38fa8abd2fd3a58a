package io.jobpulse.app;

import io.jobpulse.events.JobLimits;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.context.annotation.Factory;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;
import jakarta.inject.Singleton;

/**
 * How large a job may grow ({@code jobpulse.job-limits.*}): the bounds intake applies to each
 * field of submissions and reports, the fold to a job's whole state, and the topology to every
 * record it writes. Every role reads them as one {@link JobLimits}; see {@link JobLimits} for
 * what each bounds. Sizes take units ({@code 64KB}); lengths are characters.
 */
@ConfigurationProperties("jobpulse.job-limits")
public record JobLimitsConfiguration(
        @Bindable(defaultValue = "128KB") @ReadableBytes int maxInputBytes,
        @Bindable(defaultValue = "64KB") @ReadableBytes int maxMetadataBytes,
        @Bindable(defaultValue = "100") int maxMetadataKeys,
        @Bindable(defaultValue = "128") int maxMetadataKeyLength,
        @Bindable(defaultValue = "128KB") @ReadableBytes int maxResultBytes,
        @Bindable(defaultValue = "4000") int maxMessageLength,
        @Bindable(defaultValue = "100") int maxErrorCodeLength,
        @Bindable(defaultValue = "4000") int maxErrorMessageLength,
        @Bindable(defaultValue = "20") int maxTags,
        @Bindable(defaultValue = "64") int maxTagLength,
        @Bindable(defaultValue = "2000") int maxUrlLength,
        @Bindable(defaultValue = "64KB") @ReadableBytes int maxRawPayloadBytes,
        @Bindable(defaultValue = "512KB") @ReadableBytes int maxStateBytes,
        @Bindable(defaultValue = "1000000") @ReadableBytes int maxRecordBytes) {

    public JobLimits limits() {
        return new JobLimits(maxInputBytes, maxMetadataBytes, maxMetadataKeys, maxMetadataKeyLength, maxResultBytes,
                maxMessageLength, maxErrorCodeLength, maxErrorMessageLength, maxTags, maxTagLength, maxUrlLength,
                maxRawPayloadBytes, maxStateBytes, maxRecordBytes);
    }

    /** The limits as the roles take them. */
    @Factory
    static class Limits {

        @Singleton
        JobLimits jobLimits(JobLimitsConfiguration config) {
            return config.limits();
        }
    }
}
