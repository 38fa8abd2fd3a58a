package io.jobpulse.push;

import io.micronaut.core.annotation.Nullable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What one batch subscription delivers, whatever the transport: the batch's own updates, and with
 * {@code jobs} its member jobs' updates too, merged as each comes. It ends after the update that
 * finishes the batch; with jobs, once the job change that caused that update has been delivered
 * as well (the two come from different topics, so the job's change may come second), or at
 * most {@link #CAUSE_GRACE} later.
 *
 * <p>The merge is a chain of Reactor operators, unlike a job stream's {@link SseStream}: a batch
 * stream is rarer than a job's, and takes one update at a time all the same.
 */
final class BatchWatch {

    /** How long a finished batch's stream waits for the job change that finished it. */
    static final Duration CAUSE_GRACE = Duration.ofSeconds(5);

    /** One delivery: a change of the batch, or of one of its jobs. */
    sealed interface Item permits BatchItem, JobItem {
    }

    record BatchItem(BatchUpdate update) implements Item {
    }

    record JobItem(Subscriber.Delivery delivery) implements Item {
    }

    private final Flux<Item> deliveries;
    private final Runnable close;

    private BatchWatch(Flux<Item> deliveries, Runnable close) {
        this.deliveries = deliveries;
        this.close = close;
    }

    /**
     * @param jobs  the subscriber of the batch's jobs, already started; null for the batch alone
     * @param close removes the subscribers from their hubs
     */
    static BatchWatch of(BatchSubscriber batch, @Nullable Subscriber jobs, Runnable close) {
        Flux<Item> batchSide = batch.deliveries().map(BatchItem::new);
        if (jobs == null) {
            return new BatchWatch(batchSide, close);
        }
        CauseWait cause = new CauseWait();
        Sinks.Empty<Void> batchOver = Sinks.empty();
        Flux<Item> batchThenCause = batchSide
                .doOnNext(item -> cause.last(((BatchItem) item).update()))
                .concatWith(Mono.defer(cause::await).then(Mono.empty()))
                .doFinally(signal -> batchOver.tryEmitEmpty());
        Flux<Item> jobSide = jobs.deliveries()
                .doOnNext(delivery -> cause.delivered(delivery.update()))
                .<Item>map(JobItem::new)
                .takeUntilOther(batchOver.asMono());
        return new BatchWatch(Flux.merge(1, batchThenCause, jobSide), close);
    }

    /** The deliveries, as the transport requests them; complete after the batch finished. */
    Flux<Item> deliveries() {
        return deliveries;
    }

    /** Ends the subscription: the transport calls it once the connection or subscription ends. */
    void close() {
        close.run();
    }

    /** The job change the batch's last update was caused by, and whether it was delivered. */
    private static final class CauseWait {
        private final Map<String, Long> delivered = new HashMap<>();
        /** Set once the batch's deliveries ended and the cause is still awaited. */
        private Sinks.Empty<Void> awaited;
        private String jobId;
        private long version;

        synchronized void last(BatchUpdate update) {
            String cause = update.causeEventId();
            int slash = cause == null || !"batch.job-changed".equals(update.cause()) ? -1 : cause.lastIndexOf('/');
            jobId = slash < 0 ? null : cause.substring(0, slash);
            version = slash < 0 ? 0 : Long.parseLong(cause.substring(slash + 1));
        }

        synchronized void delivered(JobUpdate update) {
            delivered.merge(update.jobId(), update.version(), Math::max);
            if (awaited != null && update.jobId().equals(jobId) && update.version() >= version) {
                awaited.tryEmitEmpty();
            }
        }

        synchronized Mono<Void> await() {
            if (jobId == null || delivered.getOrDefault(jobId, 0L) >= version) {
                return Mono.empty();
            }
            awaited = Sinks.empty();
            return awaited.asMono().timeout(CAUSE_GRACE, Mono.empty());
        }
    }
}
