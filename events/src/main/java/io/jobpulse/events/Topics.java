package io.jobpulse.events;

import org.apache.kafka.common.serialization.Serdes;

import java.time.Duration;
import java.util.List;

/**
 * The catalogue of Jobpulse's topics: the jobs' (keyed by job id), the outbound webhooks' (keyed by endpoint id)
 * and the batches' (keyed by batch id).
 */
public final class Topics {

    public static final String JOB_EVENTS_NAME = "jobpulse.job-events";
    public static final String JOB_STATUS_NAME = "jobpulse.job-status";
    public static final String JOB_EVENTS_REJECTED_NAME = "jobpulse.job-events-rejected";
    public static final String JOB_POLLS_NAME = "jobpulse.job-polls";
    public static final String PROVIDER_REQUESTS_NAME = "jobpulse.provider-requests";
    public static final String PROVIDER_CALLBACKS_NAME = "jobpulse.provider-callbacks";
    public static final String ENDPOINTS_NAME = "jobpulse.endpoints";
    public static final String DELIVERIES_NAME = "jobpulse.deliveries";
    public static final String DELIVERY_LOG_NAME = "jobpulse.delivery-log";
    public static final String BATCH_EVENTS_NAME = "jobpulse.batch-events";
    public static final String BATCH_STATUS_NAME = "jobpulse.batch-status";

    /**
     * The name of the topology's repartition topic that carries the member jobs' changes re-keyed by
     * batch id: Kafka Streams creates {@code <application.id>-batch-job-changes-repartition}.
     */
    public static final String BATCH_JOB_CHANGES_REPARTITION = "batch-job-changes";

    /** The log: every event of every job, kept for audit and replay. */
    public static final Topic<String, JobEvent> JOB_EVENTS =
            new Topic<>(JOB_EVENTS_NAME, Serdes.String(), JobJson.serde(JobEvent.class), new Topic.Cleanup.KeptForever());

    /** One record per applied change, with the full state after it, and CloudEvents headers. */
    public static final Topic<String, StatusChange> JOB_STATUS =
            new Topic<>(JOB_STATUS_NAME, Serdes.String(), JobJson.serde(StatusChange.class), new Topic.Cleanup.KeptAsConfigured());

    /** Events the fold refused, with the reason. */
    public static final Topic<String, RejectedEvent> JOB_EVENTS_REJECTED =
            new Topic<>(JOB_EVENTS_REJECTED_NAME, Serdes.String(), JobJson.serde(RejectedEvent.class), new Topic.Cleanup.KeptForever());

    /**
     * The jobs Jobpulse polls now, compacted: the job's poll while it is open and polled (again at
     * every change of a reconciled job, with its time), a tombstone once it ends or stops being
     * polled. The pollers of the ingest role share it in a consumer group, so each polled job has
     * one poller.
     */
    public static final Topic<String, PollSchedule> JOB_POLLS =
            new Topic<>(JOB_POLLS_NAME, Serdes.String(), JobJson.serde(PollSchedule.class), new Topic.Cleanup.Compacted());

    /**
     * Which job a provider's request belongs to, compacted: key {@code <provider>:<requestId>},
     * value the job id. Written by the topology when a job learns its provider request.
     */
    public static final Topic<String, String> PROVIDER_REQUESTS =
            new Topic<>(PROVIDER_REQUESTS_NAME, Serdes.String(), Serdes.String(), new Topic.Cleanup.Compacted());

    /**
     * Callbacks that name no job, only the provider's request (key {@code <provider>:<requestId>}),
     * waiting to be routed to their job's events by the topology. Co-partitioned with
     * {@link #PROVIDER_REQUESTS}.
     */
    public static final Topic<String, JobEvent> PROVIDER_CALLBACKS =
            new Topic<>(PROVIDER_CALLBACKS_NAME, Serdes.String(), JobJson.serde(JobEvent.class),
                    // Routing is quick or fails within minutes; a week is for inspection.
                    new Topic.Cleanup.KeptFor(Duration.ofDays(7)));

    /**
     * Every change of every outbound webhook endpoint, with the endpoint as it stands after it, kept
     * for audit and replay. It holds the endpoints' signing secrets: restrict who may read it as
     * you restrict the database.
     */
    public static final Topic<String, EndpointChange> ENDPOINTS =
            new Topic<>(ENDPOINTS_NAME, Serdes.String(), JobJson.serde(EndpointChange.class), new Topic.Cleanup.KeptForever());

    /** The webhooks to send, keyed by endpoint: one per matching job change, test and retry asked for. */
    public static final Topic<String, Delivery> DELIVERIES =
            new Topic<>(DELIVERIES_NAME, Serdes.String(), JobJson.serde(Delivery.class), new Topic.Cleanup.KeptAsConfigured());

    /** What became of each delivery, keyed by endpoint: when it is held, after each attempt, when it ends. */
    public static final Topic<String, DeliveryReport> DELIVERY_LOG =
            new Topic<>(DELIVERY_LOG_NAME, Serdes.String(), JobJson.serde(DeliveryReport.class), new Topic.Cleanup.KeptAsConfigured());

    /**
     * The batches' own events (opened, jobs added, closed, canceled), keyed by batch id, written in the
     * same transaction as the submissions of the batch's jobs; kept for audit and replay.
     */
    public static final Topic<String, BatchEvent> BATCH_EVENTS =
            new Topic<>(BATCH_EVENTS_NAME, Serdes.String(), JobJson.serde(BatchEvent.class), new Topic.Cleanup.KeptForever());

    /** One record per visible change of a batch, with the whole aggregate after it, and CloudEvents headers. */
    public static final Topic<String, BatchChange> BATCH_STATUS =
            new Topic<>(BATCH_STATUS_NAME, Serdes.String(), JobJson.serde(BatchChange.class), new Topic.Cleanup.KeptAsConfigured());

    public static final List<Topic<String, ?>> ALL = List.of(JOB_EVENTS, JOB_STATUS, JOB_EVENTS_REJECTED, JOB_POLLS,
            PROVIDER_REQUESTS, PROVIDER_CALLBACKS, ENDPOINTS, DELIVERIES, DELIVERY_LOG, BATCH_EVENTS, BATCH_STATUS);

    /**
     * The key of a provider's request on {@link #PROVIDER_REQUESTS} and {@link #PROVIDER_CALLBACKS}
     * (and of the topology's stores keyed the same way): {@code <provider>:<requestId>}.
     */
    public static String providerRequestKey(String provider, String requestId) {
        return provider + ":" + requestId;
    }

    private Topics() {
    }
}
