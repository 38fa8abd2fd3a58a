package io.jobpulse.projections;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Settings of the job metrics the projections role exposes ({@code jobpulse.metrics.*}).
 *
 * @param stuckAfter how long a running job may go without a change before it counts as stuck
 * @param refresh    how often the gauges read from PostgreSQL are read again (each reading is one scan of {@code jobs})
 * @param maxTypes   how many job types get series of their own on an instance; later types share the label {@code other},
 *                   so that a caller inventing types cannot grow the metrics without bound
 */
@ConfigurationProperties("jobpulse.metrics")
public record MetricsConfiguration(
        @Bindable(defaultValue = "15m") Duration stuckAfter,
        @Bindable(defaultValue = "15s") Duration refresh,
        @Bindable(defaultValue = "50") int maxTypes) {
}
