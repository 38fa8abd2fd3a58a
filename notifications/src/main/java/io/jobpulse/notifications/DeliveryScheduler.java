package io.jobpulse.notifications;

import io.jobpulse.events.Delivery;
import io.jobpulse.events.DeliveryReport;
import io.jobpulse.events.Endpoint;
import io.jobpulse.events.Topics;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Queue;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Holds each endpoint's deliveries until they are delivered or given up, and sends them.
 *
 * <p>Order: the deliveries of one endpoint and one job form a sequence, kept in the store in
 * version order; only the first of a sequence is ever due, so a later change goes out only after
 * the earlier one was delivered or given up. Other sequences, of the same endpoint or others, go on.
 *
 * <p>What is waiting, with when it is due next, is in the store (its changelog is in Kafka); which
 * of it is due when is an index in memory, rebuilt from the store whenever a task starts here, so
 * that finding what is due costs no reads of the store however many deliveries have come and gone.
 *
 * <p>Sending never blocks the stream thread: a due delivery is started on the sender and its
 * outcome queued; every {@code send-interval} the punctuation takes the outcomes in and starts
 * what is due. A delivery in flight is in no index; if this instance dies mid-request, the
 * instance that restores the store finds it due and sends it again (at least once, the same
 * {@code webhook-id}). A slow endpoint holds at most {@code max-in-flight-per-endpoint} of the
 * instance's {@code max-in-flight} requests, so it never holds up the others.
 *
 * <p>Retries follow {@code retry-schedule}. {@code 410 Gone}, or failing every attempt for
 * {@code disable-after}, disables the endpoint: its waiting deliveries end as failed, and so do new
 * ones, until its owner resumes or changes it.
 */
final class DeliveryScheduler implements Processor<String, Delivery, String, DeliveryReport> {

    private static final Duration UNKNOWN_ENDPOINT_WAIT = Duration.ofSeconds(1);
    private static final Duration UNKNOWN_ENDPOINT_LIMIT = Duration.ofMinutes(10);
    private static final Duration PAUSED_WAIT = Duration.ofSeconds(2);
    private static final int MOST_STARTED_PER_TICK = 1_000;

    private record Outcome(String entry, Attempt attempt, long endpointVersion, Instant at) {
    }

    /** A delivery that is due at a time: the first of its sequence, not in flight. */
    private record Due(Instant at, String entry) {
    }

    private final NotificationsConfiguration config;
    private final WebhookSender sender;
    private final Clock clock;
    private final DeliveryOutcomes outcomesTold;
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final NavigableSet<Due> due = new TreeSet<>(Comparator.comparing(Due::at).thenComparing(Due::entry));
    private final Map<String, Instant> dueAt = new HashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    private final Map<String, Integer> inFlightPerEndpoint = new HashMap<>();

    private ProcessorContext<String, DeliveryReport> context;
    private KeyValueStore<String, Endpoint> endpoints;
    private KeyValueStore<String, Waiting> deliveries;
    private KeyValueStore<String, EndpointHealth> health;

    DeliveryScheduler(NotificationsConfiguration config, WebhookSender sender, Clock clock, DeliveryOutcomes outcomesTold) {
        this.config = config;
        this.sender = sender;
        this.clock = clock;
        this.outcomesTold = outcomesTold;
    }

    @Override
    public void init(ProcessorContext<String, DeliveryReport> context) {
        this.context = context;
        this.endpoints = context.getStateStore(DeliveryTopology.ENDPOINTS);
        this.deliveries = context.getStateStore(DeliveryTopology.DELIVERIES);
        this.health = context.getStateStore(DeliveryTopology.HEALTH);
        // The store is restored by now: the first of each sequence is due when the store says.
        String sequence = null;
        try (KeyValueIterator<String, Waiting> all = deliveries.all()) {
            while (all.hasNext()) {
                KeyValue<String, Waiting> next = all.next();
                String nextSequence = sequenceOf(next.key);
                if (!nextSequence.equals(sequence)) {
                    schedule(next.key, next.value.nextAttemptAt());
                    sequence = nextSequence;
                }
            }
        }
        context.schedule(config.sendInterval(), PunctuationType.WALL_CLOCK_TIME, timestamp -> tick());
    }

