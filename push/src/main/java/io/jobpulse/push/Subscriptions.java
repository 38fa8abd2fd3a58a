package io.jobpulse.push;

import io.jobpulse.events.JobState;
import io.jobpulse.events.Roles;
import io.jobpulse.http.Caller;
import io.jobpulse.http.JobStateReader;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Opens subscriptions for any transport (SSE, WebSocket): waits for the feed, registers with the
 * hub, and starts the subscriber with what the client missed. Authorization happens here, at
 * subscribe time: a job that is not the caller's is reported exactly like a missing one.
 */
@Singleton
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class Subscriptions {

    private final SubscriberHub hub;
    private final StatusChangeFeed feed;
    private final JobStateReader snapshots;
    private final PushConfiguration config;
    private final LogReplay log;

    public Subscriptions(SubscriberHub hub, StatusChangeFeed feed, JobStateReader snapshots, PushConfiguration config, LogReplay log) {
        this.hub = hub;
        this.feed = feed;
        this.snapshots = snapshots;
        this.config = config;
        this.log = log;
    }

    /**
     * Subscribes the caller to one job after {@code lastVersion} (0 for none): every change since
     * then, from this instance's history, and where that does not reach back, from the job's
     * partition of {@code jobpulse.job-status} before it; when the topic cannot give them either,
     * the current state marked as a snapshot; then live changes. Empty when the client already has
     * the job's terminal state.
     */
    Optional<Subscriber> job(Caller caller, String jobId, long lastVersion) throws InterruptedException {
        awaitFeed();
        SubscriberHub.JobSubscription subscription = hub.subscribeJob(jobId, lastVersion);
        Subscriber subscriber = subscription.subscriber();
        try {
            Optional<List<FeedEntry>> missed = missed(caller, jobId, lastVersion, subscription);
            if (missed.isEmpty()) {
                hub.remove(subscriber);
                return Optional.empty();
            }
            subscriber.start(missed.get());
            return Optional.of(subscriber);
        } catch (RuntimeException e) {
            hub.remove(subscriber);
            throw e;
        }
    }

    /**
     * Subscribes to the caller's jobs that the selector picks, from a cursor or from now. A cursor
     * older than this instance's history is served by reading the topic back from it (the
     * selector, which holds the caller's owner and jobs, picks the changes as it picks live ones);
     * where the topic no longer has it, or the replay would be too long, the subscription starts
     * now with a reset.
     */
    SubscriberHub.OwnerSubscription jobsOf(Selector.OwnerJobs selector, Optional<StreamCursor> resumeFrom)
            throws InterruptedException {
        awaitFeed();
        SubscriberHub.OwnerSubscription subscription = hub.subscribeOwner(selector, resumeFrom);
        if (subscription.catchup().isEmpty()) {
            return subscription;
        }
        SubscriberHub.Catchup catchup = subscription.catchup().get();
        Subscriber subscriber = subscription.subscriber();
        Optional<List<FeedEntry>> replayed;
        try {
            replayed = log.read(subscription.start(), catchup.joinAt(), selector::matches);
        } catch (RuntimeException e) {
            hub.remove(subscriber);
            throw e;
        }
        if (replayed.isEmpty()) {
            hub.remove(subscriber);
            return hub.fromNow(selector, true);
        }
        subscriber.start(Stream.concat(replayed.get().stream(), catchup.retained().stream()).toList());
        return subscription;
    }

    void close(Subscriber subscriber) {
        hub.remove(subscriber);
    }

    private void awaitFeed() throws InterruptedException {
        if (!feed.awaitReady(config.readyWait())) {
            throw new ProblemException(ProblemType.UNAVAILABLE, "The live feed is starting. Retry shortly.");
        }
    }

    /**
     * What a client holding version {@code after} of the job missed, in order: empty when that is
     * the terminal version. The current state is read (and the caller's right to the job checked)
     * before the topic is, so that another owner's job costs no read of the topic.
     */
    private Optional<List<FeedEntry>> missed(Caller caller, String id, long after, SubscriberHub.JobSubscription subscription) {
        List<FeedEntry> history = subscription.history();
        boolean reachesBack = after > 0 && !history.isEmpty() && history.getFirst().update().version() <= after + 1;
        if (reachesBack && history.getLast().update().version() >= after) {
            JobUpdate latest = history.getLast().update();
            requireOwned(caller, id, latest.job());
            if (latest.version() == after && latest.isTerminal()) {
                return Optional.empty();
            }
            return Optional.of(history.stream().filter(entry -> entry.update().version() > after).toList());
        }
        JobState current = snapshots.current(id).orElse(null);
        requireOwned(caller, id, current);
        if (current.version() == after) {
            return current.isTerminal() ? Optional.empty() : Optional.of(List.of());
        }
        if (after > 0 && after < current.version()) {
            // A history that reaches back but not up to the client's version is behind the state read: the rest comes live.
            Optional<List<FeedEntry>> missed = (reachesBack ? Optional.of(List.<FeedEntry>of())
                    : log.readJob(id, subscription.partition(), subscription.historyFrom(), after))
                    .flatMap(read -> JobLogSearch.continuation(after, read, history));
            if (missed.isPresent()) {
                return missed;
            }
        }
        return Optional.of(List.of(new FeedEntry(JobUpdate.snapshot(current), -1, -1)));
    }

    private static void requireOwned(Caller caller, String id, JobState job) {
        if (job == null || !caller.sees(job.owner(), id)) {
            throw new ProblemException(ProblemType.NOT_FOUND, "No job " + id + ".");
        }
    }
}
