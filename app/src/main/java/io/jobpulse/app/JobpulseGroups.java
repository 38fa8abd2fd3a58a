package io.jobpulse.app;

import io.jobpulse.consumers.ConsumerGroupLag;
import io.jobpulse.events.Topics;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The consumer groups Jobpulse runs, with the setting that names each, the role whose instances are its
 * members and the topics it reads. The lag metric and {@code jobpulse status} both work from this one list,
 * so a group added to the code is added here once.
 */
public final class JobpulseGroups {

    /**
     * A group: its id (as configured), the role that runs it, what it does, the topics it reads, whether a
     * partition it never committed on is read from its start, and whether it keeps offsets at all (the poller
     * reads its compacted topic from the start at every assignment and commits nothing, so it has no lag).
     */
    public record Group(String id, String role, String what, List<String> topics, boolean fromEarliest, boolean keepsOffsets) {

        ConsumerGroupLag.Group lag() {
            return new ConsumerGroupLag.Group(id, topics, fromEarliest);
        }
    }

    private JobpulseGroups() {
    }

    /** Every group, with ids from {@code setting} (a property's value, or null for its default). */
    public static List<Group> of(Function<String, String> setting) {
        return List.of(
                group(setting, "jobpulse.topology.application-id", "jobpulse-topology", "topology", "Streams: folds events into job and batch state",
                        List.of(Topics.JOB_EVENTS_NAME, Topics.PROVIDER_REQUESTS_NAME, Topics.PROVIDER_CALLBACKS_NAME,
                                Topics.JOB_STATUS_NAME, Topics.BATCH_EVENTS_NAME), true, true),
                group(setting, "jobpulse.projections.group-id", "jobpulse-projections", "projections", "status changes into PostgreSQL",
                        List.of(Topics.JOB_STATUS_NAME), true, true),
                group(setting, "jobpulse.projections.events-group-id", "jobpulse-projections-events", "projections", "events into PostgreSQL (history)",
                        List.of(Topics.JOB_EVENTS_NAME), true, true),
                group(setting, "jobpulse.projections.batches-group-id", "jobpulse-projections-batches", "projections",
                        "batch changes into PostgreSQL", List.of(Topics.BATCH_STATUS_NAME), true, true),
                group(setting, "jobpulse.poller.group-id", "jobpulse-poller", "ingest", "polls providers of polled jobs",
                        List.of(Topics.JOB_POLLS_NAME), true, false),
                group(setting, "jobpulse.provider-cancels.group-id", "jobpulse-provider-cancels", "ingest", "passes cancels on to providers",
                        List.of(Topics.JOB_STATUS_NAME), false, true),
                group(setting, "jobpulse.notifications.projector-group-id", "jobpulse-notifications-projector", "notifications",
                        "endpoints and deliveries into PostgreSQL", List.of(Topics.ENDPOINTS_NAME, Topics.DELIVERY_LOG_NAME), true, true),
                group(setting, "jobpulse.notifications.application-id", "jobpulse-notifications", "notifications", "Streams: webhook deliveries",
                        List.of(Topics.JOB_STATUS_NAME, Topics.DELIVERIES_NAME), true, true));
    }

    /** Every group, with ids from the environment as {@code serve} reads it ({@code JOBPULSE_PROJECTIONS_GROUP_ID}, ...). */
    public static List<Group> of(Map<String, String> env) {
        return of(property -> env.get(property.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_')));
    }

    private static Group group(Function<String, String> setting, String property, String fallback, String role, String what,
                               List<String> topics, boolean fromEarliest, boolean keepsOffsets) {
        String id = setting.apply(property);
        return new Group(id == null || id.isBlank() ? fallback : id.strip(), role, what, topics, fromEarliest, keepsOffsets);
    }
}
