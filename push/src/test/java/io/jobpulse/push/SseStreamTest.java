package io.jobpulse.push;

import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.micronaut.http.sse.Event;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.Disposables;
import reactor.core.publisher.BaseSubscriber;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One SSE stream's events as the connection asks for them: the first event, updates in order, a
 * heartbeat only when the client is ready and nothing else waits, notices never dropped, the end
 * (a terminal state, the credential's end, a slow subscriber, the client going away) run once.
 */
class SseStreamTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration RETRY = Duration.ofSeconds(2);

    private final Heartbeats heartbeats = new Heartbeats(new PushConfiguration(Duration.ofHours(1), RETRY, 256, Duration.ofMillis(250), 100, Duration.ofSeconds(1),
            20, 100, Duration.ofSeconds(30), 1 << 20, 20, 40, 10, 1000, true));
    private final AtomicInteger ended = new AtomicInteger();

    @AfterEach
    void stopClock() {
        heartbeats.stop();
    }

    private static FeedEntry entry(long version, JobStatus status) {
        JobState state = new JobState("j", "alice", "image.generate", List.of(), null, status, 0, null, Map.of(), null, null, null,
                null, 1, version, T0, T0, null, null, null, null, null, List.of(), null);
        return new FeedEntry(new JobUpdate("j", version, status, JobStatus.RUNNING, false, "job.report-received", List.of(), state), 0, version);
    }

    private SseStream<Subscriber.Delivery, Event<Object>> stream(Subscriber subscriber, Event<Object> first) {
        return new SseStream<>(subscriber.deliveries(), first, (delivery, firstEvent) -> {
            Event<Object> event = Event.<Object>of("v" + delivery.update().version()).id("" + delivery.update().version());
            return firstEvent ? event.retry(RETRY) : event;
        }, Event.<Object>of("").comment("heartbeat"), s -> Disposables.single(), heartbeats, ended::incrementAndGet);
    }

    private static Subscriber started() {
        Subscriber subscriber = new Subscriber(new Selector.OneJob("j"), 0, null, 256);
        subscriber.start(List.of());
        return subscriber;
    }

    /** A connection that takes only what the test lets it; events as text: data, or ":" and the comment. */
    private static final class Connection extends BaseSubscriber<Event<Object>> {
        final List<String> received = new ArrayList<>();
        Throwable error;
        boolean completed;

        @Override
        protected void hookOnSubscribe(org.reactivestreams.Subscription subscription) {
        }

        @Override
        protected void hookOnNext(Event<Object> event) {
            received.add(event.getComment() != null && event.getData().equals("") ? ":" + event.getComment()
                    : event.getData() + (event.getRetry() != null ? " retry" : ""));
        }

        @Override
        protected void hookOnError(Throwable throwable) {
            error = throwable;
        }

        @Override
        protected void hookOnComplete() {
            completed = true;
        }
    }

    @Test
    void firstEventThenUpdatesInOrderAsTheClientAsks() {
        Subscriber subscriber = started();
        SseStream<Subscriber.Delivery, Event<Object>> stream = stream(subscriber, Event.<Object>of("").comment("stream position").retry(RETRY));
        Connection connection = new Connection();
        stream.subscribe(connection);
        subscriber.offer(entry(2, JobStatus.RUNNING));
        subscriber.offer(entry(3, JobStatus.RUNNING));
        assertThat(connection.received).isEmpty();

        connection.request(2);
        assertThat(connection.received).containsExactly(":stream position", "v2");
        connection.request(5);
        assertThat(connection.received).containsExactly(":stream position", "v2", "v3");
        subscriber.offer(entry(4, JobStatus.RUNNING));
        assertThat(connection.received).containsExactly(":stream position", "v2", "v3", "v4");
        assertThat(ended).hasValue(0);
    }

    @Test
    void withoutAFirstEventTheFirstUpdateSaysTheRetryDelay() {
        Subscriber subscriber = started();
        Connection connection = new Connection();
        stream(subscriber, null).subscribe(connection);
        connection.request(10);
        subscriber.offer(entry(2, JobStatus.RUNNING));
        subscriber.offer(entry(3, JobStatus.RUNNING));
        assertThat(connection.received).containsExactly("v2 retry", "v3");
    }

    @Test
    void aHeartbeatOnlyWhenTheClientIsReadyAndNothingWaits() {
        Subscriber subscriber = started();
        SseStream<Subscriber.Delivery, Event<Object>> stream = stream(subscriber, null);
        Connection connection = new Connection();
        stream.subscribe(connection);
        stream.heartbeat();
        assertThat(connection.received).as("no demand: dropped, not queued").isEmpty();

        connection.request(1);
        stream.heartbeat();
        stream.heartbeat();
        assertThat(connection.received).containsExactly(":heartbeat");

        subscriber.offer(entry(2, JobStatus.RUNNING));
        connection.request(1);
        assertThat(connection.received).as("the update the heartbeat's demand held back comes next").containsExactly(":heartbeat", "v2 retry");
    }

    @Test
    void aNoticeWaitsForDemandAndTheCredentialsEndEndsTheStreamOnce() {
        Subscriber subscriber = started();
        SseStream<Subscriber.Delivery, Event<Object>> stream = stream(subscriber, null);
        Connection connection = new Connection();
        stream.subscribe(connection);
        stream.notice(Event.<Object>of("expiring").name("token-expiring"));
        assertThat(connection.received).isEmpty();
        connection.request(1);
        assertThat(connection.received).containsExactly("expiring");

        stream.end();
        stream.end();
        assertThat(connection.completed).isTrue();
        assertThat(ended).hasValue(1);
        subscriber.offer(entry(2, JobStatus.RUNNING));
        connection.request(1);
        assertThat(connection.received).containsExactly("expiring");
    }

    @Test
    void aTerminalStateCompletesTheStreamAfterItIsSent() {
        Subscriber subscriber = started();
        Connection connection = new Connection();
        stream(subscriber, null).subscribe(connection);
        subscriber.offer(entry(2, JobStatus.SUCCEEDED));
        assertThat(connection.completed).isFalse();
        connection.request(1);
        assertThat(connection.received).containsExactly("v2 retry");
        assertThat(connection.completed).isTrue();
        assertThat(ended).hasValue(1);
    }

    @Test
    void aSlowSubscriberFailsTheStream() {
        Subscriber subscriber = new Subscriber(new Selector.OneJob("j"), 0, null, 2);
        subscriber.start(List.of());
        Connection connection = new Connection();
        stream(subscriber, null).subscribe(connection);
        for (long version = 2; version <= 5; version++) {
            subscriber.offer(entry(version, JobStatus.RUNNING));
        }
        connection.request(1);
        assertThat(connection.error).isInstanceOf(Subscriber.SlowSubscriberException.class);
        assertThat(ended).hasValue(1);
    }

    @Test
    void theClientGoingAwayEndsItOnce() {
        Subscriber subscriber = started();
        Connection connection = new Connection();
        stream(subscriber, null).subscribe(connection);
        connection.request(1);
        connection.cancel();
        connection.cancel();
        assertThat(ended).hasValue(1);
    }
}