    @Override
    public void process(Record<String, Delivery> record) {
        Delivery delivery = record.value();
        if (delivery == null) {
            return;
        }
        Instant now = clock.instant();
        String entry = entryKey(delivery);
        Waiting held = deliveries.get(entry);
        if (held != null) {
            // The same change read again keeps the one held; a retry asked for makes it due now.
            if (delivery.retry() && dueAt.containsKey(entry)) {
                schedule(entry, now);
            }
            return;
        }
        Waiting waiting = Waiting.of(delivery, now);
        deliveries.put(entry, waiting);
        if (isFirst(entry)) {
            schedule(entry, now);
        }
        report(waiting, DeliveryReport.PENDING, now, null, null, 0);
    }

    private void tick() {
        Instant now = clock.instant();
        for (Outcome outcome = outcomes.poll(); outcome != null; outcome = outcomes.poll()) {
            complete(outcome);
        }
        List<Due> dueNow = new ArrayList<>();
        for (Due next : due) {
            if (next.at().isAfter(now) || dueNow.size() >= MOST_STARTED_PER_TICK) {
                break;
            }
            dueNow.add(next);
        }
        for (Due next : dueNow) {
            if (inFlight.size() >= config.maxInFlight()) {
                return;
            }
            start(next.entry(), now);
        }
    }

    private void start(String entry, Instant now) {
        // Checked on the key alone, before any value is read: with a backlog, most due entries
        // belong to an endpoint that is at its limit.
        String endpointId = entry.substring(0, entry.indexOf('/'));
        if (inFlightPerEndpoint.getOrDefault(endpointId, 0) >= config.maxInFlightPerEndpoint()) {
            return;
        }
        Waiting waiting = deliveries.get(entry);
        if (waiting == null) {
            unschedule(entry);
            return;
        }
        Endpoint endpoint = endpoints.get(endpointId);
        if (endpoint == null) {
            // Not heard of yet (its change is on its way to this instance), or never to be.
            if (waiting.delivery().createdAt().plus(UNKNOWN_ENDPOINT_LIMIT).isBefore(now)) {
                end(entry, waiting, DeliveryReport.FAILED, "not sent: no such endpoint in " + Topics.ENDPOINTS.name(), now, null, 0);
            } else {
                schedule(entry, now.plus(UNKNOWN_ENDPOINT_WAIT));
            }
            return;
        }
        EndpointHealth state = healthOf(endpointId);
        if (Endpoint.DELETED.equals(endpoint.status())) {
            end(entry, waiting, DeliveryReport.FAILED, "not sent: the endpoint was deleted", now, null, endpoint.version());
            return;
        }
        if (state.disabledAt(endpoint.version())) {
            end(entry, waiting, DeliveryReport.FAILED, "not sent: the endpoint is disabled (" + state.disabledReason() + ")", now, null,
                    endpoint.version());
            return;
        }
        if (Endpoint.PAUSED.equals(endpoint.status())) {
            schedule(entry, now.plus(PAUSED_WAIT));
            return;
        }
        unschedule(entry);
        inFlight.add(entry);
        inFlightPerEndpoint.merge(endpointId, 1, Integer::sum);
        long version = endpoint.version();
        sender.send(endpoint, waiting.delivery(), now).whenComplete((attempt, failure) -> outcomes.add(new Outcome(entry,
                attempt != null ? attempt : new Attempt(null, null, String.valueOf(failure)), version, clock.instant())));
    }

    private void complete(Outcome outcome) {
        String entry = outcome.entry();
        inFlight.remove(entry);
        String endpointId = entry.substring(0, entry.indexOf('/'));
        inFlightPerEndpoint.computeIfPresent(endpointId, (id, count) -> count > 1 ? count - 1 : null);
        Waiting waiting = deliveries.get(entry);
        if (waiting == null) {
            return;
        }
        Attempt attempt = outcome.attempt();
        Instant at = outcome.at();
        EndpointHealth state = healthOf(endpointId);
        Waiting attempted = waiting.attempted(attempt, at);
        if (attempt.delivered()) {
            if (state.failingSince() != null) {
                health.put(endpointId, new EndpointHealth(null, state.disabledReason(), state.disabledAtVersion()));
            }
            end(entry, attempted, DeliveryReport.DELIVERED, null, at, Duration.between(waiting.delivery().createdAt(), at).toMillis(),
                    outcome.endpointVersion());
            return;
        }
        outcomesTold.attemptFailed(endpointId);
        Instant failingSince = state.failingSince() != null ? state.failingSince() : at;
        String disable = attempt.gone() ? "it answered 410 Gone"
                : Duration.between(failingSince, at).compareTo(config.disableAfter()) >= 0
                ? "every attempt has failed since " + failingSince + " (jobpulse.notifications.disable-after)" : null;
        if (disable != null) {
            health.put(endpointId, new EndpointHealth(null, disable, outcome.endpointVersion()));
            remove(entry, attempted);
            report(attempted, DeliveryReport.FAILED, at, null, disable, outcome.endpointVersion());
            return;
        }
        health.put(endpointId, new EndpointHealth(failingSince, state.disabledReason(), state.disabledAtVersion()));
        if (attempted.attempts() >= config.retrySchedule().size()) {
            end(entry, attempted, DeliveryReport.FAILED, null, at, null, outcome.endpointVersion());
            return;
        }
        Waiting retrying = attempted.dueAt(at.plus(jittered(config.retrySchedule().get(attempted.attempts()))));
        deliveries.put(entry, retrying);
        schedule(entry, retrying.nextAttemptAt());
        report(retrying, DeliveryReport.RETRYING, at, null, null, outcome.endpointVersion());
    }

