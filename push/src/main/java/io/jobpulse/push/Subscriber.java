package io.jobpulse.push;

import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One subscription of one connection: what it selects, and the updates waiting for it.
 *
 * <p>Delivery follows the connection's demand: an update is handed on only when the transport
 * asks for one (when the client has taken the previous ones), so a slow client never holds up the
 * feed or other subscribers. Updates wait in order; once more than {@link #COALESCE_AFTER} wait
 * and the oldest has waited {@code jobpulse.push.coalesce-age} (the client is falling behind), a newer version
 * of a job replaces its waiting version (latest wins; it moves to the back, so that per partition the waiting updates stay in log
 * order), but a terminal state is never replaced. Until the newer version is handed on, the position given with each update stops
 * at the replaced one, so a client cut off in between resumes from there (it may get a few updates again) and never past a
 * version it did not get. A subscriber with more than
 * {@code bufferSize} updates waiting is disconnected with {@link SlowSubscriberException}; it
 * resumes by reconnecting with its last event id.
 *
 * <p>Before {@link #start} the subscriber only holds live updates: the transport first gives it
 * what the client missed (the history, changes read back from the topic, or a snapshot), and live
 * updates already covered by that are dropped. What the client missed waits apart and in full,
 * ahead of the live updates: it is already in memory and bounded by the history or the replay
 * bound, so it neither coalesces nor counts against {@code bufferSize}, and a resuming client gets
 * every version it missed. Live updates that wait behind it do not coalesce either until it has
 * drained (they count against {@code bufferSize}), so a resume does not skip versions because
 * its own backlog took a moment to send. Versions handed to a per-job subscriber strictly increase; a multi-job
 * subscriber drops records before its cursor. A per-job subscription completes after a terminal state.
 */
final class Subscriber {

    /** An update and the stream position after it. */
    record Delivery(JobUpdate update, StreamCursor cursor) {
    }

    private final Selector selector;
    private final boolean perJob;
    private final int bufferSize;
    /** Up to this many updates wait in full; beyond it, versions of one job coalesce once the oldest is {@link #COALESCE_AGE} old. */
    static final int COALESCE_AFTER = 16;
    /**
     * How long the oldest waiting update must have waited before versions coalesce, by default
     * ({@code jobpulse.push.coalesce-age}): a client that takes a burst (a topology catching up
     * after a failover sends hundreds of changes at once) within this is not behind, and gets every version.
     */
    static final Duration COALESCE_AGE = Duration.ofMillis(250);
    private final long coalesceAgeNanos;

    /**
     * A live update waiting, and when it began to wait ({@link #clock}); {@code replaced} is the
     * offset of the oldest waiting version of its job it superseded, or -1 if it superseded none.
     */
    private record Waiting(FeedEntry entry, long since, long replaced) {
    }

    private final LongSupplier clock;
    private final Consumer<Instant> delivered;
    // Sized for an idle connection (the default is 16 slots each); they grow when updates wait.
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>(1);
    /** What the client missed, handed on before {@link #waiting}. */
    private final ArrayDeque<FeedEntry> missed = new ArrayDeque<>(1);
    /** Why the subscriber was disconnected before the transport attached, to tell it then. */
    private RuntimeException failure;
    private final Flux<Delivery> flux;
    private FluxSink<Delivery> sink;
    private long demand;
    private boolean started;
    private boolean done;
    /** Per-job: the last version handed on (or known to the client). */
    private long lastVersion;
    /** Multi-job: everything before this position was handed on or is waiting. */
    private StreamCursor cursor;
    /**
     * Multi-job: per partition, the offsets of versions superseded by updates still waiting (a
     * multiset: offset to count). The position a client is given stops at the lowest, so that a
     * client cut off before the superseding update arrives resumes from the superseded version,
     * not past it: coalescing may skip versions on a live stream, a resume never does.
     */
    private final Map<Integer, TreeMap<Long, Integer>> superseded = new HashMap<>(0);

    Subscriber(Selector selector, long lastVersion, StreamCursor cursor, int bufferSize) {
        this(selector, lastVersion, cursor, bufferSize, System::nanoTime, COALESCE_AGE, changedAt -> { });
    }

    Subscriber(Selector selector, long lastVersion, StreamCursor cursor, int bufferSize, LongSupplier clock) {
        this(selector, lastVersion, cursor, bufferSize, clock, COALESCE_AGE, changedAt -> { });
    }

    /**
     * @param clock       nanoseconds, as {@link System#nanoTime()}: how long updates have waited
     * @param coalesceAge how long the oldest waiting update must have waited before versions coalesce
     * @param delivered   told the time of each live change as it is handed on (push's latency, {@link PushMetrics})
     */
    Subscriber(Selector selector, long lastVersion, StreamCursor cursor, int bufferSize, LongSupplier clock,
               Duration coalesceAge, Consumer<Instant> delivered) {
        this.clock = clock;
        this.coalesceAgeNanos = coalesceAge.toNanos();
        this.delivered = delivered;
        this.selector = selector;
        this.perJob = selector instanceof Selector.OneJob;
        this.lastVersion = lastVersion;
        this.cursor = cursor;
        this.bufferSize = bufferSize;
        // Delivery already follows demand (see drain): a sink that does not buffer suffices, and holds no queue
        // (the default one's is sized for 256 elements) per connection. Flux.push would not do: its onRequest says unbounded demand.
        this.flux = Flux.create(this::attach, FluxSink.OverflowStrategy.IGNORE);
    }

    Selector selector() {
        return selector;
    }

    /** The updates, as the transport requests them. */
    Flux<Delivery> deliveries() {
        return flux;
    }

    private synchronized void attach(FluxSink<Delivery> sink) {
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

    /** Starts delivery with what the client missed, in order; live updates held until now follow. */
    synchronized void start(List<FeedEntry> missed) {
        started = true;
        if (!done) {
            missed.stream().filter(entry -> !covered(entry)).forEach(this.missed::addLast);
        }
        drain();
    }

    /** Whether the client has this entry already: a version it holds, or a record before its cursor. */
    private boolean covered(FeedEntry entry) {
        JobUpdate update = entry.update();
        return perJob ? update.version() <= lastVersion && !update.snapshot() : entry.offset() < cursor.next(entry.partition());
    }

    /** A live update from the feed, already known to match the selector. */
    synchronized void offer(FeedEntry entry) {
        if (done) {
            return;
        }
        enqueue(entry);
        if (started) {
            drain();
        }
    }

    synchronized boolean isDone() {
        return done;
    }

    /** Ends the subscription (the client went away, or unsubscribed). */
    synchronized void cancel() {
        done = true;
        waiting.clear();
        missed.clear();
        superseded.clear();
    }

    private void enqueue(FeedEntry entry) {
        if (done) {
            return;
        }
        JobUpdate update = entry.update();
        if (covered(entry)) {
            return;
        }
        long now = clock.getAsLong();
        long replaced = -1;
        if (waiting.size() >= COALESCE_AFTER && missed.isEmpty() && now - waiting.getFirst().since() >= coalesceAgeNanos) {
            // Falling behind: this version supersedes every waiting version of the job but a terminal one. Not while
            // what a resuming client missed still drains: live updates pile up behind it then, however fast the client.
            for (Iterator<Waiting> queued = waiting.iterator(); queued.hasNext(); ) {
                Waiting older = queued.next();
                JobUpdate olderUpdate = older.entry().update();
                if (olderUpdate.jobId().equals(update.jobId()) && !olderUpdate.isTerminal() && olderUpdate.version() < update.version()) {
                    queued.remove();
                    long from = older.replaced() >= 0 ? older.replaced() : older.entry().offset();
                    replaced = replaced < 0 ? from : Math.min(replaced, from);
                    release(older);
                }
            }
            if (replaced >= 0 && !perJob) {
                superseded.computeIfAbsent(entry.partition(), p -> new TreeMap<>()).merge(replaced, 1, Integer::sum);
            }
        }
        waiting.addLast(new Waiting(entry, now, replaced));
        if (waiting.size() > bufferSize) {
            done = true;
            waiting.clear();
            missed.clear();
            superseded.clear();
            failure = new SlowSubscriberException(bufferSize);
            if (sink != null) {
                sink.error(failure);
            }
        }
    }

    private void drain() {
        if (sink == null || !started) {
            return;
        }
        while (demand > 0 && !(missed.isEmpty() && waiting.isEmpty()) && !done) {
            boolean live = missed.isEmpty();
            FeedEntry entry;
            if (live) {
                Waiting next = waiting.removeFirst();
                release(next);
                entry = next.entry();
            } else {
                entry = missed.removeFirst();
            }
            JobUpdate update = entry.update();
            if (perJob) {
                if (update.version() <= lastVersion && !update.snapshot()) {
                    continue;
                }
                lastVersion = update.version();
            } else {
                cursor = cursor.after(entry.partition(), entry.offset());
            }
            demand--;
            sink.next(new Delivery(update, perJob || superseded.isEmpty() ? cursor : resumable()));
            if (live && !update.snapshot()) {
                delivered.accept(update.job().updatedAt());
            }
            if (perJob && update.isTerminal()) {
                done = true;
                sink.complete();
            }
        }
    }

    /** Forgets the superseded version an update that leaves the queue stood for. */
    private void release(Waiting waiting) {
        if (waiting.replaced() < 0 || perJob) {
            return;
        }
        TreeMap<Long, Integer> offsets = superseded.get(waiting.entry().partition());
        if (offsets != null && offsets.merge(waiting.replaced(), -1, Integer::sum) == 0) {
            offsets.remove(waiting.replaced());
            if (offsets.isEmpty()) {
                superseded.remove(waiting.entry().partition());
            }
        }
    }

    /** The cursor, held back in each partition to the oldest version still superseded by a waiting update. */
    private StreamCursor resumable() {
        Map<Integer, Long> next = new HashMap<>(cursor.next());
        superseded.forEach((partition, offsets) -> next.merge(partition, offsets.firstKey(), Math::min));
        return new StreamCursor(next);
    }

    /** The subscriber could not keep up and was disconnected; it resumes by reconnecting. */
    static final class SlowSubscriberException extends RuntimeException {
        SlowSubscriberException(int bufferSize) {
            super("more than " + bufferSize + " jobs' updates waited for this subscriber; reconnect with the last event id",
                    null, false, false);
        }
    }
}
