package io.jobpulse.ingest;

import io.jobpulse.http.ApiContract;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.jobpulse.events.EventSource;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobLimits;
import io.jobpulse.events.JobPoll;
import io.jobpulse.events.JobProvider;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.http.Caller;
import io.jobpulse.http.JobIds;
import io.jobpulse.http.JobStateReader;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.jobpulse.outbound.OutboundRequests;
import io.jobpulse.outbound.OutboundUrl;
import io.jobpulse.ingest.webhooks.Providers;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Job intake: submissions, worker reports, cancel and retry. Each request becomes one event on
 * {@code jobpulse.job-events}; it is answered 202 only once Kafka has acknowledged that event.
 * Requests are checked here for what can be known without the job's state; rules that need the
 * state (unknown job, terminal job) are applied in order by the topology.
 */
@Tag(name = "Jobs")
@ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
@ApiResponse(responseCode = "403", ref = ApiContract.FORBIDDEN)
@ApiResponse(responseCode = "429", ref = ApiContract.RATE_LIMITED)
@ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
@Controller(Routes.JOBS)
@Requires(beans = JobEventPublisher.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class JobsController {

    /** Says that an answer is the one a key was given before, as payment APIs do. */
    static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
    private static final Set<JobStatus> RETRYABLE = EnumSet.of(JobStatus.FAILED, JobStatus.EXPIRED, JobStatus.CANCELED);

    private final JobEventPublisher publisher;
    private final Submissions submissions;
    private final BatchWrites batches;
    private final Providers providers;
    private final JobStateReader states;
    private final FieldLimits limits;
    private final SigningKey signingKey;
    private final Clock clock;

    public JobsController(JobEventPublisher publisher, Submissions submissions, BatchWrites batches, Providers providers,
                          JobStateReader states, JobLimits limits, SigningKey signingKey) {
        this.publisher = publisher;
        this.submissions = submissions;
        this.batches = batches;
        this.providers = providers;
        this.states = states;
        this.limits = new FieldLimits(limits);
        this.signingKey = signingKey;
        this.clock = Clock.systemUTC();
    }

    /** The webhook URL of the job for every provider that takes callbacks, each with its token. */
    private Map<String, String> webhooks(String jobId) {
        Map<String, String> urls = new TreeMap<>();
        for (String name : providers.takingCallbacks()) {
            urls.put(name, Routes.WEBHOOKS + "/" + name + "?job=" + jobId + "&token=" + signingKey.webhookToken(name, jobId));
        }
        return urls;
    }

    @Operation(summary = "Submit a job", description = """
            Answered 202 as soon as the job's `job.submitted` event is durably in Kafka. `owner` is for an API key bound to no owner. With `Idempotency-Key` a repeated request answers with the same job (`Idempotent-Replayed: true`), and the same key with another body is 409.""")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = "application/json", schema = @Schema(implementation = SubmitJobRequest.class),
            examples = @ExampleObject(name = "image", value = "{\"type\": \"image.generate\", \"input\": {\"prompt\": \"a lighthouse at dusk\"}, \"tags\": [\"demo\"]}")))
    @ApiResponse(responseCode = "202", description = "The job was accepted; `Location` is its URL.", headers = {@io.swagger.v3.oas.annotations.headers.Header(name = "Location", description = "The job", schema = @Schema(type = "string")), @io.swagger.v3.oas.annotations.headers.Header(name = "Idempotent-Replayed", description = "`true` when this is the answer a key was given before", schema = @Schema(type = "string"))}, content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobAccepted.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @ApiResponse(responseCode = "413", ref = ApiContract.PAYLOAD_TOO_LARGE)
    @ApiResponse(responseCode = "415", ref = ApiContract.UNSUPPORTED_MEDIA_TYPE)
    @Post
    public HttpResponse<JobAccepted> submit(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @Body SubmitJobRequest request,
                                            @Parameter(description = "1-200 characters; the same key answers with the same job") @Nullable @Header("Idempotency-Key") String idempotencyKey) {
        caller.require(Caller.Scope.SUBMIT);
        if (request == null) {
            throw invalid("body", "A job needs a JSON body such as {\"type\": \"image.generate\", \"input\": {...}}.");
        }
        String owner = Submissions.owner(caller, request.owner());
        Submissions.Checked checked = submissions.check(request, "", owner);
        Submissions.checkIdempotencyKey(idempotencyKey);
        List<String> tags = checked.tags();
        String jobId = idempotencyKey == null ? Ids.next() : signingKey.idempotentJobId(owner, idempotencyKey);
        if (idempotencyKey != null) {
            // A key used before answers with the job it made, as it is now; with another body it is a conflict.
            Optional<JobState> stored = states.current(jobId);
            if (stored.isPresent()) {
                JobState job = stored.get();
                if (!job.type().equals(request.type()) || !Objects.equals(job.input(), request.input()) || !job.tags().equals(tags)) {
                    throw new ProblemException(Problem.of(ProblemType.CONFLICT, "This Idempotency-Key was used for job " + jobId
                            + " with another body (type, input or tags differ); use a new key for a new job.")
                            .with("reason", "idempotency-key-reused").with("field", "Idempotency-Key"));
                }
                return HttpResponse.accepted(URI.create(Routes.JOBS + "/" + jobId)).header(IDEMPOTENT_REPLAYED, "true")
                        .body(JobAccepted.of(job, webhooks(jobId)));
            }
        }
        Instant now = clock.instant();
        var event = checked.submitted(jobId, now, caller.source(), request.batchId());
        if (request.batchId() == null) {
            publisher.publish(event);
        } else {
            batches.addJob(caller, request.batchId(), event);
        }
        return HttpResponse.accepted(URI.create("/v1/jobs/" + jobId)).body(JobAccepted.of(jobId, request.type(), now,
                webhooks(jobId), checked.providerName()));
    }

    @Operation(summary = "Report on a job (workers)", description = """
            A worker's progress, message, result or error; `status` moves it to running, succeeded or failed. Needs `jobpulse:jobs:report`.""")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = "application/json", schema = @Schema(implementation = ReportRequest.class),
            examples = @ExampleObject(name = "progress", value = "{\"status\": \"running\", \"progress\": 0.5, \"message\": \"denoising\"}")))
    @ApiResponse(responseCode = "202", description = "The report's event is in Kafka.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EventAccepted.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @ApiResponse(responseCode = "413", ref = ApiContract.PAYLOAD_TOO_LARGE)
    @ApiResponse(responseCode = "415", ref = ApiContract.UNSUPPORTED_MEDIA_TYPE)
    @Post(Routes.JOB_REPORTS)
    public HttpResponse<EventAccepted> report(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id, @Body ReportRequest request) {
        caller.require(Caller.Scope.REPORT);
        JobState job = visible(caller, id);
        if (job.isTerminal()) {
            throw conflict(job, "job-terminal", "a report changes nothing any more");
        }
        if (request == null || request.isEmpty()) {
            throw invalid("body", "A report needs a JSON body with at least one of status, progress, message, metadata, result,"
                    + " error, such as {\"status\": \"running\", \"progress\": 0.5}.");
        }
        JobStatus status = null;
        if (request.status() != null) {
            status = JobStatus.fromWireName(request.status())
                    .filter(s -> s == JobStatus.RUNNING || s == JobStatus.SUCCEEDED || s == JobStatus.FAILED)
                    .orElseThrow(() -> invalid("status", "'status' must be one of running, succeeded, failed."));
        }
        Double progress = request.progress();
        if (progress != null && (progress.isNaN() || progress < 0 || progress > 1)) {
            throw invalid("progress", "'progress' is the fraction done, a number from 0 to 1 (0.25 means 25%).");
        }
        limits.checkReport(request);
        Instant now = clock.instant();
        var event = new JobEvent.ReportReceived(Ids.next(), id, now, now, caller.source(), status,
                progress, request.message(), request.metadata(), request.result(), request.error());
        publisher.publish(event);
        return HttpResponse.accepted().body(new EventAccepted(id, event.eventId(), event.wireName()));
    }

    @Operation(summary = "Cancel a queued or running job", description = """
            An optional `reason`. A job that has ended is 409 (`job-terminal`).""")
    @ApiResponse(responseCode = "202", description = "The cancel request's event is in Kafka.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EventAccepted.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @Post(Routes.JOB_CANCEL)
    public HttpResponse<EventAccepted> cancel(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id, @Nullable @Body CommandRequest request) {
        return command(caller, id, request, job -> job.isTerminal() ? conflict(job, "job-terminal", "there is nothing to cancel") : null,
                (eventId, at, by, reason) -> new JobEvent.CancelRequested(eventId, id, at, at, by, reason));
    }

    @Operation(summary = "Retry a failed, expired or canceled job", description = """
            Starts a new attempt; any other status is 409 (`invalid-transition`).""")
    @ApiResponse(responseCode = "202", description = "The retry request's event is in Kafka.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EventAccepted.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @Post(Routes.JOB_RETRY)
    public HttpResponse<EventAccepted> retry(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id, @Nullable @Body CommandRequest request) {
        return command(caller, id, request, job -> RETRYABLE.contains(job.status()) ? null : conflict(job, "invalid-transition",
                        "only a failed, expired or canceled job is retried"),
                (eventId, at, by, reason) -> new JobEvent.RetryRequested(eventId, id, at, at, by, reason));
    }

    /**
     * Starts polling the job's status at its provider until it ends. The URL must be one of the
     * provider's status URL templates, and its host must resolve to addresses Jobpulse may call
     * (the poller checks both again at every request); the credential is the template's, never the
     * caller's choice. Asking again for a job already
     * polled at that URL answers 200 with the reason and writes nothing; a job that has ended is a
     * 409. The fold applies the same rules to the event, for requests that race.
     */
    @Operation(summary = "Poll the job's status at its provider", description = """
            `statusUrl` must be one of the provider's configured status URL templates. Asking again for the same URL is 200 and changes nothing.""")
    @ApiResponse(responseCode = "200", description = "Already polled at this URL; nothing changed.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = PollUnchanged.class)))
    @ApiResponse(responseCode = "202", description = "The poll request's event is in Kafka.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = EventAccepted.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @Post(Routes.JOB_POLL)
    public HttpResponse<?> poll(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id, @Body PollRequest request) {
        caller.require(Caller.Scope.SUBMIT);
        JobState job = visible(caller, id);
        if (request == null) {
            throw invalid("body", "A poll needs a JSON body such as {\"statusUrl\": \"https://...\", \"provider\": \"bria\"}.");
        }
        JobPoll poll = submissions.poll(request, "");
        if (job.isTerminal()) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, "Job " + id + " has ended (" + job.status().wireName()
                    + "); there is nothing to poll. Retry it first to start a new attempt.").with("reason", "job-terminal"));
        }
        if (job.poll() != null && job.poll().statusUrl().equals(poll.statusUrl())) {
            return HttpResponse.ok(new PollUnchanged(id, "already-polling",
                    "Job " + id + " is already polled at this URL; nothing was changed.", job.poll()));
        }
        Instant now = clock.instant();
        var event = new JobEvent.PollRequested(Ids.next(), id, now, now, caller.source(), poll);
        publisher.publish(event);
        return HttpResponse.accepted().body(new EventAccepted(id, event.eventId(), event.wireName()));
    }

    /** How a command becomes its event. */
    private interface Command {
        JobEvent event(String eventId, Instant at, EventSource by, String reason);
    }

    /**
     * A command whose outcome is known at once is answered at once: refused ({@code 409} with the
     * reason the fold would give) when the job's state already rules it out. One that races with
     * another change is still decided by the fold, in order.
     */
    private HttpResponse<EventAccepted> command(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, String id, CommandRequest request,
                                                Function<JobState, ProblemException> refusal, Command command) {
        caller.require(Caller.Scope.SUBMIT);
        ProblemException refused = refusal.apply(visible(caller, id));
        if (refused != null) {
            throw refused;
        }
        String reason = request == null ? null : request.reason();
        limits.checkReason(reason);
        JobEvent event = command.event(Ids.next(), clock.instant(), caller.source(), reason);
        publisher.publish(event);
        return HttpResponse.accepted().body(new EventAccepted(id, event.eventId(), event.wireName()));
    }

    /**
     * The job, if the caller may see it; else 404, whether the job is another owner's or none at
     * all, so that nobody learns of others' jobs. A job submitted a moment ago may not be readable
     * yet; the topology's read waits a bounded time for such an id ({@code InteractiveQueries}), so
     * this one read is all a command costs here.
     */
    private JobState visible(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, String id) {
        if (JobIds.isWellFormed(id)) {
            Optional<JobState> job = states.current(id);
            if (job.isPresent() && caller.sees(job.get().owner(), id)) {
                return job.get();
            }
        }
        throw new ProblemException(ProblemType.NOT_FOUND, "No job " + id + ".");
    }

    /** A 409 for a command the job's state rules out, with the fold's reason code. */
    private static ProblemException conflict(JobState job, String reason, String why) {
        return new ProblemException(Problem.of(ProblemType.CONFLICT, "Job " + job.id() + " is " + job.status().wireName() + ": "
                + why + ".").with("reason", reason).with("jobStatus", job.status().wireName()));
    }

    private static ProblemException invalid(String field, String detail) {
        return Submissions.invalid(field, detail);
    }
}
