package io.jobpulse.topology;

import io.jobpulse.events.BatchState;
import io.jobpulse.http.ApiContract;
import io.jobpulse.http.BatchJobs;
import io.jobpulse.http.Caller;
import io.jobpulse.http.JobIds;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.Routes;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

/**
 * {@code GET /v1/batches/{id}}: a batch's live aggregate, from the {@code batch-state} store, and
 * {@code GET /v1/batches/{id}/members}: its member jobs as it last saw each, from {@code batch-members}
 * (the jobs themselves, with filters and pages, are {@code GET /v1/batches/{id}/jobs}, from the read model).
 * Routed like a job's read ({@link PeerReads}): a batch another instance holds is read there and its
 * owner checked here, and a batch opened a moment ago is waited for ({@link InteractiveQueries}).
 * Another owner's batch is 404, as a job is.
 */
@Tag(name = "Batches")
@ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
@ApiResponse(responseCode = "403", ref = ApiContract.FORBIDDEN)
@ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
@ApiResponse(responseCode = "429", ref = ApiContract.RATE_LIMITED)
@ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
@Controller(Routes.BATCHES)
@Requires(beans = InteractiveQueries.class)
@ExecuteOn(TaskExecutors.BLOCKING)
public class BatchStateController {

    private final InteractiveQueries queries;
    private final PeerReads peers;

    public BatchStateController(InteractiveQueries queries, PeerReads peers) {
        this.queries = queries;
        this.peers = peers;
    }

    @Operation(summary = "Read a batch's current state", description = """
            Its jobs counted by status, `total`, `done`, `progress` and the batch's `status` (open, running, succeeded, failed, partial, canceled), from the Kafka Streams state store.""")
    @ApiResponse(responseCode = "200", description = "The batch's state.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = BatchState.class)))
    @Get(Routes.BATCH)
    public BatchState get(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
        BatchState batch = read(caller, StoreView.BATCHES, id);
        if (!caller.isPeer() && !caller.sees(batch.owner(), id)) {
            throw notFound(id);
        }
        return batch;
    }

    @Operation(summary = "List a batch's members as the batch last saw them", description = """
            Every member job with its status, version and progress as the batch last saw it (a job added whose submission is not folded yet is queued at version 0). Live, from the Kafka Streams state store; `GET /v1/batches/{id}/jobs` lists the jobs themselves from the read model, with filters and pages.""")
    @ApiResponse(responseCode = "200", description = "The batch's members.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = BatchJobs.class)))
    @Get(Routes.BATCH_MEMBERS)
    public BatchJobs members(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id) {
        if (!caller.isPeer()) {
            get(caller, id);
        }
        return read(caller, StoreView.BATCH_JOBS, id);
    }

    /**
     * The view's value: for a peer, from this instance's copy only (its active one alone may say
     * there is none); for anyone else, wherever it is held.
     */
    private <V> V read(Caller caller, StoreView<V> view, String id) {
        caller.require(Caller.Scope.READ);
        if (!JobIds.isWellFormed(id)) {
            throw notFound(id);
        }
        if (caller.isPeer()) {
            InteractiveQueries.Placement placement = queries.locate(view, id);
            return placement.here() ? queries.findNow(view, id).orElseThrow(() -> notFound(id)) : queries.findInCopy(view, id);
        }
        return peers.current(view, id).orElseThrow(() -> notFound(id));
    }

    private static ProblemException notFound(String id) {
        return new ProblemException(ProblemType.NOT_FOUND, "No batch " + id + ".");
    }
}
