package io.jobpulse.app;

import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An application stopped leaves the JVM's logging context as it found it: the turbo filter its log metrics add (which
 * every log statement walks through) goes with it, so applications started one after another in one JVM do not slow
 * its logging down.
 */
class LoggingFiltersTest {

    @Test
    void anInstanceAddsOneTurboFilterForItsLogMetricsAndRemovesItWhenItStops() {
        LoggerContext logging = (LoggerContext) LoggerFactory.getILoggerFactory();
        int before = logging.getTurboFilterList().size();
        try (JobpulseInstance jobpulse = JobpulseInstance.allRoles()) {
            assertThat(logging.getTurboFilterList()).as("the filter counting its log events").hasSize(before + 1);
            assertThat(jobpulse.get("/health/liveness").statusCode()).isEqualTo(200);
        }
        assertThat(logging.getTurboFilterList()).as("after it stopped").hasSize(before);
    }
}
