package io.jobpulse.projections;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.MapFormat;

import java.time.Duration;
import java.util.Map;

/**
 * Settings of the projections role ({@code jobpulse.projections.*}). The consumer groups
 * ({@code group-id}, {@code events-group-id}) and the sweep interval ({@code retention-interval})
 * are read by their annotations directly.
 *
 * @param retention      how long a finished job stays in the read model after it finished
 * @param retentionByType the same, by job type, for the types that differ
 */
@ConfigurationProperties("jobpulse.projections")
public record ProjectionsConfiguration(
        @Bindable(defaultValue = "30d") Duration retention,
        // Job types contain dots ("image.generate"): keep the keys whole.
        @MapFormat(transformation = MapFormat.MapTransformation.FLAT) Map<String, Duration> retentionByType) {

    public ProjectionsConfiguration {
        retentionByType = retentionByType == null ? Map.of() : Map.copyOf(retentionByType);
    }
}
