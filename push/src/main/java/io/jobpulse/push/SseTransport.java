package io.jobpulse.push;

import io.jobpulse.http.ApiContract;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.jobpulse.events.Roles;
import io.jobpulse.http.Caller;
import io.jobpulse.http.Routes;
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
import jakarta.inject.Named;
import org.reactivestreams.Publisher;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.function.Function;

/**
 * Server-Sent Events.
 *
 * <ul>
 *   <li>{@code GET /v1/jobs/{id}/stream}: one job. {@code id:} is the job's version. On connect
 *       the client gets every change after its {@code Last-Event-ID} from this instance's recent
 *       history, and where that does not reach back, from the job's partition of
 *       {@code jobpulse.job-status}; only when the topic cannot give them either (retention, more
 *       than {@code jobpulse.push.max-log-replay} records back), the current state marked
 *       {@code "snapshot": true}; then live changes. The stream ends after a terminal state; a
 *       client that already has the terminal version is answered 204, which tells EventSource to
 *       stop reconnecting.</li>
 *   <li>{@code GET /v1/stream}: all the caller's jobs, optionally only some types, a tag, some
 *       statuses. {@code id:} is a cursor in {@code jobpulse.job-status}, valid on every
 *       instance; a client resuming from before the retained history gets the missed changes read
 *       back from the topic; one whose position the topic no longer has, or lies more than
 *       {@code jobpulse.push.max-log-replay} records back, or with an id that is not one of the
 *       topic's positions, gets a {@code reset} event first (re-read your jobs, e.g.
 *       {@code GET /v1/jobs}), then live changes.</li>
 *   <li>{@code GET /v1/batches/{id}/stream}: one batch. {@code id:} is the batch's version, events are
 *       {@code batch} ({@link BatchUpdate}), and with {@code ?jobs=true} also {@code job} (a
 *       {@link JobUpdate} of a member job, with no {@code id:}, so that the last event id stays the
 *       batch's version). It ends after the batch is finished ({@link BatchSubscriptions}).</li>
 * </ul>
 * Events are {@code status} (the status changed, or a snapshot) or {@code progress} (anything
 * else changed); their data is a {@link JobUpdate}. Idle streams get a {@code : heartbeat}
 * comment every {@code jobpulse.push.heartbeat}. Only the caller's jobs are streamed; another
 * owner's job is 404, like a missing one. This class is the SSE transport only: requests are read
 * by {@link SubscriptionRequests}, the credential's life is {@link CredentialLifetimes}.
 */
@Tag(name = "Streams")
@ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
@ApiResponse(responseCode = "403", ref = ApiContract.FORBIDDEN)
@ApiResponse(responseCode = "429", ref = ApiContract.RATE_LIMITED)
@ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
@Controller
@Requires(property = Roles.PROPERTY, pattern = Roles.PUSH)
public class SseTransport {

    static final String RESET_EVENT = "reset";
    static final String TOKEN_EXPIRING_EVENT = "token-expiring";
    private static final Event<Object> HEARTBEAT = Event.<Object>of("").comment("heartbeat");

    private final Subscriptions subscriptions;
    private final BatchSubscriptions batches;
    private final Heartbeats heartbeats;
    private final PushConfiguration config;
    private final ConnectionLimits connections;
    private final CredentialLifetimes lifetimes;
    private final UpdateEncoding encoding;
    private final ExecutorService blocking;

    public SseTransport(Subscriptions subscriptions, BatchSubscriptions batches, Heartbeats heartbeats, PushConfiguration config,
                        ConnectionLimits connections, CredentialLifetimes lifetimes, UpdateEncoding encoding,
                        @Named(TaskExecutors.BLOCKING) ExecutorService blocking) {
        this.subscriptions = subscriptions;
        this.batches = batches;
        this.heartbeats = heartbeats;
        this.config = config;
        this.connections = connections;
        this.lifetimes = lifetimes;
        this.encoding = encoding;
        this.blocking = blocking;
    }

