package io.jobpulse.push;

import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.BaseSubscriber;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Delivery, coalescing, overflow and cursors of one subscriber, driven by hand-made demand. */
class SubscriberTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static FeedEntry entry(String job, long version, JobStatus status, int partition, long offset) {
        JobState state = new JobState(job, "alice", "image.generate", List.of(), null, status, 0, null, Map.of(), null, null, null,
                null, 1, version, T0, T0, null, null, null, null, null, List.of(), null);
        return new FeedEntry(new JobUpdate(job, version, status, JobStatus.RUNNING, false, "job.report-received", List.of(), state),
                partition, offset);
    }

    /** A client that takes only what the test lets it. */
    private static final class Client extends BaseSubscriber<Subscriber.Delivery> {
        final List<Subscriber.Delivery> received = new ArrayList<>();
        Throwable error;
        boolean completed;

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
        }

        @Override
        protected void hookOnNext(Subscriber.Delivery value) {
            received.add(value);
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            error = throwable;
        }

        @Override
        protected void hookOnComplete() {
            completed = true;
        }

        List<String> versions() {
            return received.stream().map(d -> d.update().jobId() + "@" + d.update().version()).toList();
        }
    }

    private static Subscriber ownerSubscriber(int bufferSize) {
        return ownerSubscriber(bufferSize, () -> 0L);
    }

    private static Subscriber ownerSubscriber(int bufferSize, LongSupplier clock) {
        return new Subscriber(new Selector.OwnerJobs("alice", Set.of(), Set.of(), null, Set.of()), 0,
                new StreamCursor(Map.of(0, 0L, 1, 0L)), bufferSize, clock);
    }

    @Test
    void aClientThatKeepsUpGetsEveryVersionInOrder() {
        Subscriber subscriber = ownerSubscriber(64);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        subscriber.start(List.of());
        client.request(Long.MAX_VALUE);

        for (int v = 1; v <= 5; v++) {
            subscriber.offer(entry("a", v, JobStatus.RUNNING, 0, v));
        }

        assertThat(client.versions()).containsExactly("a@1", "a@2", "a@3", "a@4", "a@5");
    }

    @Test
    void aBurstShorterThanTheCoalescingThresholdIsDeliveredInFull() {
        Subscriber subscriber = ownerSubscriber(64);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        subscriber.start(List.of());

        for (int v = 1; v <= Subscriber.COALESCE_AFTER; v++) {
            subscriber.offer(entry("a", v, JobStatus.RUNNING, 0, v));
        }
        client.request(Long.MAX_VALUE);

        assertThat(client.received).hasSize(Subscriber.COALESCE_AFTER);
    }

    @Test
    void aBurstLongerThanTheThresholdIsDeliveredInFullToAClientThatTakesItWithinTheAge() {
        AtomicLong now = new AtomicLong();
        Subscriber subscriber = ownerSubscriber(256, now::get);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        subscriber.start(List.of());

        for (int v = 1; v <= 200; v++) {
            subscriber.offer(entry("a", v, JobStatus.RUNNING, 0, v));
            now.addAndGet(Subscriber.COALESCE_AGE.toNanos() / 400);
        }
        client.request(Long.MAX_VALUE);

        assertThat(client.received).as("200 waiting, the oldest for half the age: not behind").hasSize(200);
    }

    @Test
    void aSlowClientGetsTheLatestVersionOfEachJobAndEveryTerminalState() {
        AtomicLong now = new AtomicLong();
        Subscriber subscriber = ownerSubscriber(64, now::get);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        subscriber.start(List.of());
        long offset = 0;
        for (int job = 0; job < Subscriber.COALESCE_AFTER; job++) {
            subscriber.offer(entry("other-" + job, 1, JobStatus.RUNNING, 1, offset++));
        }
        now.addAndGet(Subscriber.COALESCE_AGE.toNanos());
        for (int v = 1; v <= 20; v++) {
            subscriber.offer(entry("a", v, JobStatus.RUNNING, 0, offset++));
        }
        subscriber.offer(entry("a", 21, JobStatus.FAILED, 0, offset++));
        subscriber.offer(entry("a", 22, JobStatus.QUEUED, 0, offset++));
        subscriber.offer(entry("a", 23, JobStatus.RUNNING, 0, offset++));

        client.request(Long.MAX_VALUE);

        List<String> got = client.versions();
        assertThat(got).hasSize(Subscriber.COALESCE_AFTER + 2);
        assertThat(got.subList(Subscriber.COALESCE_AFTER, got.size())).as("the terminal a@21 survives; a@23 supersedes the rest")
                .containsExactly("a@21", "a@23");
    }

    @Test
    void aClientThatStallsPastTheBufferIsDisconnected() {
        Subscriber subscriber = ownerSubscriber(20);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        subscriber.start(List.of());

        for (int job = 0; job < 21; job++) {
            subscriber.offer(entry("job-" + job, 1, JobStatus.RUNNING, 0, job));
        }

        assertThat(client.error).isInstanceOf(Subscriber.SlowSubscriberException.class);
        assertThat(subscriber.isDone()).isTrue();
    }

    @Test
    void theChangesAResumingClientMissedAreDeliveredInFullAheadOfLiveOnes() {
        Subscriber subscriber = ownerSubscriber(20);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        subscriber.offer(entry("a", 51, JobStatus.RUNNING, 0, 100));
        List<FeedEntry> missed = new ArrayList<>();
        for (int v = 1; v <= 50; v++) {
            missed.add(entry("a", v, JobStatus.RUNNING, 0, v));
        }
        subscriber.start(missed);
        subscriber.offer(entry("a", 52, JobStatus.RUNNING, 0, 101));

        client.request(Long.MAX_VALUE);

        assertThat(client.error).as("missed changes do not count against the buffer").isNull();
        assertThat(client.received).as("nor coalesce").hasSize(52);
        assertThat(client.received).extracting(d -> d.update().version()).isSorted();
    }

    @Test
    void liveChangesArrivingWhileTheMissedOnesDrainAreNotCoalesced() {
        Subscriber subscriber = ownerSubscriber(100);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        List<FeedEntry> missed = new ArrayList<>();
        for (int v = 1; v <= 50; v++) {
            missed.add(entry("a", v, JobStatus.RUNNING, 0, v));
        }
        subscriber.start(missed);
        client.request(10);
        for (int v = 51; v <= 51 + Subscriber.COALESCE_AFTER * 2; v++) {
            subscriber.offer(entry("a", v, JobStatus.RUNNING, 0, v + 100));
        }

        client.request(Long.MAX_VALUE);

        assertThat(client.error).isNull();
        assertThat(client.received).extracting(d -> d.update().version())
                .as("every version, though more than %d live ones waited behind the backlog", Subscriber.COALESCE_AFTER)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 51 + Subscriber.COALESCE_AFTER * 2).boxed().toList());
    }

    @Test
    void aSubscriberOverflowingBeforeItsTransportAttachesFailsWhenItDoes() {
        Subscriber subscriber = ownerSubscriber(20);
        for (int job = 0; job < 21; job++) {
            subscriber.offer(entry("job-" + job, 1, JobStatus.RUNNING, 0, job));
        }
        subscriber.start(List.of());
        Client client = new Client();
        subscriber.deliveries().subscribe(client);

        assertThat(client.error).isInstanceOf(Subscriber.SlowSubscriberException.class);
    }

    @Test
    void theCursorOfEachDeliveryCoversExactlyWhatWasDelivered() {
        Subscriber subscriber = ownerSubscriber(64);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        subscriber.start(List.of(entry("a", 1, JobStatus.RUNNING, 0, 4), entry("b", 1, JobStatus.RUNNING, 1, 7)));
        client.request(1);

        assertThat(client.received.getLast().cursor()).isEqualTo(new StreamCursor(Map.of(0, 5L, 1, 0L)));
        client.request(1);
        assertThat(client.received.getLast().cursor()).isEqualTo(new StreamCursor(Map.of(0, 5L, 1, 8L)));
    }

    @Test
    void aClientCutOffBeforeTheVersionThatReplacedAnotherArrivesResumesFromTheReplacedOne() {
        AtomicLong now = new AtomicLong();
        Subscriber subscriber = ownerSubscriber(64, now::get);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        subscriber.start(List.of());
        long offset = 0;
        subscriber.offer(entry("a", 1, JobStatus.RUNNING, 0, offset++));
        for (int job = 0; job < Subscriber.COALESCE_AFTER; job++) {
            subscriber.offer(entry("other-" + job, 1, JobStatus.RUNNING, 0, offset++));
        }
        now.addAndGet(Subscriber.COALESCE_AGE.toNanos());
        long replacing = offset;
        subscriber.offer(entry("a", 2, JobStatus.RUNNING, 0, offset++));

        client.request(Subscriber.COALESCE_AFTER);
        assertThat(client.versions()).as("a@1 was replaced by a@2, now at the back").doesNotContain("a@1", "a@2");
        assertThat(client.received.getLast().cursor()).as("the position stops at the replaced a@1")
                .isEqualTo(new StreamCursor(Map.of(0, 0L, 1, 0L)));

        client.request(1);
        assertThat(client.versions().getLast()).isEqualTo("a@2");
        assertThat(client.received.getLast().cursor()).as("once a@2 is handed on, the position is past it")
                .isEqualTo(new StreamCursor(Map.of(0, replacing + 1, 1, 0L)));

        // A resume from the held-back position gets the replaced version and what followed it again, never less.
        Subscriber resumed = new Subscriber(new Selector.OwnerJobs("alice", Set.of(), Set.of(), null, Set.of()), 0,
                client.received.get(Subscriber.COALESCE_AFTER - 1).cursor(), 64);
        Client again = new Client();
        resumed.deliveries().subscribe(again);
        List<FeedEntry> log = new ArrayList<>();
        log.add(entry("a", 1, JobStatus.RUNNING, 0, 0));
        for (int job = 0; job < Subscriber.COALESCE_AFTER; job++) {
            log.add(entry("other-" + job, 1, JobStatus.RUNNING, 0, job + 1));
        }
        log.add(entry("a", 2, JobStatus.RUNNING, 0, replacing));
        resumed.start(log);
        again.request(Long.MAX_VALUE);
        assertThat(again.versions()).startsWith("a@1").endsWith("a@2").hasSize(Subscriber.COALESCE_AFTER + 2);
    }

    @Test
    void recordsBeforeTheCursorAreNotDeliveredAgain() {
        Subscriber subscriber = new Subscriber(new Selector.OwnerJobs("alice", Set.of(), Set.of(), null, Set.of()), 0,
                new StreamCursor(Map.of(0, 10L)), 64);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        subscriber.start(List.of(entry("a", 1, JobStatus.RUNNING, 0, 9), entry("a", 2, JobStatus.RUNNING, 0, 10)));
        client.request(Long.MAX_VALUE);

        assertThat(client.versions()).containsExactly("a@2");
    }

    @Test
    void aJobSubscriptionHoldsLiveChangesUntilStartedAndEndsAfterTheTerminalState() {
        Subscriber subscriber = new Subscriber(new Selector.OneJob("a"), 1, null, 64);
        Client client = new Client();
        subscriber.deliveries().subscribe(client);
        client.request(Long.MAX_VALUE);
        subscriber.offer(entry("a", 3, JobStatus.RUNNING, 0, 3));
        subscriber.offer(entry("a", 4, JobStatus.SUCCEEDED, 0, 4));
        assertThat(client.received).isEmpty();

        subscriber.start(List.of(entry("a", 2, JobStatus.RUNNING, 0, 2), entry("a", 3, JobStatus.RUNNING, 0, 3)));

        assertThat(client.versions()).containsExactly("a@2", "a@3", "a@4");
        assertThat(client.completed).isTrue();
    }
}
