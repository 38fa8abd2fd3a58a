package io.jobpulse.notifications;

import io.jobpulse.events.Delivery;

import java.time.Instant;

/**
 * A delivery the scheduler holds: not yet delivered nor given up.
 *
 * @param attempts      how many requests were made
 * @param nextAttemptAt when it is due; while it is in flight, when the attempt is taken for lost
 */
record Waiting(Delivery delivery, int attempts, Instant nextAttemptAt, Integer responseStatus, String responseExcerpt,
               String error, Instant lastAttemptAt) {

    static Waiting of(Delivery delivery, Instant now) {
        return new Waiting(delivery, 0, now, null, null, null, null);
    }

    Waiting dueAt(Instant at) {
        return new Waiting(delivery, attempts, at, responseStatus, responseExcerpt, error, lastAttemptAt);
    }

    /** After one more attempt, with its answer; when it is due next is for the caller to say. */
    Waiting attempted(Attempt attempt, Instant at) {
        return new Waiting(delivery, attempts + 1, null, attempt.status(), attempt.excerpt(), attempt.error(), at);
    }
}
