package io.jobpulse.ingest;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Settings of the upstream poller ({@code jobpulse.poller.*}).
 *
 * @param enabled whether this instance polls at all; when false, {@link UpstreamPoller} is not created
 * @param groupId the consumer group over {@code jobpulse.job-polls}: each polled job has one poller among the ingest instances
 * @param maxWait the longest wait between two polls of a job whose answers do not change
 */
@ConfigurationProperties("jobpulse.poller")
public record PollerConfiguration(@Bindable(defaultValue = "true") boolean enabled,
                                  @Bindable(defaultValue = "jobpulse-poller") String groupId,
                                  @Bindable(defaultValue = "60s") Duration maxWait) {

    public static final String ENABLED = "jobpulse.poller.enabled";
}
