package io.jobpulse.push;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Routes the feed's changes to the subscribers on this instance and keeps the recent history
 * they resume from.
 *
 * <p>The guarantee that makes resume gap-free: recording a change in the history and choosing
 * its subscribers happen under one lock, and so do registering a subscriber and taking the
 * history it starts from. A change is therefore either in a new subscriber's history or handed
 * to it live, never neither, and never both. Handing changes to subscribers happens outside the
 * lock and never blocks (see {@link Subscriber}).
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class SubscriberHub {

    /** A new per-job subscription and the job's retained changes, oldest first. */
    record JobSubscription(Subscriber subscriber, List<FeedEntry> history) {
    }

    /**
     * A new multi-job subscription.
     *
     * @param reset true when the client's cursor is outside the retained history: it missed
     *              changes that cannot be replayed and should fetch its jobs' current states
     * @param start where the subscription starts
     */
    record OwnerSubscription(Subscriber subscriber, boolean reset, StreamCursor start) {
    }

    private final Object lock = new Object();
    private final RecentChanges recent;
    private final Map<String, Set<Subscriber>> byJob = new HashMap<>();
    private final Map<String, Set<Subscriber>> byOwner = new HashMap<>();
    private final int bufferSize;

    public SubscriberHub(PushConfiguration config) {
        this.recent = new RecentChanges(config.historySize(), config.historyBytes());
        this.bufferSize = config.bufferSize();
    }

    /** Where the feed starts reading a partition. */
    void startAt(int partition, long offset) {
        synchronized (lock) {
            recent.startAt(partition, offset);
        }
    }

    /** The feed's one entry point: records the change and hands it to the subscribers it matches. */
    void publish(FeedEntry entry) {
        List<Subscriber> targets = new ArrayList<>();
        synchronized (lock) {
            recent.append(entry);
            JobUpdate update = entry.update();
            targets.addAll(byJob.getOrDefault(update.jobId(), Set.of()));
            for (Subscriber subscriber : byOwner.getOrDefault(update.job().owner(), Set.of())) {
                if (subscriber.selector().matches(update)) {
                    targets.add(subscriber);
                }
            }
        }
        for (Subscriber subscriber : targets) {
            subscriber.offer(entry);
            if (subscriber.isDone()) {
                remove(subscriber);
            }
        }
    }

    /** Subscribes to one job; the subscriber holds live changes until it is started. */
    JobSubscription subscribeJob(String jobId, long lastVersion) {
        Subscriber subscriber = new Subscriber(new Selector.OneJob(jobId), lastVersion, null, bufferSize);
        synchronized (lock) {
            byJob.computeIfAbsent(jobId, id -> new HashSet<>()).add(subscriber);
            return new JobSubscription(subscriber, recent.job(jobId));
        }
    }

    /** Subscribes to an owner's jobs from a cursor (or from now), started with the retained changes after it. */
    OwnerSubscription subscribeOwner(Selector.OwnerJobs selector, Optional<StreamCursor> resumeFrom) {
        synchronized (lock) {
            Optional<List<FeedEntry>> missed = resumeFrom.flatMap(recent::after);
            StreamCursor start = missed.isPresent() ? resumeFrom.get() : recent.position();
            Subscriber subscriber = new Subscriber(selector, 0, start, bufferSize);
            byOwner.computeIfAbsent(selector.owner(), owner -> new HashSet<>()).add(subscriber);
            subscriber.start(missed.orElse(List.of()).stream().filter(e -> selector.matches(e.update())).toList());
            return new OwnerSubscription(subscriber, resumeFrom.isPresent() && missed.isEmpty(), start);
        }
    }

    void remove(Subscriber subscriber) {
        subscriber.cancel();
        synchronized (lock) {
            String key = switch (subscriber.selector()) {
                case Selector.OneJob one -> one.jobId();
                case Selector.OwnerJobs owner -> owner.owner();
            };
            Map<String, Set<Subscriber>> index = subscriber.selector() instanceof Selector.OneJob ? byJob : byOwner;
            Set<Subscriber> subscribers = index.get(key);
            if (subscribers != null && subscribers.remove(subscriber) && subscribers.isEmpty()) {
                index.remove(key);
            }
        }
    }
}
