package io.jobpulse.push;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Routes each job's updates to the subscribers of that job on this instance. */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class SubscriberHub {

    private final ConcurrentHashMap<String, Set<Subscriber>> byJob = new ConcurrentHashMap<>();

    void add(Subscriber subscriber) {
        byJob.computeIfAbsent(subscriber.jobId(), id -> ConcurrentHashMap.newKeySet()).add(subscriber);
    }

    void remove(Subscriber subscriber) {
        byJob.computeIfPresent(subscriber.jobId(), (id, subscribers) -> {
            subscribers.remove(subscriber);
            return subscribers.isEmpty() ? null : subscribers;
        });
    }

    void publish(JobUpdate update) {
        Set<Subscriber> subscribers = byJob.get(update.jobId());
        if (subscribers != null) {
            for (Subscriber subscriber : subscribers) {
                subscriber.offer(update);
                if (subscriber.isDone()) {
                    remove(subscriber);
                }
            }
        }
    }

    public int subscriberCount() {
        return byJob.values().stream().mapToInt(Set::size).sum();
    }
}
