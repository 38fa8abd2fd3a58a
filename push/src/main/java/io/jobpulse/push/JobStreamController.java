package io.jobpulse.push;

import io.jobpulse.events.Roles;
import io.jobpulse.events.http.ProblemException;
import io.jobpulse.events.http.ProblemType;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;

import java.time.Instant;
import java.util.Map;

/**
 * {@code GET /v1/jobs/{id}/stream}: Server-Sent Events for one job. The first event is the
 * current state (or nothing, if the client's {@code Last-Event-ID} is already current), then
 * every change as it happens; {@code id:} is the job's version. The stream ends after a terminal
 * state. Idle streams get {@code heartbeat} events.
 */
@Controller("/v1/jobs")
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class JobStreamController {

    static final String STATUS_EVENT = "status";
    static final String HEARTBEAT_EVENT = "heartbeat";

    private final SubscriberHub hub;
    private final StatusChangeFeed feed;
    private final JobSnapshots snapshots;
    private final PushConfiguration config;

    public JobStreamController(SubscriberHub hub, StatusChangeFeed feed, JobSnapshots snapshots, PushConfiguration config) {
        this.hub = hub;
        this.feed = feed;
        this.snapshots = snapshots;
        this.config = config;
    }

    @Get(value = "/{id}/stream", produces = MediaType.TEXT_EVENT_STREAM)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<Publisher<Event<Object>>> stream(@PathVariable String id,
                                                         @Nullable @Header("Last-Event-ID") String lastEventId)
            throws InterruptedException {
        long after = parseLastEventId(lastEventId);
        if (!feed.awaitReady(config.readyWait())) {
            throw new ProblemException(ProblemType.UNAVAILABLE, "The live feed is starting. Retry shortly.");
        }
        Subscriber subscriber = new Subscriber(id, after, config.bufferSize());
        // Subscribe before reading the snapshot: a change in between is held, not lost.
        hub.add(subscriber);
        try {
            var snapshot = snapshots.current(id)
                    .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No job " + id + "."));
            subscriber.start(JobUpdate.snapshot(snapshot));
        } catch (RuntimeException e) {
            hub.remove(subscriber);
            throw e;
        }
        Flux<Event<Object>> updates = subscriber.updates()
                .map(update -> Event.<Object>of(update)
                        .id(Long.toString(update.version()))
                        .name(STATUS_EVENT)
                        .retry(config.retry()))
                .doFinally(signal -> hub.remove(subscriber));
        Flux<Event<Object>> events = updates.publish(shared -> Flux.merge(shared,
                Flux.interval(config.heartbeat())
                        .map(tick -> Event.<Object>of(Map.of("at", Instant.now().toString())).name(HEARTBEAT_EVENT))
                        .takeUntilOther(shared.then())));
        return HttpResponse.ok((Publisher<Event<Object>>) events)
                .header("Cache-Control", "no-cache, no-store")
                .header("X-Accel-Buffering", "no");
    }

    private static long parseLastEventId(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(lastEventId.trim());
        } catch (NumberFormatException e) {
            throw new ProblemException(ProblemType.INVALID_REQUEST,
                    "Last-Event-ID must be a version number as sent in the stream's id: field.");
        }
    }
}