    @Operation(summary = "Follow one job (Server-Sent Events)", description = """
            Events: `status` (the status changed, or a snapshot) and `progress` (anything else changed), whose `data:` is a JobUpdate; `token-expiring` (`{expiresAt, detail}`) before the credential's expiry; `: heartbeat` comments on a quiet stream; `retry:` once. `id:` is the job's version; with `Last-Event-ID: N` every change after N comes first. The stream ends after the terminal state; a client that already has it gets 204.""")
    @SecurityRequirement(name = ApiContract.BEARER_JWT)
    @SecurityRequirement(name = ApiContract.API_KEY)
    @SecurityRequirement(name = ApiContract.STREAM_TOKEN)
    @ApiResponse(responseCode = "200", description = "The stream.", content = @Content(mediaType = "text/event-stream", schema = @Schema(type = "string"), examples = @ExampleObject(value = "retry: 2000\nid: 1\nevent: status\ndata: {\"jobId\":\"019a…\",\"version\":1,\"status\":\"queued\",\"snapshot\":true,…}\n\n: heartbeat\n\nid: 2\nevent: progress\ndata: {\"jobId\":\"019a…\",\"version\":2,\"status\":\"running\",\"previousStatus\":\"running\",\"changed\":[\"progress\"],…}\n\n")))
    @ApiResponse(responseCode = "204", description = "The client has the job's terminal version: stop reconnecting.")
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Get(value = Routes.JOB_STREAM, produces = MediaType.TEXT_EVENT_STREAM)
    public CompletableFuture<HttpResponse<Publisher<Event<Object>>>> jobStream(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                                                               @PathVariable String id,
                                                                               @Parameter(description = "The last version received; EventSource sends it when it reconnects") @Nullable @Header("Last-Event-ID") String lastEventId,
                                                                               @Parameter(description = "As Last-Event-ID, for a new EventSource that cannot send the header") @Nullable @QueryValue("lastEventId") String lastEventIdParameter) {
        return offEventLoop(() -> openJob(caller, id, lastEventId, lastEventIdParameter));
    }

    private HttpResponse<Publisher<Event<Object>>> openJob(Caller caller, String id, String lastEventId, String lastEventIdParameter)
            throws InterruptedException {
        caller.requireSubscribe();
        long after = SubscriptionRequests.version("Last-Event-ID", lastEventId != null ? lastEventId : lastEventIdParameter);
        Runnable release = connections.open(caller, PushMetrics.Transport.SSE);
        try {
            Optional<Subscriber> subscriber = subscriptions.job(caller, id, after);
            if (subscriber.isEmpty()) {
                release.run();
                return HttpResponse.noContent();
            }
            Subscriber opened = subscriber.get();
            return stream(caller, opened.deliveries(), delivery -> jobEvent(delivery, Long.toString(delivery.update().version())), null,
                    () -> {
                        subscriptions.close(opened);
                        release.run();
                    });
        } catch (RuntimeException | InterruptedException e) {
            release.run();
            throw e;
        }
    }

    @Operation(summary = "Follow all the caller's jobs (Server-Sent Events)", description = """
            Events: `status` (the status changed, or a snapshot) and `progress` (anything else changed), whose `data:` is a JobUpdate; `token-expiring` (`{expiresAt, detail}`) before the credential's expiry; `: heartbeat` comments on a quiet stream; `retry:` once. `id:` is an opaque cursor valid on every instance; the first thing sent is a `: stream position` comment with an `id:`. A `Last-Event-ID` that cannot be resumed gets a `reset` event first (`{reason: history-unavailable, detail}`): re-read `GET /v1/jobs`.""")
    @SecurityRequirement(name = ApiContract.BEARER_JWT)
    @SecurityRequirement(name = ApiContract.API_KEY)
    @SecurityRequirement(name = ApiContract.STREAM_TOKEN)
    @ApiResponse(responseCode = "200", description = "The stream.", content = @Content(mediaType = "text/event-stream", schema = @Schema(type = "string"), examples = @ExampleObject(value = ": stream position\nid: 0-17\nretry: 2000\n\nid: 0-18\nevent: status\ndata: {\"jobId\":\"019a…\",\"version\":2,\"status\":\"running\",…}\n\n")))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @Get(value = Routes.STREAM, produces = MediaType.TEXT_EVENT_STREAM)
    public CompletableFuture<HttpResponse<Publisher<Event<Object>>>> ownerStream(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                                                                 @Parameter(description = "Whose jobs (an API key bound to no owner)") @Nullable @QueryValue String owner,
                                                                                 @Parameter(description = "Only these job types, repeated or comma-separated") @Nullable @QueryValue List<String> type,
                                                                                 @Parameter(description = "Only jobs with this tag") @Nullable @QueryValue String tag,
                                                                                 @Parameter(description = "Only changes whose new or previous status is one of these") @Nullable @QueryValue List<String> status,
                                                                                 @Parameter(description = "The last cursor received") @Nullable @Header("Last-Event-ID") String lastEventIdHeader,
                                                                                 @Parameter(description = "As Last-Event-ID, for a new EventSource that cannot send the header") @Nullable @QueryValue("lastEventId") String lastEventIdParameter) {
        return offEventLoop(() -> openOwner(caller, owner, type, tag, status, lastEventIdHeader, lastEventIdParameter));
    }

