package io.jobpulse.events;

import java.util.List;

/**
 * Which of its owner's job changes an endpoint is told about. Each list that is not empty must
 * match; an empty list matches everything.
 *
 * @param types    job types ({@code image.generate})
 * @param statuses job statuses after the change ({@code succeeded})
 * @param tags     the job must carry at least one of these tags
 * @param events   delivery types ({@code job.succeeded}, {@code job.updated}; see {@link DeliveryTypes})
 */
public record EndpointFilter(List<String> types, List<String> statuses, List<String> tags, List<String> events) {

    public static final EndpointFilter ALL = new EndpointFilter(List.of(), List.of(), List.of(), List.of());

    public EndpointFilter {
        types = types == null ? List.of() : List.copyOf(types);
        statuses = statuses == null ? List.of() : List.copyOf(statuses);
        tags = tags == null ? List.of() : List.copyOf(tags);
        events = events == null ? List.of() : List.copyOf(events);
    }

    public boolean matches(StatusChange change) {
        JobState job = change.job();
        return (types.isEmpty() || types.contains(job.type()))
                && (statuses.isEmpty() || statuses.contains(change.status().wireName()))
                && (tags.isEmpty() || job.tags().stream().anyMatch(tags::contains))
                && (events.isEmpty() || events.contains(DeliveryTypes.of(change)));
    }
}
