package io.jobpulse.ingest;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * Settings of batches ({@code jobpulse.batches.*}), for the ingest role.
 *
 * @param maxJobs   the most jobs one request may submit into a batch ({@code POST /v1/batches} or
 *                  {@code POST /v1/batches/{id}/jobs}); all of them are written in one Kafka transaction
 * @param producers how many transactional producers an instance writes batches with: a producer runs one
 *                  transaction at a time, so this many batch requests are written at once and others wait
 */
@ConfigurationProperties("jobpulse.batches")
public record BatchesConfiguration(@Bindable(defaultValue = "1000") int maxJobs,
                                   @Bindable(defaultValue = "2") int producers) {

    public BatchesConfiguration {
        if (maxJobs < 1 || producers < 1) {
            throw new IllegalArgumentException("jobpulse.batches.max-jobs and jobpulse.batches.producers must be at least 1");
        }
    }
}
