package io.jobpulse.push;

import io.jobpulse.events.BatchState;
import io.jobpulse.events.Roles;
import io.jobpulse.http.BatchStateReader;
import io.jobpulse.http.Caller;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;

/**
 * Opens batch subscriptions for any transport: waits for the feeds, registers with the hubs, and
 * starts the batch's subscriber with what the client missed. The caller's right to the batch is
 * checked here, at subscribe time: another owner's batch, or one a stream token scoped to jobs
 * does not cover, is reported exactly like a missing one.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class BatchSubscriptions {

    private final BatchHub batches;
    private final BatchChangeFeed batchFeed;
    private final SubscriberHub jobs;
    private final StatusChangeFeed jobFeed;
    private final BatchStateReader states;
    private final PushConfiguration config;

    public BatchSubscriptions(BatchHub batches, BatchChangeFeed batchFeed, SubscriberHub jobs, StatusChangeFeed jobFeed,
                              BatchStateReader states, PushConfiguration config) {
        this.batches = batches;
        this.batchFeed = batchFeed;
        this.jobs = jobs;
        this.jobFeed = jobFeed;
        this.states = states;
        this.config = config;
    }

    /**
     * Subscribes the caller to a batch after {@code lastVersion} (0 for none): every version since
     * then from this instance's history, or where the history does not reach back, the current state
     * as a snapshot; then live changes; with {@code withJobs}, the changes of its jobs from now on as
     * well. Empty when the client already has the version that finished the batch.
     */
    Optional<BatchWatch> batch(Caller caller, String batchId, long lastVersion, boolean withJobs) throws InterruptedException {
        if (!batchFeed.awaitReady(config.readyWait()) || !jobFeed.awaitReady(config.readyWait())) {
            throw new ProblemException(ProblemType.UNAVAILABLE, "The live feed is starting. Retry shortly.");
        }
        BatchHub.BatchSubscription subscription = batches.subscribe(batchId, lastVersion);
        BatchSubscriber subscriber = subscription.subscriber();
        Subscriber jobSubscriber = null;
        try {
            BatchState current = states.batch(batchId).orElse(null);
            if (current == null || !caller.sees(current.owner(), batchId)) {
                throw new ProblemException(ProblemType.NOT_FOUND, "No batch " + batchId + ".");
            }
            List<BatchUpdate> missed = missed(current, lastVersion, subscription.history());
            if (current.version() <= lastVersion && current.status().isFinished() && missed.isEmpty()) {
                batches.remove(subscriber);
                return Optional.empty();
            }
            if (withJobs) {
                jobSubscriber = jobs.subscribeBatchJobs(new Selector.BatchJobs(current.owner(), batchId));
            }
            subscriber.start(missed);
            Subscriber memberJobs = jobSubscriber;
            return Optional.of(BatchWatch.of(subscriber, memberJobs, () -> {
                batches.remove(subscriber);
                if (memberJobs != null) {
                    jobs.remove(memberJobs);
                }
            }));
        } catch (RuntimeException e) {
            batches.remove(subscriber);
            if (jobSubscriber != null) {
                jobs.remove(jobSubscriber);
            }
            throw e;
        }
    }

    /**
     * What a client holding {@code after} missed: the history's versions after it, if the history
     * runs on from the next one; nothing if the client is up to date (what comes later comes live);
     * else (the history does not reach back, or the client names a version the batch has not
     * reached) the current state as a snapshot. The state is read after the subscriber was registered,
     * so whatever is newer than it comes live.
     */
    static List<BatchUpdate> missed(BatchState current, long after, List<BatchUpdate> history) {
        if (after == current.version() && after > 0) {
            // Up to date: what comes later comes live (or is in the history already, if written since the read).
            return history.stream().filter(update -> update.version() > after).toList();
        }
        boolean reachesBack = after > 0 && !history.isEmpty() && history.getFirst().version() <= after + 1;
        if (reachesBack) {
            return history.stream().filter(update -> update.version() > after).toList();
        }
        return List.of(BatchUpdate.snapshot(current));
    }
}
