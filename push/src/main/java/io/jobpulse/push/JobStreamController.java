package io.jobpulse.push;

import io.jobpulse.events.Caller;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.Roles;
import io.jobpulse.events.http.Problem;
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
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.http.sse.Event;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Server-Sent Events.
 *
 * <ul>
 *   <li>{@code GET /v1/jobs/{id}/stream}: one job. {@code id:} is the job's version. On connect
 *       the client gets every change after its {@code Last-Event-ID} from this instance's recent
 *       history, or, where that does not reach back, the current state marked
 *       {@code "snapshot": true}; then live changes. The stream ends after a terminal state; a
 *       client that already has the terminal version is answered 204, which tells EventSource to
 *       stop reconnecting.</li>
 *   <li>{@code GET /v1/stream}: all the caller's jobs, optionally only some types, a tag, some
 *       statuses. {@code id:} is a cursor in {@code jobpulse.job-status}, valid on every
 *       instance; a client resuming from outside the retained history gets a {@code reset} event
 *       first (re-read your jobs, e.g. {@code GET /v1/jobs}), then live changes.</li>
 * </ul>
 * Events are {@code status} (the status changed, or a snapshot) or {@code progress} (anything
 * else changed); their data is a {@link JobUpdate}. Idle streams get a {@code : heartbeat}
 * comment every {@code jobpulse.push.heartbeat}. Only the caller's jobs are streamed; another
 * owner's job is 404, like a missing one.
 */
