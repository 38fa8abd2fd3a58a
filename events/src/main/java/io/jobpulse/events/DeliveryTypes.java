package io.jobpulse.events;

import java.util.List;
import java.util.stream.Stream;

/**
 * The stable {@code type} of an outbound webhook: {@code job.<status>} when a change moves a job
 * to a status (a submission is {@code job.queued}), {@code job.updated} when it changes a job
 * within its status (progress, message, metadata), and {@code ping} for a test delivery.
 */
public final class DeliveryTypes {

    public static final String PING = "ping";
    public static final String UPDATED = "job.updated";

    /** Every type an endpoint's filter may name. */
    public static final List<String> ALL = Stream.concat(
            Stream.of(JobStatus.values()).map(status -> "job." + status.wireName()), Stream.of(UPDATED, PING)).toList();

    private DeliveryTypes() {
    }

    public static String of(StatusChange change) {
        return change.previousStatus() == change.status() ? UPDATED : "job." + change.status().wireName();
    }
}
