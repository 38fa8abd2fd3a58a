package io.jobpulse.ingest;

import io.jobpulse.events.BatchEvent;
import io.jobpulse.events.BatchState;
import io.jobpulse.events.BatchStatus;
import io.jobpulse.events.JobEvent;
import io.jobpulse.events.JobLimits;
import io.jobpulse.http.ApiContract;
import io.jobpulse.http.BatchStateReader;
import io.jobpulse.http.Caller;
import io.jobpulse.http.Problem;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Header;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Batch intake: a batch's submission, jobs added to it, its close and its cancel. Each request's
 * events are written in one Kafka transaction ({@link BatchEventPublisher}) and answered 202 only
 * once it committed; on failure nothing of it is visible and the answer is 503. Whether a batch
 * still takes jobs, or can be canceled, is decided from its state in the topology's store
 * ({@link BatchWrites}). Every job is checked as {@code POST /v1/jobs} checks it, a refusal naming
 * its index ({@code jobs[3].type}); one refused job refuses the whole request.
 */
@Tag(name = "Batches")
@ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
@ApiResponse(responseCode = "403", ref = ApiContract.FORBIDDEN)
@ApiResponse(responseCode = "429", ref = ApiContract.RATE_LIMITED)
@ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
@Controller(Routes.BATCHES)
@Requires(beans = BatchWrites.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class BatchesController {

    private final BatchWrites writes;
    private final BatchStateReader batches;
    private final Submissions submissions;
    private final BatchesConfiguration config;
    private final FieldLimits limits;
    private final SigningKey signingKey;
    private final BatchEventPublisher publisher;
    private final Clock clock = Clock.systemUTC();

    public BatchesController(BatchWrites writes, BatchStateReader batches, Submissions submissions, BatchesConfiguration config,
                             JobLimits limits, SigningKey signingKey, BatchEventPublisher publisher) {
        this.writes = writes;
        this.batches = batches;
        this.submissions = submissions;
        this.config = config;
        this.limits = new FieldLimits(limits);
        this.signingKey = signingKey;
        this.publisher = publisher;
    }

    @Operation(summary = "Submit a batch of jobs", description = """
            Opens a batch and submits its jobs (each like a `POST /v1/jobs` body, at most `jobpulse.batches.max-jobs`) in one Kafka transaction: all of them are accepted, or none is. `close: true` says no more jobs will be added. With `Idempotency-Key` a repeated request answers with the same batch and job ids (`Idempotent-Replayed: true`).""")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = "application/json", schema = @Schema(implementation = SubmitBatchRequest.class),
            examples = @ExampleObject(name = "two images", value = "{\"jobs\": [{\"type\": \"image.generate\", \"input\": {\"prompt\": \"a lighthouse\"}}, {\"type\": \"image.generate\", \"input\": {\"prompt\": \"a harbour\"}}], \"tags\": [\"demo\"], \"close\": true}")))
    @ApiResponse(responseCode = "202", description = "The batch and its jobs were accepted; `Location` is the batch's URL.", headers = {@io.swagger.v3.oas.annotations.headers.Header(name = "Location", description = "The batch", schema = @Schema(type = "string")), @io.swagger.v3.oas.annotations.headers.Header(name = "Idempotent-Replayed", description = "`true` when this is the answer a key was given before", schema = @Schema(type = "string"))}, content = @Content(mediaType = "application/json", schema = @Schema(implementation = BatchAccepted.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @ApiResponse(responseCode = "413", ref = ApiContract.PAYLOAD_TOO_LARGE)
    @ApiResponse(responseCode = "415", ref = ApiContract.UNSUPPORTED_MEDIA_TYPE)
    @Post
    public HttpResponse<BatchAccepted> submit(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @Body SubmitBatchRequest request,
                                              @Parameter(description = "1-200 characters; the same key answers with the same batch and jobs") @Nullable @Header("Idempotency-Key") String idempotencyKey) {
        caller.require(Caller.Scope.SUBMIT);
        if (request == null) {
            throw Submissions.invalid("body", "A batch needs a JSON body such as {\"jobs\": [{\"type\": \"image.generate\"}], \"close\": true}.");
        }
        String owner = Submissions.owner(caller, request.owner());
        Submissions.checkIdempotencyKey(idempotencyKey);
        submissions.checkLabels("", request.tags(), request.metadata());
        List<Submissions.Checked> jobs = check(request.jobs(), owner);
        String batchId = idempotencyKey == null ? Ids.next() : signingKey.idempotentBatchId(owner, idempotencyKey);
        List<String> jobIds = IntStream.range(0, jobs.size())
                .mapToObj(i -> idempotencyKey == null ? Ids.next() : signingKey.idempotentBatchJobId(owner, idempotencyKey, i)).toList();
        if (idempotencyKey != null) {
            Optional<BatchState> stored = batches.batch(batchId);
            if (stored.isPresent()) {
                return replay(stored.get(), request, jobIds);
            }
        }
        Instant now = clock.instant();
        var opened = new BatchEvent.Opened(Ids.next(), batchId, now, caller.source(), owner, request.tags(), request.metadata());
        writes.write(batchId, List.of(opened), submitted(jobs, jobIds, batchId, now, caller), Boolean.TRUE.equals(request.close()), now,
                caller.source());
        return HttpResponse.accepted(URI.create(Routes.BATCHES + "/" + batchId)).body(BatchAccepted.of(batchId, jobIds, BatchStatus.OPEN));
    }

    /** A key used before answers with the batch it made, as it is now; with another body it is a conflict. */
    private static HttpResponse<BatchAccepted> replay(BatchState batch, SubmitBatchRequest request, List<String> jobIds) {
        List<String> tags = request.tags() == null ? List.of() : request.tags();
        if (!batch.tags().equals(tags) || jobIds.size() > batch.total()
                || !Objects.equals(batch.metadata(), request.metadata() == null ? Map.of() : request.metadata())) {
            throw new ProblemException(Problem.of(ProblemType.CONFLICT, "This Idempotency-Key was used for batch " + batch.id()
                    + " with another body (tags, metadata or the number of jobs differ); use a new key for a new batch.")
                    .with("reason", "idempotency-key-reused").with("field", "Idempotency-Key"));
        }
        return HttpResponse.accepted(URI.create(Routes.BATCHES + "/" + batch.id())).header(JobsController.IDEMPOTENT_REPLAYED, "true")
                .body(BatchAccepted.of(batch.id(), jobIds, batch.status()));
    }

    @Operation(summary = "Add jobs to an open batch", description = """
            The jobs (at most `jobpulse.batches.max-jobs`) and their `batch.jobs-added` are written in one Kafka transaction. A closed or canceled batch is 409 (`batch-closed`, `batch-canceled`). `close: true` closes the batch with them.""")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, content = @Content(mediaType = "application/json", schema = @Schema(implementation = AddJobsRequest.class),
            examples = @ExampleObject(name = "one more", value = "{\"jobs\": [{\"type\": \"image.generate\", \"input\": {\"prompt\": \"a pier\"}}]}")))
    @ApiResponse(responseCode = "202", description = "The jobs were accepted into the batch.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = BatchAccepted.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @ApiResponse(responseCode = "413", ref = ApiContract.PAYLOAD_TOO_LARGE)
    @ApiResponse(responseCode = "415", ref = ApiContract.UNSUPPORTED_MEDIA_TYPE)
    @Post(Routes.BATCH_JOBS)
    public HttpResponse<BatchAccepted> add(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id, @Body AddJobsRequest request) {
        caller.require(Caller.Scope.SUBMIT);
        BatchState batch = writes.open(caller, id);
        if (request == null || request.jobs() == null || request.jobs().isEmpty()) {
            throw Submissions.invalid("jobs", "Name the jobs to add: {\"jobs\": [{\"type\": \"image.generate\"}]}.");
        }
        List<Submissions.Checked> jobs = check(request.jobs(), batch.owner());
        List<String> jobIds = jobs.stream().map(job -> Ids.next()).toList();
        Instant now = clock.instant();
        writes.write(id, List.of(), submitted(jobs, jobIds, id, now, caller), Boolean.TRUE.equals(request.close()), now, caller.source());
        return HttpResponse.accepted(URI.create(Routes.BATCHES + "/" + id)).body(BatchAccepted.of(id, jobIds, batch.status()));
    }

    @Operation(summary = "Close a batch", description = """
            No more jobs will be added: the batch finishes once its jobs have ended. A batch already closed or canceled is 409.""")
    @ApiResponse(responseCode = "202", description = "The `batch.closed` event is in Kafka.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = BatchCommandAccepted.class)))
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @Post(Routes.BATCH_CLOSE)
    public HttpResponse<BatchCommandAccepted> close(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
        caller.require(Caller.Scope.SUBMIT);
        writes.open(caller, id);
        var closed = new BatchEvent.Closed(Ids.next(), id, clock.instant(), caller.source());
        publisher.publish(id, List.of(closed), List.of());
        return HttpResponse.accepted().body(new BatchCommandAccepted(id, closed.eventId(), closed.wireName(), null));
    }

    @Operation(summary = "Cancel a batch and its open jobs", description = """
            Writes `batch.canceled` and a cancel request for every job of the batch that has not ended, in one Kafka transaction; each job is then canceled as by `POST /v1/jobs/{id}/cancel` (its provider asked to cancel too). An optional `reason`. A batch already canceled, or finished, is 409.""")
    @ApiResponse(responseCode = "202", description = "The events are in Kafka; `canceledJobs` are the jobs sent a cancel request.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = BatchCommandAccepted.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @ApiResponse(responseCode = "409", ref = ApiContract.CONFLICT)
    @Post(Routes.BATCH_CANCEL)
    public HttpResponse<BatchCommandAccepted> cancel(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id,
                                                     @Nullable @Body CommandRequest request) {
        caller.require(Caller.Scope.SUBMIT);
        BatchState batch = writes.visible(caller, id);
        if (batch.canceledAt() != null) {
            throw BatchWrites.conflict(batch, "batch-canceled", "there is nothing more to cancel");
        }
        if (batch.status().isFinished()) {
            throw BatchWrites.conflict(batch, "batch-finished", "every job has ended, there is nothing to cancel");
        }
        String reason = request == null ? null : request.reason();
        limits.checkReason(reason);
        Instant now = clock.instant();
        var canceled = new BatchEvent.Canceled(Ids.next(), id, now, caller.source(), reason);
        List<JobEvent> cancels = batches.jobs(id).jobs().stream().filter(job -> !job.status().isTerminal())
                .map(job -> (JobEvent) new JobEvent.CancelRequested(Ids.next(), job.id(), now, now, caller.source(),
                        reason != null ? reason : "batch " + id + " canceled"))
                .toList();
        publisher.publish(id, List.of(canceled), cancels);
        return HttpResponse.accepted().body(new BatchCommandAccepted(id, canceled.eventId(), canceled.wireName(),
                cancels.stream().map(JobEvent::jobId).toList()));
    }

    /** Checks every job of a request for the batch's owner, naming the index of the first refused. */
    private List<Submissions.Checked> check(List<SubmitJobRequest> jobs, String owner) {
        List<SubmitJobRequest> all = jobs == null ? List.of() : jobs;
        if (all.size() > config.maxJobs()) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST, "'jobs' has " + all.size() + " jobs; one request takes at"
                    + " most " + config.maxJobs() + " (jobpulse.batches.max-jobs). Add the rest with POST /v1/batches/{id}/jobs.")
                    .with("field", "jobs").with("limit", config.maxJobs()));
        }
        List<Submissions.Checked> checked = new ArrayList<>(all.size());
        for (int i = 0; i < all.size(); i++) {
            String prefix = "jobs[" + i + "].";
            SubmitJobRequest job = all.get(i);
            if (job == null) {
                throw Submissions.invalid("jobs[" + i + "]", "'jobs[" + i + "]' must be a job such as {\"type\": \"image.generate\"}.");
            }
            if (job.batchId() != null) {
                throw Submissions.invalid(prefix + "batchId", "A batch's jobs belong to it; leave out '" + prefix + "batchId'.");
            }
            if (job.owner() != null && !job.owner().equals(owner)) {
                throw Submissions.invalid(prefix + "owner", "A batch's jobs have the batch's owner, '" + owner + "'; leave out '"
                        + prefix + "owner' or name the same.");
            }
            checked.add(submissions.check(job, prefix, owner));
        }
        return checked;
    }

    private static List<JobEvent.Submitted> submitted(List<Submissions.Checked> jobs, List<String> jobIds, String batchId, Instant now, Caller caller) {
        return IntStream.range(0, jobs.size()).mapToObj(i -> jobs.get(i).submitted(jobIds.get(i), now, caller.source(), batchId)).toList();
    }
}
