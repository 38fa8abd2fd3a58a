package io.jobpulse.ingest;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.Map;

/**
 * Settings of the ingest role ({@code jobpulse.ingest.*}).
 *
 * @param ackTimeout how long a request waits for Kafka to acknowledge its event before it answers 503
 * @param producer   further Kafka producer properties, passed through as given
 */
@ConfigurationProperties("jobpulse.ingest")
public record IngestConfiguration(@Bindable(defaultValue = "10s") Duration ackTimeout, Map<String, String> producer) {

    public IngestConfiguration {
        producer = producer == null ? Map.of() : producer;
    }
}
