package io.jobpulse.app;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * How Jobpulse's topics are created when missing ({@code jobpulse.topics.*}).
 *
 * @param provision         create missing topics at start-up (turn off where operators manage topics)
 * @param partitions        partitions of every topic; the unit of parallelism of every role
 * @param replicationFactor replicas of every topic
 * @param statusRetention   how long {@code jobpulse.job-status} (and {@code jobpulse.batch-status}) keeps changes; the
 *                          events logs (jobs' and batches') and the rejects are kept forever
 */
@ConfigurationProperties("jobpulse.topics")
public record TopicsConfiguration(@Bindable(defaultValue = "true") boolean provision,
                                  @Bindable(defaultValue = "3") int partitions,
                                  @Bindable(defaultValue = "1") short replicationFactor,
                                  @Bindable(defaultValue = "30d") Duration statusRetention) {
}
