package io.jobpulse.notifications;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of the notifications role ({@code jobpulse.notifications.*}): outbound webhooks.
 *
 * @param applicationId          the Kafka Streams application id of the deliveries (consumer group, internal topic prefix)
 * @param retrySchedule          how long to wait before each attempt of a delivery: the first is the first attempt's
 *                               (immediately), each next one follows a failure; a delivery that fails them all is
 *                               given up. Each wait but the first varies by up to a tenth either way (jitter)
 * @param requestTimeout         how long one attempt may take, from the lookup of the host to the last byte of the answer
 * @param disableAfter           how long an endpoint may fail every attempt before it is disabled
 * @param secretOverlap          how long a rotated-out secret keeps signing beside the new one
 * @param allowHttp              whether an endpoint's URL may be plain {@code http} (for development); otherwise only {@code https}
 * @param httpOrigins            origins ({@code http://127.0.0.1:43117}) whose URLs may be plain {@code http} even without
 *                               {@code allowHttp}: one receiver let through, as {@code dev --demo} lets its own
 * @param maxInFlight            how many deliveries may be in flight at once, per instance
 * @param maxInFlightPerEndpoint how many of one endpoint's deliveries may be in flight at once, per instance
 * @param sendInterval           how often, in wall-clock time, due deliveries are looked for and started
 * @param maxEndpointsPerOwner   how many endpoints one owner may have
 * @param responseExcerpt        how many characters of an endpoint's answer are kept with the delivery
 * @param registrationWait       how long registering or changing an endpoint waits for this instance's deliveries to
 *                               know of it, so that a job changed right after the answer is matched against it
 * @param streams                any further Kafka Streams properties, passed through as given
 */
@ConfigurationProperties("jobpulse.notifications")
public record NotificationsConfiguration(
        @Bindable(defaultValue = "jobpulse-notifications") String applicationId,
        @Bindable(defaultValue = "0s,5s,5m,30m,2h,5h,10h") List<Duration> retrySchedule,
        @Bindable(defaultValue = "15s") Duration requestTimeout,
        @Bindable(defaultValue = "5d") Duration disableAfter,
        @Bindable(defaultValue = "24h") Duration secretOverlap,
        @Bindable(defaultValue = "false") boolean allowHttp,
        @Nullable List<String> httpOrigins,
        @Bindable(defaultValue = "512") int maxInFlight,
        @Bindable(defaultValue = "16") int maxInFlightPerEndpoint,
        @Bindable(defaultValue = "20ms") Duration sendInterval,
        @Bindable(defaultValue = "50") int maxEndpointsPerOwner,
        @Bindable(defaultValue = "1000") int responseExcerpt,
        @Bindable(defaultValue = "5s") Duration registrationWait,
        Map<String, String> streams) {

    public NotificationsConfiguration {
        streams = streams == null ? Map.of() : streams;
        httpOrigins = httpOrigins == null ? List.of() : List.copyOf(httpOrigins);
        if (retrySchedule == null || retrySchedule.isEmpty()) {
            throw new IllegalArgumentException("jobpulse.notifications.retry-schedule needs at least one entry (the first attempt's wait)");
        }
        retrySchedule = List.copyOf(retrySchedule);
        if (maxInFlight < 1 || maxInFlightPerEndpoint < 1) {
            throw new IllegalArgumentException("jobpulse.notifications.max-in-flight and max-in-flight-per-endpoint must be above zero");
        }
    }
}