@Controller
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class JobStreamController {

    static final String STATUS_EVENT = "status";
    static final String PROGRESS_EVENT = "progress";
    static final String RESET_EVENT = "reset";
    static final String TOKEN_EXPIRING_EVENT = "token-expiring";

    private final Subscriptions subscriptions;
    private final Heartbeats heartbeats;
    private final PushConfiguration config;
    private final ConnectionLimits connections;
    private final CredentialStatus credentials;

    public JobStreamController(Subscriptions subscriptions, Heartbeats heartbeats, PushConfiguration config,
                               ConnectionLimits connections, CredentialStatus credentials) {
        this.subscriptions = subscriptions;
        this.heartbeats = heartbeats;
        this.config = config;
        this.connections = connections;
        this.credentials = credentials;
    }

    @Get(value = "/v1/jobs/{id}/stream", produces = MediaType.TEXT_EVENT_STREAM)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<Publisher<Event<Object>>> jobStream(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id,
                                                            @Nullable @Header("Last-Event-ID") String lastEventId,
                                                            @Nullable @QueryValue("lastEventId") String lastEventIdParameter)
            throws InterruptedException {
        caller.requireSubscribe();
        long after = parseVersion(lastEventId != null ? lastEventId : lastEventIdParameter);
        Runnable release = connections.open(caller);
        try {
            Optional<Subscriber> subscriber = subscriptions.job(caller, id, after);
            if (subscriber.isEmpty()) {
                release.run();
                return HttpResponse.noContent();
            }
            return stream(caller, subscriber.get(), delivery -> Long.toString(delivery.update().version()), Flux.empty(), release);
        } catch (RuntimeException | InterruptedException e) {
            release.run();
            throw e;
        }
    }

    @Get(value = "/v1/stream", produces = MediaType.TEXT_EVENT_STREAM)
    @ExecuteOn(TaskExecutors.BLOCKING)
    public HttpResponse<Publisher<Event<Object>>> ownerStream(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                                              @Nullable @QueryValue String owner,
                                                              @Nullable @QueryValue List<String> type,
                                                              @Nullable @QueryValue String tag,
                                                              @Nullable @QueryValue List<String> status,
                                                              @Nullable @Header("Last-Event-ID") String lastEventIdHeader,
                                                              @Nullable @QueryValue("lastEventId") String lastEventIdParameter)
            throws InterruptedException {
        caller.requireSubscribe();
        String whose = caller.ownerFor(owner);
        // A new EventSource (after a fresh stream token) cannot send the header; it passes the id as a parameter.
        String lastEventId = lastEventIdHeader != null ? lastEventIdHeader : lastEventIdParameter;
        Optional<StreamCursor> resumeFrom = Optional.empty();
        if (lastEventId != null && !lastEventId.isBlank()) {
            try {
                resumeFrom = Optional.of(StreamCursor.decode(lastEventId));
            } catch (IllegalArgumentException e) {
                throw invalid("Last-Event-ID", "Last-Event-ID must be an id: this stream sent, as sent.");
            }
        }
        Selector.OwnerJobs selector = new Selector.OwnerJobs(whose, streamJobs(caller), split(type), tag, statuses(status));
        Runnable release = connections.open(caller);
        SubscriberHub.OwnerSubscription subscription;
        try {
            subscription = subscriptions.jobsOf(selector, resumeFrom);
        } catch (RuntimeException | InterruptedException e) {
            release.run();
            throw e;
        }
        String start = subscription.start().encode();
        // The first event says where the stream starts: with only an id and no data, it moves
        // EventSource's last event id without firing, so an early reconnect resumes from here.
        Event<Object> first = subscription.reset()
                ? Event.<Object>of(Map.of("reason", "history-unavailable",
                        "detail", "Changes since your last event are no longer retained here; re-read your jobs (GET /v1/jobs)."))
                        .id(start).name(RESET_EVENT).retry(config.retry())
                : Event.<Object>of("").id(start).comment("stream position").retry(config.retry());
        return stream(caller, subscription.subscriber(), delivery -> delivery.cursor().encode(), Flux.just(first), release);
    }

    /**
     * The subscriber's deliveries as SSE events, with heartbeats while it lasts, proxy-friendly. A
     * stream opened with a credential that expires (a stream token, a JWT) is told
     * {@code token-expiring} before its time is up and ends when it is: the client reconnects with a
     * fresh token and its last event id. A stream opened with an API key ends once the key is revoked.
     */
    private HttpResponse<Publisher<Event<Object>>> stream(Caller caller, Subscriber subscriber, Function<Subscriber.Delivery, String> id,
                                                          Flux<Event<Object>> first, Runnable release) {
        Flux<Event<Object>> updates = subscriber.deliveries()
                .map(delivery -> Event.<Object>of(delivery.update())
                        .id(id.apply(delivery))
                        .name(eventName(delivery.update()))
                        .retry(config.retry()));
        Flux<Event<Object>> expiry = Flux.empty();
        Mono<Long> end = Mono.never();
        if (caller.expiresAt() != null) {
            Duration left = Duration.between(Instant.now(), caller.expiresAt());
            Duration notice = left.minus(config.tokenExpiringNotice());
            expiry = Mono.delay(notice.isNegative() ? Duration.ZERO : notice)
                    .map(tick -> Event.<Object>of(Map.of("expiresAt", caller.expiresAt().toString(), "detail",
                            "This stream ends when its token expires. Ask for a fresh token (POST /v1/stream-tokens) and reconnect"
                                    + " with it and your last event id (?token=...&lastEventId=...).")).name(TOKEN_EXPIRING_EVENT))
                    .flux();
            end = Mono.delay(left.isNegative() ? Duration.ZERO : left);
        }
        end = Mono.firstWithSignal(end, credentials.revoked(caller));
        Flux<Event<Object>> notice = expiry;
        Flux<Event<Object>> live = updates.publish(shared -> Flux.merge(shared,
                heartbeats.ticks()
                        .map(tick -> Event.<Object>of("").comment("heartbeat"))
                        .takeUntilOther(shared.then()),
                notice.takeUntilOther(shared.then())));
        Flux<Event<Object>> events = first.concatWith(live.takeUntilOther(end))
                .doFinally(signal -> {
                    subscriptions.close(subscriber);
                    release.run();
                });
        return HttpResponse.ok((Publisher<Event<Object>>) events)
                .header("Cache-Control", "no-cache, no-store")
                .header("X-Accel-Buffering", "no");
    }

    /** The jobs a caller's multi-job stream is limited to: a stream token's, or none (all). */
    static Set<String> streamJobs(Caller caller) {
        return caller.streamJobs() == null ? Set.of() : caller.streamJobs();
    }

    static String eventName(JobUpdate update) {
        return update.snapshot() || update.previousStatus() != update.status() ? STATUS_EVENT : PROGRESS_EVENT;
    }

    private static long parseVersion(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return 0;
        }
        try {
            long version = Long.parseLong(lastEventId.trim());
            if (version < 0) {
                throw new NumberFormatException();
            }
            return version;
        } catch (NumberFormatException e) {
            throw invalid("Last-Event-ID", "Last-Event-ID must be a version number as sent in the stream's id: field.");
        }
    }

    static Set<String> split(List<String> values) {
        Set<String> split = new HashSet<>();
        if (values != null) {
            values.forEach(value -> Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).forEach(split::add));
        }
        return split;
    }

    static Set<JobStatus> statuses(List<String> values) {
        Set<JobStatus> statuses = new HashSet<>();
        for (String value : split(values)) {
            statuses.add(JobStatus.fromWireName(value).orElseThrow(() -> invalid("status",
                    "'status' takes queued, running, succeeded, failed, canceled or expired, not '" + value + "'.")));
        }
        return statuses;
    }

    static ProblemException invalid(String field, String detail) {
        return new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, detail).with("field", field));
    }
}