    private HttpResponse<Publisher<Event<Object>>> openOwner(Caller caller, String owner, List<String> type, String tag, List<String> status,
                                                             String lastEventIdHeader, String lastEventIdParameter)
            throws InterruptedException {
        caller.requireSubscribe();
        Selector.OwnerJobs selector = SubscriptionRequests.ownerJobs(caller, owner, type, tag, status);
        // A new EventSource (after a fresh stream token) cannot send the header; it passes the id as a parameter.
        Optional<StreamCursor> resumeFrom = SubscriptionRequests.cursor(lastEventIdHeader != null ? lastEventIdHeader : lastEventIdParameter);
        Runnable release = connections.open(caller, PushMetrics.Transport.SSE);
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
                        "detail", "Changes after your last event id cannot be replayed here: they are no longer retained, or the id is"
                                + " not one this stream sent. Re-read your jobs (GET /v1/jobs) and continue from this event's id."))
                        .id(start).name(RESET_EVENT).retry(config.retry())
                : Event.<Object>of("").id(start).comment("stream position").retry(config.retry());
        Subscriber subscriber = subscription.subscriber();
        return stream(caller, subscriber.deliveries(), delivery -> jobEvent(delivery, delivery.cursor().encode()), first, () -> {
            subscriptions.close(subscriber);
            release.run();
        });
    }

    /** What opens a stream: it may block (waiting for the feed, reading the topic or a job's state). */
    private interface Opening {
        HttpResponse<Publisher<Event<Object>>> open() throws InterruptedException;
    }

    /**
     * Opens a stream on the blocking executor, and answers from there. Not {@code @ExecuteOn}: for a
     * route on an executor, Micronaut also moves every element of a streamed body to that executor
     * ({@code publishOn}), which costs a queue per connection and a task (here a new virtual thread)
     * per event per stream; a stream's events are written from the thread that produces them.
     * Failures complete the answer as they are, so a refusal is still its problem response.
     */
    private CompletableFuture<HttpResponse<Publisher<Event<Object>>>> offEventLoop(Opening opening) {
        CompletableFuture<HttpResponse<Publisher<Event<Object>>>> answer = new CompletableFuture<>();
        blocking.execute(() -> {
            try {
                answer.complete(opening.open());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                answer.completeExceptionally(e);
            } catch (RuntimeException e) {
                answer.completeExceptionally(e);
            }
        });
        return answer;
    }

    @Operation(summary = "Follow one batch (Server-Sent Events)", description = """
            Events: `batch`, whose `data:` is a BatchUpdate (the batch's aggregate after each change, or a snapshot); with `jobs=true` also `job`, whose `data:` is a JobUpdate of one of its jobs, as a job's stream sends it, with no `id:`; `token-expiring` (`{expiresAt, detail}`) before the credential's expiry; `: heartbeat` comments on a quiet stream; `retry:` once. `id:` is the batch's version; with `Last-Event-ID: N` every version after N comes first (or, where this instance no longer holds them, the current state with `snapshot: true`). The stream ends after the batch is finished (succeeded, failed, partial, canceled); a client that already has that version gets 204.""")
    @SecurityRequirement(name = ApiContract.BEARER_JWT)
    @SecurityRequirement(name = ApiContract.API_KEY)
    @SecurityRequirement(name = ApiContract.STREAM_TOKEN)
    @ApiResponse(responseCode = "200", description = "The stream.", content = @Content(mediaType = "text/event-stream", schema = @Schema(type = "string"), examples = @ExampleObject(value = "retry: 2000\nid: 3\nevent: batch\ndata: {\"batchId\":\"019a…\",\"version\":3,\"status\":\"running\",\"snapshot\":true,\"batch\":{\"total\":10,\"done\":2,…}}\n\nevent: job\ndata: {\"jobId\":\"019b…\",\"version\":3,\"status\":\"succeeded\",…}\n\nid: 4\nevent: batch\ndata: {\"batchId\":\"019a…\",\"version\":4,\"status\":\"running\",\"previousStatus\":\"running\",\"cause\":\"batch.job-changed\",…}\n\n")))
    @ApiResponse(responseCode = "204", description = "The client has the version that finished the batch: stop reconnecting.")
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Get(value = Routes.BATCH_STREAM, produces = MediaType.TEXT_EVENT_STREAM)
    public CompletableFuture<HttpResponse<Publisher<Event<Object>>>> batchStream(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                                                                                 @PathVariable String id,
                                                                                 @Parameter(description = "Also the changes of the batch's jobs, as `job` events") @Nullable @QueryValue Boolean jobs,
                                                                                 @Parameter(description = "The last batch version received; EventSource sends it when it reconnects") @Nullable @Header("Last-Event-ID") String lastEventId,
                                                                                 @Parameter(description = "As Last-Event-ID, for a new EventSource that cannot send the header") @Nullable @QueryValue("lastEventId") String lastEventIdParameter) {
        return offEventLoop(() -> openBatch(caller, id, Boolean.TRUE.equals(jobs), lastEventId, lastEventIdParameter));
    }

    private HttpResponse<Publisher<Event<Object>>> openBatch(Caller caller, String id, boolean jobs, String lastEventId,
                                                             String lastEventIdParameter) throws InterruptedException {
        caller.requireSubscribe();
        long after = SubscriptionRequests.version("Last-Event-ID", lastEventId != null ? lastEventId : lastEventIdParameter);
        Runnable release = connections.open(caller, PushMetrics.Transport.SSE);
        try {
            Optional<BatchWatch> watch = batches.batch(caller, id, after, jobs);
            if (watch.isEmpty()) {
                release.run();
                return HttpResponse.noContent();
            }
            return stream(caller, watch.get().deliveries(), item -> switch (item) {
                case BatchWatch.BatchItem batch -> Event.<Object>of(encoding.json(batch.update()))
                        .id(Long.toString(batch.update().version())).name(SubscriptionRequests.BATCH_EVENT);
                case BatchWatch.JobItem job -> Event.<Object>of(encoding.json(job.delivery().update())).name(SubscriptionRequests.JOB_EVENT);
            }, null, () -> {
                watch.get().close();
                release.run();
            });
        } catch (RuntimeException | InterruptedException e) {
            release.run();
            throw e;
        }
    }

    /** A job's delivery as an SSE event, named by {@link SubscriptionRequests#eventName}, with the given id. */
    private Event<Object> jobEvent(Subscriber.Delivery delivery, String id) {
        return Event.<Object>of(encoding.json(delivery.update())).id(id).name(SubscriptionRequests.eventName(delivery.update()));
    }

    /**
     * The deliveries as SSE events, with heartbeats while it lasts, proxy-friendly. A
     * stream opened with a credential that expires (a stream token, a JWT) is told
     * {@code token-expiring} before its time is up and ends when it is: the client reconnects with a
     * fresh token and its last event id. A stream opened with an API key ends once the key is revoked.
     *
     * @param onEnd runs once the stream ended, however
     */
    private <D> HttpResponse<Publisher<Event<Object>>> stream(Caller caller, Publisher<D> deliveries, Function<D, Event<Object>> toEvent,
                                                              @Nullable Event<Object> first, Runnable onEnd) {
        // The reconnection delay is said once, in the stream's first event: EventSource keeps it.
        Publisher<Event<Object>> events = new SseStream<D, Event<Object>>(deliveries, first,
                (delivery, firstEvent) -> {
                    Event<Object> event = toEvent.apply(delivery);
                    return firstEvent ? event.retry(config.retry()) : event;
                },
                HEARTBEAT,
                stream -> lifetimes.watch(caller, moment -> {
                    switch (moment) {
                        case CredentialLifetimes.Expiring expiring -> stream.notice(Event.<Object>of(Map.of(
                                "expiresAt", expiring.expiresAt().toString(), "detail",
                                "This stream ends when its token expires. Ask for a fresh token (POST /v1/stream-tokens) and reconnect"
                                        + " with it and your last event id (?token=...&lastEventId=...).")).name(TOKEN_EXPIRING_EVENT));
                        case CredentialLifetimes.Ended ended -> stream.end();
                    }
                }),
                heartbeats,
                onEnd);
        // Said here: for an answer that comes as a future, Micronaut does not take it from the route's produces.
        return HttpResponse.ok(events)
                .contentType(MediaType.TEXT_EVENT_STREAM_TYPE)
                .header("Cache-Control", "no-cache, no-store")
                .header("X-Accel-Buffering", "no");
    }
}
