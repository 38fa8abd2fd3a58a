package io.jobpulse.notifications;

import io.jobpulse.events.Delivery;
import io.jobpulse.events.DeliveryReport;
import io.jobpulse.events.Endpoint;
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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Holds each endpoint's deliveries until they are delivered or given up, and sends them.
 *
 * <p>Order: the deliveries of one endpoint and one job form a sequence, kept in the store in
 * version order; only the first of a sequence is ever due, so a later change goes out only after
 * the earlier one was delivered or given up. Other sequences, of the same endpoint or others, go on.
 *
 * <p>Sending never blocks the stream thread: a due delivery is started on the sender and its
 * outcome queued; every {@code send-interval} the punctuation takes the outcomes in and starts
 * what is due. While a delivery is in flight its due time is a lease (the request timeout and a
 * margin): if this instance dies mid-request, whichever instance restores the store sends it again
 * when the lease ends. A slow endpoint holds at most {@code max-in-flight-per-endpoint} of the
 * instance's {@code max-in-flight} requests, so it never holds up the others.
 *
 * <p>Retries follow {@code retry-schedule}. {@code 410 Gone}, or failing every attempt for
 * {@code disable-after}, disables the endpoint: its waiting deliveries end as failed, and so do new
 * ones, until its owner resumes or changes it.
 */
final class DeliveryScheduler implements Processor<String, Delivery, String, DeliveryReport> {

    private static final Duration UNKNOWN_ENDPOINT_WAIT = Duration.ofSeconds(1);
    private static final Duration PAUSED_WAIT = Duration.ofSeconds(2);
    private static final Duration LEASE_MARGIN = Duration.ofSeconds(5);
    private static final int MOST_STARTED_PER_TICK = 1_000;

    private record Outcome(String entry, Attempt attempt, long endpointVersion, Instant at) {
    }

    private final NotificationsConfiguration config;
    private final WebhookSender sender;
    private final Clock clock;
    private final DeliveryOutcomes outcomesTold;
    private final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final Set<String> inFlight = new HashSet<>();
    private final Map<String, Integer> inFlightPerEndpoint = new HashMap<>();

