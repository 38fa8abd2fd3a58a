package io.jobpulse.push;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.time.Duration;
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

    /**
     * A new per-job subscription.
     *
     * @param history     the job's retained changes, oldest first
     * @param partition   the partition of {@code jobpulse.job-status} that holds the job's changes
     * @param historyFrom where the history starts in that partition: the job's changes before it
     *                    are only in the topic, those from it on are in {@code history} or come live
     */
    record JobSubscription(Subscriber subscriber, List<FeedEntry> history, int partition, long historyFrom) {
    }

    /**
     * A new multi-job subscription.
     *
     * @param reset true when the client's cursor is outside the retained history: it missed
     *              changes that cannot be replayed and should fetch its jobs' current states
     * @param start where the subscription starts
     * @param catchup for a cursor older than the history: what the subscriber, not yet started,
     *                still needs from the topic before the history takes over
     */
    record OwnerSubscription(Subscriber subscriber, boolean reset, StreamCursor start, Optional<Catchup> catchup) {
    }

    /**
     * What a multi-job subscriber resuming from before the history still lacks: the records of the
     * topic from its cursor up to {@code joinAt} (per partition, where the history starts), then
     * {@code retained}, the history's changes it selects.
     */
    record Catchup(Map<Integer, Long> joinAt, List<FeedEntry> retained) {
    }

    private final Object lock = new Object();
    private final RecentChanges recent;
    private final Map<String, Set<Subscriber>> byJob = new HashMap<>();
    private final Map<String, Set<Subscriber>> byOwner = new HashMap<>();
    private final int bufferSize;
    private final Duration coalesceAge;
    private final PushMetrics metrics;

    public SubscriberHub(PushConfiguration config, PushMetrics metrics) {
        this.recent = new RecentChanges(config.historySize(), config.historyBytes());
        this.bufferSize = config.bufferSize();
        this.coalesceAge = config.coalesceAge();
        this.metrics = metrics;
    }

    /** Where the feed starts reading a partition. */
    void startAt(int partition, long offset) {
        synchronized (lock) {
            recent.startAt(partition, offset);
        }
    }

    /**
     * The feed's one entry point: records the change and hands it to the subscribers it matches.
     * A change whose job already has this version or a later one in the history is a repeat (a
     * transaction the feed read uncommitted aborted, and the topology wrote its changes again):
     * the feed moves past it, and no one gets it twice.
     */
    void publish(FeedEntry entry) {
        List<Subscriber> targets = new ArrayList<>();
        synchronized (lock) {
            if (recent.lastVersion(entry.update().jobId()) >= entry.update().version()) {
                recent.passOver(entry);
                return;
            }
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

    /**
     * Subscribes to one job; the subscriber holds live changes until it is started. Gapless and
     * free of repeats as {@link #subscribeOwner} is, for the job's partition: under the lock the
     * history holds the job's changes from {@code historyFrom} up to the feed's position, later
     * ones are handed to the subscriber live, and the caller reads what it needs before
     * {@code historyFrom} back from the topic.
     */
    JobSubscription subscribeJob(String jobId, long lastVersion) {
        Subscriber subscriber = new Subscriber(new Selector.OneJob(jobId), lastVersion, null, bufferSize, System::nanoTime, coalesceAge, metrics::delivered);
        synchronized (lock) {
            byJob.computeIfAbsent(jobId, id -> new HashSet<>()).add(subscriber);
            Map<Integer, Long> retainedFrom = recent.retainedFrom();
            int partition = StatusChangeFeed.partitionOf(jobId, retainedFrom.size());
            return new JobSubscription(subscriber, recent.job(jobId), partition, retainedFrom.get(partition));
        }
    }

    /**
     * Subscribes to an owner's jobs from a cursor (or from now), started with the retained changes
     * after it. A cursor that is a position of the topic but older than the history gets a
     * subscriber that holds live changes, not started, and the {@link Catchup} it needs: the
     * caller reads the rest back from the topic and starts it.
     *
     * <p>Why that is gapless and free of repeats: under the lock, the history covers each
     * partition's offsets from {@code retainedFrom} up to the feed's position {@code next}, and the
     * subscriber is registered before the lock is released, so every change published afterwards
     * (offsets from {@code next} on) is handed to it live and held until it starts. The retained
     * changes are copied under the same lock, so later evictions do not touch them. What is left,
     * the offsets from the cursor up to {@code retainedFrom}, is read from the topic; those records
     * were all read by the feed already (with the same read_committed isolation), so reading them
     * never waits on an open transaction and sees the very changes the feed saw. The three ranges
     * meet exactly, per partition, and the subscriber is started with the first two in that order.
     */
    OwnerSubscription subscribeOwner(Selector.OwnerJobs selector, Optional<StreamCursor> resumeFrom) {
        synchronized (lock) {
            Optional<List<FeedEntry>> missed = resumeFrom.flatMap(recent::after);
            boolean behind = missed.isEmpty() && resumeFrom.isPresent() && recent.isPosition(resumeFrom.get());
            if (!behind && missed.isEmpty()) {
                return fromNow(selector, resumeFrom.isPresent());
            }
            Subscriber subscriber = register(selector, resumeFrom.get());
            if (behind) {
                List<FeedEntry> retained = recent.all().stream().filter(e -> selector.matches(e.update())).toList();
                return new OwnerSubscription(subscriber, false, resumeFrom.get(),
                        Optional.of(new Catchup(recent.retainedFrom(), retained)));
            }
            subscriber.start(missed.get().stream().filter(e -> selector.matches(e.update())).toList());
            return new OwnerSubscription(subscriber, false, resumeFrom.get(), Optional.empty());
        }
    }

    /** Subscribes to an owner's jobs from now; {@code reset} tells the client it missed changes it will not get. */
    OwnerSubscription fromNow(Selector.OwnerJobs selector, boolean reset) {
        synchronized (lock) {
            StreamCursor start = recent.position();
            Subscriber subscriber = register(selector, start);
            subscriber.start(List.of());
            return new OwnerSubscription(subscriber, reset, start, Optional.empty());
        }
    }

    /** Subscribes to a batch's jobs from now: their changes come live, as an owner's jobs' do. */
    Subscriber subscribeBatchJobs(Selector.BatchJobs selector) {
        synchronized (lock) {
            Subscriber subscriber = register(selector, selector.owner(), recent.position());
            subscriber.start(List.of());
            return subscriber;
        }
    }

    private Subscriber register(Selector.OwnerJobs selector, StreamCursor start) {
        return register(selector, selector.owner(), start);
    }

    private Subscriber register(Selector selector, String owner, StreamCursor start) {
        Subscriber subscriber = new Subscriber(selector, 0, start, bufferSize, System::nanoTime, coalesceAge, metrics::delivered);
        byOwner.computeIfAbsent(owner, key -> new HashSet<>()).add(subscriber);
        return subscriber;
    }

    void remove(Subscriber subscriber) {
        subscriber.cancel();
        synchronized (lock) {
            String key = switch (subscriber.selector()) {
                case Selector.OneJob one -> one.jobId();
                case Selector.OwnerJobs owner -> owner.owner();
                case Selector.BatchJobs batch -> batch.owner();
            };
            Map<String, Set<Subscriber>> index = subscriber.selector() instanceof Selector.OneJob ? byJob : byOwner;
            Set<Subscriber> subscribers = index.get(key);
            if (subscribers != null && subscribers.remove(subscriber) && subscribers.isEmpty()) {
                index.remove(key);
            }
        }
    }
}
