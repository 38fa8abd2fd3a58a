package io.jobpulse.app.health;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Settings of the health checks ({@code jobpulse.health.*}).
 *
 * @param timeout        how long one check may take before it is reported DOWN with "no answer within ..."; below a
 *                       second, so that {@code /health}, {@code /health/readiness} and {@code /health/liveness} answer within
 *                       one whatever hangs behind them (the checks run side by side)
 * @param cacheFor       how long a finished check's result is given again instead of checking anew, so that probes from
 *                       several orchestrators and balancers cost one check
 * @param diskMinFreeMb  the free space, in MiB, below which the Streams state directory's disk is DOWN
 */
@ConfigurationProperties("jobpulse.health")
public record HealthConfiguration(
        @Bindable(defaultValue = "700ms") Duration timeout,
        @Bindable(defaultValue = "1s") Duration cacheFor,
        @Bindable(defaultValue = "100") long diskMinFreeMb) {
}
