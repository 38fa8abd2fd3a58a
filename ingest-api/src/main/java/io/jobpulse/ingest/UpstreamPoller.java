package io.jobpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.consumers.ConsumerWorker;
import io.jobpulse.consumers.GroupMembership;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobPoll;
import io.jobpulse.events.KafkaSettings;
import io.jobpulse.events.ProviderObservation;
import io.jobpulse.events.RawPayload;
import io.jobpulse.events.Roles;
import io.jobpulse.events.TokenBucket;
import io.jobpulse.events.Topics;
import io.jobpulse.events.TraceHeaders;
import io.jobpulse.outbound.OutboundConfiguration;
import io.jobpulse.outbound.OutboundRequests;
import io.jobpulse.outbound.OutboundUrl;
import io.jobpulse.ingest.webhooks.Providers;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Polls the status URLs of the jobs that asked for it ({@code job.poll-requested}) until they
 * end, and writes what changed as {@code job.poll-observed} events.
 *
 * <p>Which jobs to poll comes from {@code jobpulse.job-polls} (compacted; the topology writes a
 * job's poll while it is open and a tombstone when it ends). The pollers of all ingest instances
 * share that topic in one consumer group, so each polled job has exactly one poller, and a
 * poller rebuilds its set from the start of the partitions it is given: polling survives
 * restarts and rebalances, and no job is forgotten.
 *
 * <p>A reconciling poll ({@code quietFor}) waits until the job has heard nothing for that long (the
 * topology republishes its poll at every change, with the change's time), so it costs nothing
 * while callbacks flow and catches the job when they stop. Each job is polled first at once (or
 * once quiet), then every {@code interval} while its answers change; a callback with no status
 * (a thin one) makes the poller fetch at once;
 * an unchanged answer, an error or a timeout doubles the wait (with jitter) up to
 * {@code jobpulse.poller.max-wait}, and {@code Retry-After} on a 429 or 503 is obeyed. At most
 * {@code max-concurrent-polls} requests per provider are in flight, and at most
 * {@code max-polls-per-second} start per second; within that, one owner's jobs have at most
 * {@code jobpulse.outbound.per-owner-concurrent-polls} requests in flight and start at most
 * {@code per-owner-polls-per-second}, so one owner's many jobs cannot use a provider's whole
 * budget. Unchanged answers write nothing.
 *
 * <p>Requests go through {@link OutboundRequests}: a job's status URL must be one of its
 * provider's status URL templates (else the job is not polled), its host must resolve to
 * addresses Jobpulse may call at the time of each request, and answers are capped in size and
 * time; a refused, oversized or late answer counts as a failed poll and is waited out. The
 * credential is the one the operator gave the matching template (a credential name stored in an
 * older poll is ignored); it goes into the request's {@code Authorization} header only, never
 * into events or logs.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.INGEST)
@Requires(property = PollerConfiguration.ENABLED, notEquals = "false")
public class UpstreamPoller extends ConsumerWorker {

    private static final Logger LOG = LoggerFactory.getLogger(UpstreamPoller.class);
    private static final EventSource POLLER = EventSource.system("poller");
    /** The owner of a job whose poll was written before polls named their owner: each such job counts alone. */
    private static final String UNKNOWN_OWNER = "\u0000job:";

    /** One polled job. The consumer thread owns the map; completions update the fields. */
    private static final class Task {
        final String jobId;
        final int partition;
        final JobPoll poll;
        final String owner;
        volatile Instant nextAt = Instant.EPOCH;
        volatile Instant lastChangeAt;
        volatile Instant lastNudge;
        volatile boolean nudged;
        volatile Duration wait;
        volatile String lastSeen;
        volatile boolean inFlight;
        volatile boolean ended;
        /** The trace context of the latest record about the job's poll: each poll's request joins that trace. */
        volatile Context trace = Context.root();

        Task(String jobId, int partition, JobPoll poll, String owner, Instant lastChangeAt) {
            this.jobId = jobId;
            this.partition = partition;
            this.poll = poll;
            this.owner = owner == null ? UNKNOWN_OWNER + jobId : owner;
            this.wait = poll.interval();
            this.lastChangeAt = lastChangeAt;
        }

        /** A reconciling poll waits until the job has been quiet long enough, unless a thin callback nudged it. */
        Instant quietUntil() {
            return nudged || poll.quietFor() == null || lastChangeAt == null ? Instant.EPOCH : lastChangeAt.plus(poll.quietFor());
        }

        /** A thin callback arrived: poll now, once, whatever the wait. */
        void nudge(Instant at) {
            if (at != null && (lastNudge == null || at.isAfter(lastNudge))) {
                lastNudge = at;
                nudged = true;
                nextAt = Instant.EPOCH;
            }
        }
    }

    private final Providers providers;
    private final JobEventPublisher publisher;
    private final OutboundRequests outbound;
    private final OutboundConfiguration limits;
    private final IngestMetrics metrics;
    private final Duration maxWait;
    private final Clock clock;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> inFlight = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> rates = new ConcurrentHashMap<>();
    private final Map<String, Semaphore> ownerInFlight = new ConcurrentHashMap<>();
    private final Map<String, TokenBucket> ownerRates = new ConcurrentHashMap<>();

    @Inject
    public UpstreamPoller(Providers providers, JobEventPublisher publisher, OutboundRequests outbound, OutboundConfiguration limits,
                          PollerConfiguration config, GroupMembership membership, IngestMetrics metrics,
                          @Property(name = KafkaSettings.BOOTSTRAP_SERVERS) String bootstrapServers) {
        this(providers, publisher, outbound, limits, config, membership, metrics, bootstrapServers, Clock.systemUTC());
    }

    UpstreamPoller(Providers providers, JobEventPublisher publisher, OutboundRequests outbound, OutboundConfiguration limits,
                   PollerConfiguration config, GroupMembership membership, IngestMetrics metrics, String bootstrapServers,
                   Clock clock) {
        super("jobpulse-poller", Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, config.groupId()), membership);
        this.providers = providers;
        this.publisher = publisher;
        this.outbound = outbound;
        this.limits = limits;
        this.metrics = metrics;
        this.maxWait = config.maxWait();
        this.clock = clock;
    }

    @Override
    protected void subscribe() {
        consumer.subscribe(List.of(Topics.JOB_POLLS.name()), new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                partitions.forEach(p -> tasks.values().removeIf(task -> task.partition == p.partition()));
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                // The set of polled jobs is the compacted topic itself: read it again from the start.
                consumer.seekToBeginning(partitions);
            }
        });
    }

    @Override
    protected void handle(ConsumerRecords<String, byte[]> records) {
        records.forEach(this::track);
        pollDue(clock.instant());
    }

    private void track(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            tasks.remove(record.key());
            return;
        }
        Topics.JOB_POLLS.decodeOrSkip(record.value(), record.partition(), record.offset()).ifPresent(polled -> {
            Task known = tasks.get(record.key());
            if (known == null || !known.poll.equals(polled.poll())) {
                known = new Task(record.key(), record.partition(), polled.poll(), polled.owner(), polled.lastChangeAt());
                tasks.put(record.key(), known);
            } else {
                known.lastChangeAt = polled.lastChangeAt();
            }
            known.nudge(polled.nudgedAt());
            known.trace = TraceHeaders.extract(record.headers());
        });
    }

    private void pollDue(Instant now) {
        for (Task task : tasks.values()) {
            if (task.ended || task.inFlight || task.nextAt.isAfter(now) || task.quietUntil().isAfter(now)) {
                continue;
            }
            Optional<Providers.Provider> provider = providers.find(task.poll.provider());
            if (provider.isEmpty()) {
                LOG.warn("job {} is to be polled at provider '{}', which is not configured; not polling it", task.jobId, task.poll.provider());
                task.ended = true;
                continue;
            }
            Optional<Providers.Status> template = statusUrlOf(task, provider.get());
            if (template.isEmpty()) {
                task.ended = true;
                continue;
            }
            Semaphore limit = inFlight.computeIfAbsent(provider.get().name(), name -> new Semaphore(provider.get().maxConcurrentPolls()));
            TokenBucket rate = rates.computeIfAbsent(provider.get().name(), name -> new TokenBucket(provider.get().maxPollsPerSecond(), now));
            Semaphore ownerLimit = ownerInFlight.computeIfAbsent(task.owner, owner -> new Semaphore(limits.perOwnerConcurrentPolls()));
            TokenBucket ownerRate = ownerRates.computeIfAbsent(task.owner, owner -> new TokenBucket(limits.perOwnerPollsPerSecond(), now));
            if (!ownerLimit.tryAcquire()) {
                continue;
            }
            if (!limit.tryAcquire()) {
                ownerLimit.release();
                continue;
            }
            // The owner's token is taken last: a request the provider's budget holds back costs the owner nothing.
            if (!rate.tryAcquire(now) || !ownerRate.tryAcquire(now)) {
                limit.release();
                ownerLimit.release();
                continue;
            }
            task.inFlight = true;
            task.nudged = false;
            OutboundUrl url = OutboundUrl.parse(task.poll.statusUrl());
            Context trace = task.trace;
            try (Scope ignored = trace.makeCurrent()) {
                send(task, provider.get(), template.get(), url, trace, limit, ownerLimit);
            }
        }
    }

    /** Sends one poll; the answer is handled, and what it leads to written, in the poll's trace. */
    private void send(Task task, Providers.Provider provider, Providers.Status template, OutboundUrl url, Context trace,
                      Semaphore limit, Semaphore ownerLimit) {
        outbound.send("GET", url, template.template(), provider.authorization(template), Map.of("Accept", "application/json"))
                .whenComplete((answer, failure) -> {
                    try (Scope ignored = trace.makeCurrent()) {
                        handle(task, provider, answer, failure);
                    } catch (RuntimeException e) {
                        LOG.warn("poll of job {} failed: {}", task.jobId, e.getMessage());
                        backOff(task, null);
                    } finally {
                        limit.release();
                        ownerLimit.release();
                        task.inFlight = false;
                    }
                });
    }

    /** The provider's status URL template the job's URL is one of; none means the job is never polled. */
    private static Optional<Providers.Status> statusUrlOf(Task task, Providers.Provider provider) {
        try {
            Optional<Providers.Status> template = provider.statusUrlOf(OutboundUrl.parse(task.poll.statusUrl()));
            if (template.isEmpty()) {
                LOG.warn("job {}'s status URL is not one of provider '{}''s status URLs ({}); not polling it", task.jobId,
                        provider.name(), provider.statusTemplates().isEmpty() ? "none configured" : provider.statusTemplates());
            }
            return template;
        } catch (OutboundUrl.Invalid e) {
            LOG.warn("job {}'s status URL cannot be called ({}); not polling it", task.jobId, e.getMessage());
            return Optional.empty();
        }
    }

    private void handle(Task task, Providers.Provider provider, OutboundRequests.Answer response, Throwable failure) {
        if (failure != null) {
            Throwable cause = OutboundRequests.cause(failure);
            if (cause instanceof OutboundRequests.Refused || cause instanceof OutboundRequests.AnswerTooLarge) {
                LOG.warn("poll of job {} failed, waiting before the next: {}", task.jobId, OutboundRequests.reason(cause));
            } else {
                LOG.debug("poll of job {} did not answer: {}", task.jobId, OutboundRequests.reason(cause));
            }
            metrics.poll(provider.name(), IngestMetrics.PollOutcome.NO_ANSWER);
            backOff(task, null);
            return;
        }
        int status = response.status();
        if (status == 429 || status == 503) {
            metrics.poll(provider.name(), IngestMetrics.PollOutcome.THROTTLED);
            backOff(task, response.headers().firstValue("Retry-After").flatMap(UpstreamPoller::seconds).orElse(null));
            return;
        }
        if (status / 100 != 2) {
            metrics.poll(provider.name(), IngestMetrics.PollOutcome.ERROR_STATUS);
            backOff(task, null);
            return;
        }
        JsonNode body = ProviderBody.read(response.body());
        ProviderObservation observation = provider.adapter().observe(body);
        String seen = observation.status() + "|" + observation.rawStatus() + "|" + observation.progress() + "|"
                + observation.message() + "|" + (observation.result() != null) + "|" + observation.error();
        if (seen.equals(task.lastSeen)) {
            metrics.poll(provider.name(), IngestMetrics.PollOutcome.UNCHANGED);
            backOff(task, null);
            return;
        }
        Instant now = clock.instant();
        publisher.publish(new JobEvent.PollObserved(Ids.next(), task.jobId, now, now, POLLER, provider.name(),
                task.poll.statusUrl(), observation, new RawPayload(Map.of(":status", Integer.toString(status)), body)));
        task.lastSeen = seen;
        metrics.poll(provider.name(), IngestMetrics.PollOutcome.CHANGED);
        task.ended = observation.status() != null && observation.status().isTerminal();
        task.wait = task.poll.interval();
        task.nextAt = now.plus(jitter(task.wait));
    }

    /** Waits longer before the next poll: the server's Retry-After, or double the last wait, up to the maximum. */
    private void backOff(Task task, Duration retryAfter) {
        Duration doubled = task.wait.multipliedBy(2);
        task.wait = doubled.compareTo(maxWait) > 0 ? maxWait : doubled;
        task.nextAt = clock.instant().plus(retryAfter != null ? retryAfter : jitter(task.wait));
    }

    private static Duration jitter(Duration wait) {
        long millis = wait.toMillis();
        return Duration.ofMillis(millis - millis / 5 + ThreadLocalRandom.current().nextLong(millis * 2 / 5 + 1));
    }

    private static Optional<Duration> seconds(String retryAfter) {
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(retryAfter.trim())));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
