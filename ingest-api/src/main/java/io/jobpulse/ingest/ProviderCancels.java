package io.jobpulse.ingest;

import io.jobpulse.consumers.ConsumerWorker;
import io.jobpulse.consumers.GroupMembership;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.Roles;
import io.jobpulse.events.StatusChange;
import io.jobpulse.events.Topics;
import io.jobpulse.events.TraceHeaders;
import io.jobpulse.outbound.OutboundRequests;
import io.jobpulse.outbound.OutboundUrl;
import io.jobpulse.ingest.webhooks.Providers;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.opentelemetry.context.Scope;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Propagates cancels: when a cancel request ends a job whose provider request is known, asks the
 * provider to cancel that request ({@code jobpulse.providers.<name>.cancel-url}), up to three
 * times with a growing pause, and records the answer as a {@code job.provider-cancel-recorded}
 * event. It reads {@code jobpulse.job-status} in its own consumer group, so each cancel is
 * propagated by one instance, and commits only after the answer is recorded (a crash repeats a
 * call rather than losing one; providers treat a second cancel of a canceled request as done).
 * A new group starts at the end of the topic: deploying it does not cancel anything that was
 * canceled before. Runs off the request path, in the ingest role.
 *
 * <p>Calls go through {@link OutboundRequests}, under the same rules as status polls: the URL
 * filled in must still be one of the {@code cancel-url} template's (a request id that would lead
 * elsewhere, such as {@code ..}, is not sent), its host must resolve to addresses Jobpulse may
 * call, and answers are capped in size and time. A refused call is recorded as failed with the
 * reason, and not repeated.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.INGEST)
@Requires(property = ProviderCancels.ENABLED, notEquals = "false")
public class ProviderCancels extends ConsumerWorker {

    public static final String ENABLED = "jobpulse.provider-cancels.enabled";

    private static final Logger LOG = LoggerFactory.getLogger(ProviderCancels.class);
    private static final EventSource SOURCE = EventSource.system("provider-cancels");
    private static final int ATTEMPTS = 3;

    private final Providers providers;
    private final JobEventPublisher publisher;
    private final OutboundRequests outbound;
    private volatile boolean assigned;

    public ProviderCancels(Providers providers, JobEventPublisher publisher, OutboundRequests outbound, GroupMembership membership,
                           @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers,
                           @Property(name = "jobpulse.provider-cancels.group-id", defaultValue = "jobpulse-provider-cancels") String groupId) {
        super("jobpulse-provider-cancels", Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, groupId, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"), membership);
        this.providers = providers;
        this.publisher = publisher;
        this.outbound = outbound;
    }

    /** Whether this instance holds partitions of the status topic (and so will see new cancels). */
    public boolean isAssigned() {
        return assigned;
    }

    @Override
    protected void subscribe() {
        consumer.subscribe(List.of(Topics.JOB_STATUS.name()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                assigned = false;
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                partitions.forEach(consumer::position);
                assigned = !consumer.assignment().isEmpty();
            }
        });
    }

    /** Propagates the cancels among the records, then commits: a crash repeats a call rather than missing one. */
    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        records.forEach(this::handle);
        if (!records.isEmpty()) {
            consumer.commitSync();
        }
    }

    /** A cancel is called, and its outcome written, in the trace of the change that asked for it. */
    private void handle(ConsumerRecord<String, byte[]> record) {
        try (Scope ignored = TraceHeaders.extract(record.headers()).makeCurrent()) {
            propagate(record);
        }
    }

    private void propagate(ConsumerRecord<String, byte[]> record) {
        StatusChange change = Topics.JOB_STATUS.decodeOrSkip(record.value(), record.partition(), record.offset()).orElse(null);
        if (change == null || change.status() != JobStatus.CANCELED || !JobEvent.CancelRequested.WIRE_NAME.equals(change.causeEventType())
                || change.job().provider() == null || change.job().provider().requestId() == null) {
            return;
        }
        String requestId = change.job().provider().requestId();
        providers.find(change.job().provider().name()).filter(provider -> provider.cancel() != null)
                .ifPresent(provider -> publisher.publish(cancel(change.jobId(), provider, requestId)));
    }

    private JobEvent.ProviderCancelRecorded cancel(String jobId, Providers.Provider provider, String requestId) {
        Integer status = null;
        String detail = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                OutboundUrl url = OutboundUrl.parse(provider.cancel().url(requestId));
                status = outbound.sendAndWait(provider.cancel().method(), url, provider.cancel().template(),
                        provider.cancel().authorization()).status();
                if (status / 100 == 2) {
                    detail = null;
                    break;
                }
                detail = "the provider answered " + status;
            } catch (OutboundUrl.Invalid e) {
                // Not sent, and sending again would be refused again.
                status = null;
                detail = "not sent: the cancel URL of request id '" + requestId + "' cannot be called: " + e.getMessage();
                break;
            } catch (OutboundRequests.Refused e) {
                status = null;
                detail = OutboundRequests.reason(e);
                break;
            } catch (RuntimeException e) {
                status = null;
                detail = "the provider did not answer: " + OutboundRequests.reason(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                detail = "interrupted";
                break;
            }
            pause(attempt);
        }
        boolean succeeded = status != null && status / 100 == 2;
        if (!succeeded) {
            // The request id may have come from a provider's answer: no control characters reach the log.
            LOG.warn("job {}: {} did not cancel request {}: {}", jobId, provider.name(), requestId.replaceAll("\\p{Cntrl}", "?"), detail);
        }
        Instant now = Instant.now();
        return new JobEvent.ProviderCancelRecorded(Ids.next(), jobId, now, now, SOURCE, provider.name(), requestId,
                succeeded, status, detail);
    }

    private static void pause(int attempt) {
        if (attempt < ATTEMPTS) {
            try {
                Thread.sleep(500L * attempt);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
