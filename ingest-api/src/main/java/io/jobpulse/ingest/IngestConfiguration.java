package io.jobpulse.ingest;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.MapFormat;

import java.time.Duration;
import java.util.Map;

/**
 * Settings of the ingest role ({@code jobpulse.ingest.*}).
 *
 * @param ackTimeout     how long a request waits for Kafka to acknowledge its event before it answers 503
 * @param defaultTimeout how long a job may take when neither its submission nor its type says, or null for no limit
 * @param timeouts       how long a job of each type may take when its submission does not say, by job type
 * @param producer       further Kafka producer properties, passed through as given
 */
@ConfigurationProperties("jobpulse.ingest")
public record IngestConfiguration(@Bindable(defaultValue = "10s") Duration ackTimeout,
                                  @Nullable Duration defaultTimeout,
                                  // Job types contain dots ("image.generate"): keep the keys whole.
                                  @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                                  Map<String, Duration> timeouts,
                                  // Kafka property names contain dots too ("max.request.size").
                                  @MapFormat(transformation = MapFormat.MapTransformation.FLAT)
                                  Map<String, String> producer) {

    public IngestConfiguration {
        timeouts = timeouts == null ? Map.of() : timeouts;
        producer = producer == null ? Map.of() : producer;
    }

    /**
     * The timeout a submission gets: its own, else its type's, else the default. It is written
     * into the {@code job.submitted} event, so a change of configuration never changes a job
     * already submitted, and a replay of the log sets the same deadlines.
     */
    public Duration timeoutFor(String jobType, @Nullable Duration requested) {
        return requested != null ? requested : timeouts.getOrDefault(jobType, defaultTimeout);
    }
}
