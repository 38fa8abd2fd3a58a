package io.jobpulse.app.health;

import io.jobpulse.consumers.ConsumerWorker;
import io.micronaut.configuration.kafka.ConsumerRegistry;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Readiness: the instance's own Kafka consumers (those of its roles) run. The background workers (the poller, cancel
 * propagation, push's feed) each tell whether their thread runs, how many partitions they held at their last poll
 * and how long ago it returned; the projectors ({@code @KafkaListener}s: job status, job events, notifications) are
 * listed by the topics they read, with their partitions. A worker whose thread has ended is DOWN: it reads nothing
 * more until the instance restarts. Holding no partition is not: a group with more members than partitions leaves
 * some idle, and a rebalance takes them away for a moment.
 */
@Singleton
public class ConsumersIndicator extends DeadlineIndicator {

    private final List<ConsumerWorker> workers;
    private final ConsumerRegistry listeners;

    public ConsumersIndicator(List<ConsumerWorker> workers, @Nullable ConsumerRegistry listeners, HealthConfiguration config) {
        super("consumers", config);
        this.workers = workers;
        this.listeners = listeners;
    }

    @Override
    protected HealthResult check() {
        Map<String, Object> details = new TreeMap<>();
        boolean allRunning = true;
        for (ConsumerWorker worker : workers) {
            ConsumerWorker.Status status = worker.status();
            allRunning &= status.running();
            details.put(status.name(), Map.of("running", status.running(), "partitions", status.partitions(),
                    "lastPoll", status.sinceLastPoll() == null ? "none yet" : status.sinceLastPoll().toMillis() + " ms ago"));
        }
        if (listeners != null) {
            Map<String, int[]> byTopics = new TreeMap<>();
            for (String id : listeners.getConsumerIds()) {
                String topics = String.join(",", new TreeSet<>(listeners.getConsumerSubscription(id)));
                int[] counts = byTopics.computeIfAbsent(topics, t -> new int[2]);
                counts[0]++;
                counts[1] += partitionsOf(id);
            }
            byTopics.forEach((topics, counts) -> details.put("listeners of " + topics,
                    Map.of("consumers", counts[0], "partitions", counts[1])));
        }
        return allRunning ? up(details) : down(details);
    }

    /** The listener's partitions; the registry refuses to answer for one that was never given any (an idle member). */
    private int partitionsOf(String id) {
        try {
            return listeners.getConsumerAssignment(id).size();
        } catch (IllegalArgumentException neverAssigned) {
            return 0;
        }
    }
}