    private ProcessorContext<String, DeliveryReport> context;
    private KeyValueStore<String, Endpoint> endpoints;
    private KeyValueStore<String, Waiting> deliveries;
    private KeyValueStore<String, String> due;
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
        this.due = context.getStateStore(DeliveryTopology.DUE);
        this.health = context.getStateStore(DeliveryTopology.HEALTH);
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
            if (delivery.retry() && !inFlight.contains(entry) && isFirst(entry)) {
                moveDue(entry, held, now);
            }
            return;
        }
        Waiting waiting = Waiting.of(delivery, now);
        deliveries.put(entry, waiting);
        if (isFirst(entry)) {
            due.put(dueKey(now, entry), entry);
        }
        report(waiting, DeliveryReport.PENDING, now, null, null, 0);
    }

    private void tick() {
        Instant now = clock.instant();
        for (Outcome outcome = outcomes.poll(); outcome != null; outcome = outcomes.poll()) {
            complete(outcome);
        }
        List<KeyValue<String, String>> dueNow = new ArrayList<>();
        try (KeyValueIterator<String, String> it = due.range("", String.format("%019d", now.toEpochMilli()) + "/\uffff")) {
            while (it.hasNext() && dueNow.size() < MOST_STARTED_PER_TICK) {
                dueNow.add(it.next());
            }
        }
        for (KeyValue<String, String> next : dueNow) {
            if (inFlight.size() >= config.maxInFlight()) {
                return;
            }
            start(next.key, next.value, now);
        }
    }

    private void start(String dueKey, String entry, Instant now) {
        // Checked on the key alone, before any value is read: with a backlog, most due entries
        // belong to an endpoint that is at its limit, and reading them was most of the tick's time.
        String endpointId = entry.substring(0, entry.indexOf('/'));
        if (inFlight.contains(entry) || inFlightPerEndpoint.getOrDefault(endpointId, 0) >= config.maxInFlightPerEndpoint()) {
            return;
        }
        Waiting waiting = deliveries.get(entry);
        if (waiting == null) {
            due.delete(dueKey);
            return;
        }
        Endpoint endpoint = endpoints.get(endpointId);
        if (endpoint == null) {
            moveDue(entry, waiting, now.plus(UNKNOWN_ENDPOINT_WAIT));
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
            moveDue(entry, waiting, now.plus(PAUSED_WAIT));
            return;
        }
        moveDue(entry, waiting, now.plus(config.requestTimeout()).plus(LEASE_MARGIN));
        inFlight.add(entry);
        inFlightPerEndpoint.merge(endpointId, 1, Integer::sum);
        long version = endpoint.version();
        sender.send(endpoint, waiting.delivery(), now).whenComplete((attempt, failure) -> outcomes.add(new Outcome(entry,
                attempt != null ? attempt : new Attempt(null, null, String.valueOf(failure)), version, clock.instant())));
    }

    private void complete(Outcome outcome) {
        String entry = outcome.entry();
        inFlight.remove(entry);
        Waiting waiting = deliveries.get(entry);
        if (waiting == null) {
            return;
        }
        String endpointId = waiting.delivery().endpointId();
        inFlightPerEndpoint.computeIfPresent(endpointId, (id, count) -> count > 1 ? count - 1 : null);
        Attempt attempt = outcome.attempt();
        Instant at = outcome.at();
        EndpointHealth state = healthOf(endpointId);
        if (attempt.delivered()) {
            if (state.failingSince() != null) {
                health.put(endpointId, new EndpointHealth(null, state.disabledReason(), state.disabledAtVersion()));
            }
            Waiting delivered = waiting.failed(attempt, at, null);
            end(entry, delivered, DeliveryReport.DELIVERED, null, at, Duration.between(waiting.delivery().createdAt(), at).toMillis(),
                    outcome.endpointVersion());
            return;
        }
        outcomesTold.attemptFailed(endpointId);
        Instant failingSince = state.failingSince() != null ? state.failingSince() : at;
        String disable = attempt.gone() ? "it answered 410 Gone"
                : Duration.between(failingSince, at).compareTo(config.disableAfter()) >= 0
                ? "every attempt has failed since " + failingSince + " (jobpulse.notifications.disable-after)" : null;
        Waiting failed = waiting.failed(attempt, at, null);
        if (disable != null) {
            health.put(endpointId, new EndpointHealth(null, disable, outcome.endpointVersion()));
            endDisabling(entry, failed, at, disable, outcome.endpointVersion());
            return;
        }
        health.put(endpointId, new EndpointHealth(failingSince, state.disabledReason(), state.disabledAtVersion()));
        if (failed.attempts() >= config.retrySchedule().size()) {
            end(entry, failed, DeliveryReport.FAILED, null, at, null, outcome.endpointVersion());
            return;
        }
        Instant next = at.plus(jittered(config.retrySchedule().get(failed.attempts())));
        due.delete(dueKey(waiting.nextAttemptAt(), entry));
        Waiting retrying = failed.dueAt(next);
        deliveries.put(entry, retrying);
        due.put(dueKey(next, entry), entry);
        report(retrying, DeliveryReport.RETRYING, at, null, null, outcome.endpointVersion());
    }

    /** Ends a delivery that is held, and makes the next of its sequence due. */
    private void end(String entry, Waiting waiting, String status, String error, Instant at, Long latency, long endpointVersion) {
        Waiting ended = error == null ? waiting : new Waiting(waiting.delivery(), waiting.attempts(), waiting.nextAttemptAt(),
                waiting.responseStatus(), waiting.responseExcerpt(), error, waiting.lastAttemptAt());
        remove(entry, waiting);
        report(ended, status, at, latency, null, endpointVersion);
    }

    private void endDisabling(String entry, Waiting waiting, Instant at, String reason, long endpointVersion) {
        remove(entry, waiting);
        report(waiting, DeliveryReport.FAILED, at, null, reason, endpointVersion);
    }

    private void remove(String entry, Waiting waiting) {
        Waiting stored = deliveries.get(entry);
        if (stored != null) {
            due.delete(dueKey(stored.nextAttemptAt(), entry));
        }
        deliveries.delete(entry);
        String sequence = waiting.delivery().sequence() + "/";
        try (KeyValueIterator<String, Waiting> it = deliveries.range(sequence, sequence + "\uffff")) {
            if (it.hasNext()) {
                KeyValue<String, Waiting> next = it.next();
                moveDue(next.key, next.value, clock.instant());
            }
        }
    }

    private void moveDue(String entry, Waiting waiting, Instant at) {
        due.delete(dueKey(waiting.nextAttemptAt(), entry));
        deliveries.put(entry, waiting.dueAt(at));
        due.put(dueKey(at, entry), entry);
    }

    private boolean isFirst(String entry) {
        String sequence = entry.substring(0, entry.lastIndexOf('/', entry.lastIndexOf('/') - 1) + 1);
        try (KeyValueIterator<String, Waiting> it = deliveries.range(sequence, sequence + "\uffff")) {
            return it.hasNext() && it.next().key.equals(entry);
        }
    }

    private EndpointHealth healthOf(String endpointId) {
        EndpointHealth state = health.get(endpointId);
        return state == null ? EndpointHealth.FINE : state;
    }

    private void report(Waiting waiting, String status, Instant at, Long latency, String disabled, long endpointVersion) {
        boolean open = DeliveryReport.PENDING.equals(status) || DeliveryReport.RETRYING.equals(status);
        DeliveryReport report = new DeliveryReport(waiting.delivery(), status, waiting.attempts(), waiting.responseStatus(),
                waiting.responseExcerpt(), waiting.error(), waiting.lastAttemptAt(), open ? waiting.nextAttemptAt() : null, latency,
                disabled, endpointVersion, at);
        context.forward(new Record<>(waiting.delivery().endpointId(), report, at.toEpochMilli()));
        tell(waiting.delivery().endpointId(), status, latency);
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

    private static String dueKey(Instant at, String entry) {
        return String.format("%019d", at.toEpochMilli()) + "/" + entry;
    }
}
