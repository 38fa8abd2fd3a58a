package io.jobpulse.app;

import io.micrometer.core.instrument.binder.logging.LogbackMetrics;
import io.micronaut.configuration.metrics.binder.logging.LogbackMeterRegistryBinderFactory;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * Logback's event counts ({@code logback_events_total}), as Micronaut's binder gives them, but closed with the
 * application. The binder adds a turbo filter to the JVM's one logging context and never removes it, so every
 * application started and stopped in a JVM (each instance of the tests, one after another in a test JVM) left a filter
 * behind that every log statement walked through, even one below its logger's level: a test JVM spent a tenth of its
 * samples there. Closing {@link LogbackMetrics} removes its filter.
 */
@Factory
final class LogbackMetricsFactory {

    @Singleton
    @Bean(preDestroy = "close")
    @Replaces(bean = LogbackMetrics.class, factory = LogbackMeterRegistryBinderFactory.class)
    @Requires(property = "micronaut.metrics.enabled", notEquals = "false")
    @Requires(property = "micronaut.metrics.binders.logback.enabled", notEquals = "false")
    LogbackMetrics logbackMetrics() {
        return new LogbackMetrics();
    }
}
