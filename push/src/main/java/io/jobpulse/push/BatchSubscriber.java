package io.jobpulse.push;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

import java.util.ArrayDeque;
import java.util.List;

/**
 * One subscription to one batch's own changes: the batch's versions in order, each once, handed on
 * as the connection asks for them, ending after a version that finishes the batch.
 *
 * <p>As a job's {@link Subscriber}: before {@link #start} it only holds live changes, then it is
 * given what the client missed (the hub's history of the batch, or a snapshot), which goes first;
 * a version the client already has is dropped, so the history and the live changes meet with no
 * gap and no repeat. Unlike a job's, a batch's changes never coalesce: the batch's versions step
 * by one and a client may count on seeing each. A subscriber with more than {@code bufferSize}
 * live changes waiting is disconnected ({@link Subscriber.SlowSubscriberException}) and resumes by
 * reconnecting with its last version.
 */
final class BatchSubscriber {

    private final String batchId;
    private final int bufferSize;
    private final ArrayDeque<BatchUpdate> missed = new ArrayDeque<>(1);
    private final ArrayDeque<BatchUpdate> waiting = new ArrayDeque<>(1);
    private final Flux<BatchUpdate> flux;
    private FluxSink<BatchUpdate> sink;
    private RuntimeException failure;
    private long demand;
    private boolean started;
    private boolean done;
    /** The last version handed on, or known to the client. */
    private long lastVersion;

    BatchSubscriber(String batchId, long lastVersion, int bufferSize) {
        this.batchId = batchId;
        this.lastVersion = lastVersion;
        this.bufferSize = bufferSize;
        this.flux = Flux.create(this::attach, FluxSink.OverflowStrategy.IGNORE);
    }

    String batchId() {
        return batchId;
    }

    /** The batch's updates, as the transport requests them; complete after the one that finishes the batch. */
    Flux<BatchUpdate> deliveries() {
        return flux;
    }

    private synchronized void attach(FluxSink<BatchUpdate> sink) {
        this.sink = sink;
        if (failure != null) {
            sink.error(failure);
            return;
        }
        sink.onRequest(this::request);
        drain();
    }

    private synchronized void request(long n) {
        demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        drain();
    }

    /** Starts delivery with what the client missed, in order; live changes held until now follow. */
    synchronized void start(List<BatchUpdate> missedUpdates) {
        started = true;
        if (!done) {
            missedUpdates.stream().filter(update -> update.snapshot() || update.version() > lastVersion).forEach(missed::addLast);
        }
        drain();
    }

    /** A live change of the batch. */
    synchronized void offer(BatchUpdate update) {
        if (done || update.version() <= lastVersion) {
            return;
        }
        waiting.addLast(update);
        if (waiting.size() > bufferSize) {
            done = true;
            waiting.clear();
            missed.clear();
            failure = new Subscriber.SlowSubscriberException(bufferSize);
            if (sink != null) {
                sink.error(failure);
            }
            return;
        }
        drain();
    }

    synchronized boolean isDone() {
        return done;
    }

    synchronized void cancel() {
        done = true;
        waiting.clear();
        missed.clear();
    }

    private void drain() {
        if (sink == null || !started) {
            return;
        }
        while (demand > 0 && !(missed.isEmpty() && waiting.isEmpty()) && !done) {
            BatchUpdate update = missed.isEmpty() ? waiting.removeFirst() : missed.removeFirst();
            if (update.version() <= lastVersion && !update.snapshot()) {
                continue;
            }
            lastVersion = update.version();
            demand--;
            sink.next(update);
            if (update.isFinished()) {
                done = true;
                sink.complete();
            }
        }
    }
}
