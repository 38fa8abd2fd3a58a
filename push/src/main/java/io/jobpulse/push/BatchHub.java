package io.jobpulse.push;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routes the batch feed's changes to this instance's batch subscribers and keeps the recent
 * changes they resume from: the last {@code jobpulse.push.history-size} changes of all batches,
 * oldest evicted first.
 *
 * <p>Gap-free and free of repeats as {@link SubscriberHub} is: recording a change and choosing
 * its subscribers happen under one lock, and so do registering a subscriber and copying the
 * batch's history. A change is then either in the copy or handed to the subscriber live, which
 * holds it until it is started and drops the versions it already has.
 *
 * <p>Known limit: a resume whose next version this history no longer holds (the instance started
 * after it, or evicted it) gets the batch's current state as a snapshot; a batch's changes are not
 * read back from the topic as a job's are.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class BatchHub {

    /** A new subscription, and the batch's retained changes, oldest first. */
    record BatchSubscription(BatchSubscriber subscriber, List<BatchUpdate> history) {
    }

    private final Object lock = new Object();
    private final int capacity;
    private final int bufferSize;
    /** Every retained change, oldest first, for eviction. */
    private final ArrayDeque<BatchUpdate> retained = new ArrayDeque<>();
    private final Map<String, ArrayDeque<BatchUpdate>> byBatch = new HashMap<>();
    private final Map<String, Set<BatchSubscriber>> subscribers = new HashMap<>();

    public BatchHub(PushConfiguration config) {
        this.capacity = config.historySize();
        this.bufferSize = config.bufferSize();
    }

    /** The feed's entry point. A version the history already holds (an aborted transaction's redo) is passed over. */
    void publish(BatchUpdate update) {
        List<BatchSubscriber> targets;
        synchronized (lock) {
            ArrayDeque<BatchUpdate> batch = byBatch.get(update.batchId());
            if (batch != null && batch.getLast().version() >= update.version()) {
                return;
            }
            byBatch.computeIfAbsent(update.batchId(), id -> new ArrayDeque<>()).addLast(update);
            retained.addLast(update);
            while (retained.size() > capacity) {
                evictOldest();
            }
            targets = new ArrayList<>(subscribers.getOrDefault(update.batchId(), Set.of()));
        }
        for (BatchSubscriber subscriber : targets) {
            subscriber.offer(update);
            if (subscriber.isDone()) {
                remove(subscriber);
            }
        }
    }

    private void evictOldest() {
        BatchUpdate evicted = retained.removeFirst();
        ArrayDeque<BatchUpdate> batch = byBatch.get(evicted.batchId());
        batch.removeFirst();
        if (batch.isEmpty()) {
            byBatch.remove(evicted.batchId());
        }
    }

    /** Subscribes to a batch after {@code lastVersion}; the subscriber holds live changes until it is started. */
    BatchSubscription subscribe(String batchId, long lastVersion) {
        BatchSubscriber subscriber = new BatchSubscriber(batchId, lastVersion, bufferSize);
        synchronized (lock) {
            subscribers.computeIfAbsent(batchId, id -> new HashSet<>()).add(subscriber);
            ArrayDeque<BatchUpdate> batch = byBatch.get(batchId);
            return new BatchSubscription(subscriber, batch == null ? List.of() : List.copyOf(batch));
        }
    }

    void remove(BatchSubscriber subscriber) {
        subscriber.cancel();
        synchronized (lock) {
            Set<BatchSubscriber> batch = subscribers.get(subscriber.batchId());
            if (batch != null && batch.remove(subscriber) && batch.isEmpty()) {
                subscribers.remove(subscriber.batchId());
            }
        }
    }
}
