package io.jobpulse.app.health;

import io.micronaut.context.event.ApplicationEventListener;
import io.micronaut.runtime.server.event.ServerStartupEvent;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * Runs every check once as the server starts: a check's first run opens its connections (the Kafka admin client's,
 * a pooled database connection) and may take longer than the deadline, which would make the first probe DOWN.
 */
@Singleton
class HealthWarmUp implements ApplicationEventListener<ServerStartupEvent> {

    private final List<DeadlineIndicator> indicators;

    HealthWarmUp(List<DeadlineIndicator> indicators) {
        this.indicators = indicators;
    }

    @Override
    public void onApplicationEvent(ServerStartupEvent event) {
        indicators.forEach(DeadlineIndicator::warmUp);
    }
}
