package io.jobpulse.push;

import io.micronaut.core.annotation.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Disposable;

import java.util.ArrayDeque;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The events of one SSE stream, as one object per connection: an optional first event, then the
 * deliveries (of type {@code D}), heartbeat comments while the stream is idle, the credential's
 * {@code token-expiring} notice, and the end of the stream when the credential ends, when the
 * deliveries complete (a per-job stream after a terminal state), or when they fail (a slow
 * subscriber). {@code onEnd} runs once, however it ends (the client going away included).
 *
 * <p>Why not a chain of Reactor operators: with thousands of idle streams open, the chain
 * ({@code publish}, {@code merge}, {@code takeUntilOther}, a shared interval, a replayed credential
 * flux) held about 9 KiB per connection, most of it queues sized for bursts that an SSE stream,
 * which takes one update at a time, never has. This asks the subscriber for one delivery at a
 * time and holds at most that one, plus a notice or a heartbeat, while the client is not ready.
 * A heartbeat comes only when the client is ready for it and nothing else waits (dropped
 * otherwise, as before); the first event, updates and notices are never dropped.
 *
 * <p>It knows nothing of SSE framing (that is {@link SseTransport}'s): the events are of any type
 * {@code E}, made by the functions it is given.
 *
 * <p>Thread-safety: signals come from the feed's thread (deliveries), the heartbeat clock, the
 * credential's timers, and the connection's event loop (demand, cancel). State changes under the
 * object's lock, which is never held while calling out; events are emitted by one thread at a
 * time ({@link #drain}), so the subscriber's own lock and this one are
 * never taken in opposite orders.
 */
final class SseStream<D, E> implements Publisher<E>, Subscription, CoreSubscriber<D> {

    private final Publisher<D> deliveries;
    private final BiFunction<D, Boolean, E> toEvent;
    private final E heartbeatEvent;
    private final Function<SseStream<D, E>, Disposable> watchCredential;
    private final Heartbeats heartbeats;
    private final Runnable onEnd;

    private org.reactivestreams.Subscriber<? super E> downstream;
    private Subscription upstream;
    /** Events ready to go, in order; at most the first event, one update, a notice and a heartbeat. */
    private final ArrayDeque<E> ready = new ArrayDeque<>(4);
    private long demand;
    /** One delivery was asked of the subscriber and has not come yet. */
    private boolean asked;
    /** The first event went, or was made: later updates need not say the retry delay. */
    private boolean retrySaid;
    private boolean upstreamDone;
    private Throwable failure;
    /** Ended: completed, failed or cancelled; nothing more is emitted. */
    private boolean ended;
    private Disposable credential;
    private Runnable heartbeat;
    /** A thread is in {@link #drain}'s loop: another's call leaves the work to it. */
    private boolean emitting;

    /**
     * @param deliveries      what the stream carries: a {@link Subscriber}'s deliveries, or a batch's ({@link BatchWatch})
     * @param first           the stream's first event, or null
     * @param toEvent         an update's event; told {@code true} for the first event of a stream without a first
     *                        event (SSE says the reconnection delay once, in the stream's first event)
     * @param heartbeat       the event that keeps an idle stream open
     * @param watchCredential starts watching the caller's credential, calling {@link #notice} and {@link #end}
     */
    SseStream(Publisher<D> deliveries, @Nullable E first, BiFunction<D, Boolean, E> toEvent, E heartbeat,
              Function<SseStream<D, E>, Disposable> watchCredential, Heartbeats heartbeats, Runnable onEnd) {
        this.deliveries = deliveries;
        this.toEvent = toEvent;
        this.heartbeatEvent = heartbeat;
        this.watchCredential = watchCredential;
        this.heartbeats = heartbeats;
        this.onEnd = onEnd;
        if (first != null) {
            ready.add(first);
            retrySaid = true;
        }
    }

    @Override
    public void subscribe(org.reactivestreams.Subscriber<? super E> subscriber) {
        synchronized (this) {
            if (downstream != null) {
                throw new IllegalStateException("an SSE stream is written to one connection only");
            }
            downstream = subscriber;
        }
        subscriber.onSubscribe(this);
        deliveries.subscribe(this);
        Runnable unregister = heartbeats.listen(this::heartbeat);
        Disposable watch = watchCredential.apply(this);
        boolean over;
        synchronized (this) {
            over = ended;
            heartbeat = unregister;
            credential = watch;
        }
        if (over) {
            unregister.run();
            watch.dispose();
        }
    }

    // From the subscriber's deliveries.

    @Override
    public void onSubscribe(Subscription subscription) {
        synchronized (this) {
            upstream = subscription;
        }
        drain();
    }

    @Override
    public void onNext(D delivery) {
        boolean first;
        synchronized (this) {
            first = !retrySaid;
            retrySaid = true;
        }
        E event = toEvent.apply(delivery, first);
        synchronized (this) {
            asked = false;
            ready.add(event);
        }
        drain();
    }

    @Override
    public void onError(Throwable error) {
        synchronized (this) {
            upstreamDone = true;
            failure = error;
        }
        drain();
    }

    @Override
    public void onComplete() {
        synchronized (this) {
            upstreamDone = true;
        }
        drain();
    }

    // From the heartbeat clock and the credential.

    /** A heartbeat comment, if the client is ready for one and nothing else waits. */
    void heartbeat() {
        synchronized (this) {
            if (ended || demand == 0 || !ready.isEmpty()) {
                return;
            }
            ready.add(heartbeatEvent);
        }
        drain();
    }

    /** An event about the stream itself (the credential's notice), after what is ready. */
    void notice(E event) {
        synchronized (this) {
            if (ended) {
                return;
            }
            ready.add(event);
        }
        drain();
    }

    /** Ends the stream now (the credential ended): what was not yet sent is not sent. */
    void end() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ready.clear();
            upstreamDone = true;
            failure = null;
        }
        cancelUpstream();
        drain();
    }

    // From the connection.

    @Override
    public void request(long n) {
        if (n <= 0) {
            return;
        }
        synchronized (this) {
            demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
        }
        drain();
    }

    @Override
    public void cancel() {
        synchronized (this) {
            if (ended) {
                return;
            }
            ended = true;
            ready.clear();
        }
        cancelUpstream();
        finish();
    }

    private void cancelUpstream() {
        Subscription subscription;
        synchronized (this) {
            subscription = upstream;
        }
        if (subscription != null) {
            subscription.cancel();
        }
    }

    /**
     * Emits what is ready while there is demand, asks the subscriber for the next delivery when
     * nothing is, and ends the stream once the deliveries ended and what was ready went out. One
     * thread at a time: a call while another thread emits leaves the work to that thread, which
     * looks at the state again (under the lock) after each event, so it sees what the call changed.
     */
    private void drain() {
        synchronized (this) {
            if (emitting) {
                return;
            }
            emitting = true;
        }
        while (true) {
            E next = null;
            Subscription ask = null;
            boolean complete = false;
            Throwable error = null;
            synchronized (this) {
                if (ended) {
                    emitting = false;
                    return;
                }
                if (failure != null) {
                    error = failure;
                    ended = true;
                } else if (demand > 0 && !ready.isEmpty()) {
                    next = ready.poll();
                    demand--;
                } else if (upstreamDone && ready.isEmpty()) {
                    complete = true;
                    ended = true;
                } else if (demand > 0 && !asked && !upstreamDone && upstream != null) {
                    asked = true;
                    ask = upstream;
                } else {
                    emitting = false;
                    return;
                }
            }
            if (next != null) {
                downstream.onNext(next);
            } else if (ask != null) {
                ask.request(1);
            } else {
                finish();
                if (error != null) {
                    downstream.onError(error);
                } else if (complete) {
                    downstream.onComplete();
                }
                synchronized (this) {
                    emitting = false;
                }
                return;
            }
        }
    }

    /** Stops the heartbeats and the credential's watch, and runs {@code onEnd}; once. */
    private void finish() {
        Runnable unregister;
        Disposable watch;
        synchronized (this) {
            unregister = heartbeat;
            watch = credential;
            heartbeat = null;
            credential = null;
        }
        if (unregister != null) {
            unregister.run();
        }
        if (watch != null) {
            watch.dispose();
        }
        onEnd.run();
    }
}