    /** Ends a delivery that is held, and makes the next of its sequence due. */
    private void end(String entry, Waiting waiting, String status, String error, Instant at, Long latency, long endpointVersion) {
        Waiting ended = error == null ? waiting : new Waiting(waiting.delivery(), waiting.attempts(), waiting.nextAttemptAt(),
                waiting.responseStatus(), waiting.responseExcerpt(), error, waiting.lastAttemptAt());
        remove(entry, waiting);
        report(ended, status, at, latency, null, endpointVersion);
    }

    private void remove(String entry, Waiting waiting) {
        unschedule(entry);
        deliveries.delete(entry);
        String sequence = waiting.delivery().sequence() + "/";
        try (KeyValueIterator<String, Waiting> it = deliveries.range(sequence, sequence + "\uffff")) {
            if (it.hasNext()) {
                schedule(it.next().key, clock.instant());
            }
        }
    }

    private void schedule(String entry, Instant at) {
        unschedule(entry);
        due.add(new Due(at, entry));
        dueAt.put(entry, at);
    }

    private void unschedule(String entry) {
        Instant at = dueAt.remove(entry);
        if (at != null) {
            due.remove(new Due(at, entry));
        }
    }

    private boolean isFirst(String entry) {
        String sequence = sequenceOf(entry);
        try (KeyValueIterator<String, Waiting> it = deliveries.range(sequence, sequence + "\uffff")) {
            return it.hasNext() && it.next().key.equals(entry);
        }
    }

    private EndpointHealth healthOf(String endpointId) {
        EndpointHealth state = health.get(endpointId);
        return state == null ? EndpointHealth.FINE : state;
    }

    /**
     * Tells the delivery log what became of a delivery. Only its first report carries the body;
     * later ones leave it out, as the log's readers have it from the first.
     */
    private void report(Waiting waiting, String status, Instant at, Long latency, String disabled, long endpointVersion) {
        boolean open = DeliveryReport.PENDING.equals(status) || DeliveryReport.RETRYING.equals(status);
        Delivery delivery = DeliveryReport.PENDING.equals(status) ? waiting.delivery() : waiting.delivery().withoutPayload();
        DeliveryReport report = new DeliveryReport(delivery, status, waiting.attempts(), waiting.responseStatus(),
                waiting.responseExcerpt(), waiting.error(), waiting.lastAttemptAt(), open ? waiting.nextAttemptAt() : null, latency,
                disabled, endpointVersion, at);
        context.forward(new Record<>(delivery.endpointId(), report, at.toEpochMilli()));
        tell(delivery.endpointId(), status, latency);
    }

    private void tell(String endpointId, String status, Long latency) {
        switch (status) {
            case DeliveryReport.DELIVERED -> outcomesTold.delivered(endpointId, Duration.ofMillis(latency));
            case DeliveryReport.FAILED -> outcomesTold.failed(endpointId);
            case DeliveryReport.RETRYING -> outcomesTold.retrying(endpointId);
            default -> {
            }
        }
    }

    private static Duration jittered(Duration wait) {
        if (wait.isZero()) {
            return wait;
        }
        return Duration.ofMillis((long) (wait.toMillis() * ThreadLocalRandom.current().nextDouble(0.9, 1.1)));
    }

    /** {@code <sequence>/<order, 19 digits>/<delivery id>}: a sequence's deliveries in order (pings by time). */
    static String entryKey(Delivery delivery) {
        long order = delivery.jobId() == null ? delivery.createdAt().toEpochMilli() : delivery.version();
        return delivery.sequence() + "/" + String.format("%019d", order) + "/" + delivery.id();
    }

    /** The sequence part of an entry's key, with its trailing slash. */
    private static String sequenceOf(String entry) {
        return entry.substring(0, entry.lastIndexOf('/', entry.lastIndexOf('/') - 1) + 1);
    }
}
