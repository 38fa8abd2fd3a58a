package io.jobpulse.push;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Sinks;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * One connection's subscription to one job. Live updates that arrive before the snapshot are
 * held, then the snapshot and the held updates are emitted in version order, so nothing between
 * subscribing and reading the snapshot is missed. Versions emitted strictly increase; the stream
 * completes after a terminal state.
 *
 * <p>Known limit: the buffer is bounded; a subscriber that falls that far behind is disconnected
 * with an error and is expected to reconnect with its Last-Event-ID.
 */
final class Subscriber {

    private final String jobId;
    private final int bufferSize;
    private final Sinks.Many<JobUpdate> sink;
    private final List<JobUpdate> held = new ArrayList<>();
    private long lastVersion;
    private boolean started;
    private boolean done;

    Subscriber(String jobId, long afterVersion, int bufferSize) {
        this.jobId = jobId;
        this.lastVersion = afterVersion;
        this.bufferSize = bufferSize;
        this.sink = Sinks.many().unicast().onBackpressureBuffer(new ArrayBlockingQueue<>(bufferSize));
    }

    String jobId() {
        return jobId;
    }

    Flux<JobUpdate> updates() {
        return sink.asFlux();
    }

    /** Emits the snapshot, then whatever was held while it was read. */
    synchronized void start(JobUpdate snapshot) {
        started = true;
        emit(snapshot);
        held.sort(Comparator.comparingLong(JobUpdate::version));
        held.forEach(this::emit);
        held.clear();
    }

    /** A live update from the feed. */
    synchronized void offer(JobUpdate update) {
        if (!started) {
            if (held.size() >= bufferSize) {
                fail();
            } else {
                held.add(update);
            }
            return;
        }
        emit(update);
    }

    synchronized boolean isDone() {
        return done;
    }

    private void emit(JobUpdate update) {
        if (done || update.version() <= lastVersion) {
            if (!done && update.isTerminal()) {
                // The subscriber already has this terminal version: there is nothing more to say.
                done = true;
                sink.tryEmitComplete();
            }
            return;
        }
        if (sink.tryEmitNext(update).isFailure()) {
            fail();
            return;
        }
        lastVersion = update.version();
        if (update.isTerminal()) {
            done = true;
            sink.tryEmitComplete();
        }
    }

    private void fail() {
        done = true;
        sink.tryEmitError(new SlowSubscriberException(jobId));
    }

    /** The subscriber could not keep up and was disconnected; it resumes by reconnecting. */
    static final class SlowSubscriberException extends RuntimeException {
        SlowSubscriberException(String jobId) {
            super("subscriber of job " + jobId + " fell too far behind", null, false, false);
        }
    }
}
