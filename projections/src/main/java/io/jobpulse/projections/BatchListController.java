package io.jobpulse.projections;

import io.jobpulse.events.BatchState;
import io.jobpulse.events.BatchStatus;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.Roles;
import io.jobpulse.http.ApiContract;
import io.jobpulse.http.Caller;
import io.jobpulse.http.ProblemException;
import io.jobpulse.http.ProblemType;
import io.jobpulse.http.ReadDeadline;
import io.jobpulse.http.Routes;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.http.annotation.RequestAttribute;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The batches' read model over HTTP: {@code GET /v1/batches} (the caller's batches, filtered, newest
 * first, in pages, like {@code GET /v1/jobs}) and {@code GET /v1/batches/{id}/jobs} (a batch's jobs,
 * with the job list's filters and pages). Both read PostgreSQL, a few milliseconds behind the
 * topology: a batch opened a moment ago may not be listed yet, and its jobs' list is 404 until it is.
 * A batch is its owner's: another caller is told it does not exist, as for a job's history.
 */
@Tag(name = "Read model")
@ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
@ApiResponse(responseCode = "403", ref = ApiContract.FORBIDDEN)
@ApiResponse(responseCode = "429", ref = ApiContract.RATE_LIMITED)
@ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
@Controller(Routes.BATCHES)
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
@ExecuteOn(TaskExecutors.BLOCKING)
public class BatchListController {

    private static final List<String> STATUSES = Arrays.stream(BatchStatus.values()).map(BatchStatus::wireName).toList();

    private final BatchRowRepository batches;
    private final JobRowRepository jobs;
    private final ReadDeadline reads;

    public BatchListController(BatchRowRepository batches, JobRowRepository jobs,
                               @Property(name = ReadDeadline.PROPERTY, defaultValue = ReadDeadline.DEFAULT) Duration queryTimeout) {
        this.batches = batches;
        this.jobs = jobs;
        this.reads = new ReadDeadline(queryTimeout);
    }

    @Operation(summary = "List batches", description = """
            The caller's batches, newest first (by `openedAt`), filtered, a page at a time (`nextCursor`), each as its \
            latest aggregate. Reads PostgreSQL, a few milliseconds behind the log.""")
    @ApiResponse(responseCode = "200", description = "A page of batches.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = BatchPage.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @Get
    public BatchPage list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                          @Parameter(description = "Whose batches (an API key bound to no owner, or an admin)") @Nullable @QueryValue String owner,
                          @Parameter(description = "Only these statuses, repeated or comma-separated") @Nullable @QueryValue List<String> status,
                          @Parameter(description = "Only batches with this tag") @Nullable @QueryValue String tag,
                          @Parameter(description = "Opened after this ISO-8601 instant") @Nullable @QueryValue String createdAfter,
                          @Parameter(description = "Opened before this ISO-8601 instant") @Nullable @QueryValue String createdBefore,
                          @Parameter(description = "Page size, 1-100 (default 50)") @Nullable @QueryValue Integer limit,
                          @Parameter(description = "The nextCursor of the previous page") @Nullable @QueryValue String cursor,
                          @Parameter(description = "Also count all matching batches (total)") @Nullable @QueryValue Boolean count) {
        caller.require(Caller.Scope.READ);
        String whose = caller.ownerFor(owner);
        BatchFilter filter = new BatchFilter(ListParameters.oneOf("status", status, STATUSES), tag,
                ListParameters.instant("createdAfter", createdAfter), ListParameters.instant("createdBefore", createdBefore));
        int size = ListParameters.pageSize(limit);
        PageCursor after = ListParameters.cursor(cursor);
        return reads.read("The batch list", () -> {
            PageOf<BatchRow> page = PageOf.of(batches.newestFirst(whose, filter, after, size + 1), size,
                    row -> new PageCursor(row.openedAt(), row.id()));
            Long total = Boolean.TRUE.equals(count) ? batches.count(whose, filter) : null;
            return new BatchPage(page.rows().stream().map(BatchListController::state).toList(), page.nextCursor(), total);
        });
    }

    @Operation(summary = "List a batch's jobs", description = """
            The jobs of one of the caller's batches, newest first, with the filters and pages of `GET /v1/jobs`. \
            Reads PostgreSQL: a batch not projected yet is not found.""")
    @ApiResponse(responseCode = "200", description = "A page of the batch's jobs.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobListController.JobPage.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Get(Routes.BATCH_JOBS)
    public JobListController.JobPage jobs(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id,
                                          @Parameter(description = "Only these statuses, repeated or comma-separated") @Nullable @QueryValue List<String> status,
                                          @Parameter(description = "Only these types, repeated or comma-separated") @Nullable @QueryValue List<String> type,
                                          @Parameter(description = "Only jobs with this tag") @Nullable @QueryValue String tag,
                                          @Parameter(description = "ISO-8601 instant") @Nullable @QueryValue String createdAfter,
                                          @Parameter(description = "ISO-8601 instant") @Nullable @QueryValue String createdBefore,
                                          @Parameter(description = "ISO-8601 instant") @Nullable @QueryValue String updatedSince,
                                          @Parameter(description = "Page size, 1-100 (default 50)") @Nullable @QueryValue Integer limit,
                                          @Parameter(description = "The nextCursor of the previous page") @Nullable @QueryValue String cursor,
                                          @Parameter(description = "Also count all matching jobs (total)") @Nullable @QueryValue Boolean count) {
        caller.require(Caller.Scope.READ);
        JobFilter filter = JobListController.filter(status, type, tag, createdAfter, createdBefore, updatedSince).inBatch(id);
        int size = ListParameters.pageSize(limit);
        PageCursor after = ListParameters.cursor(cursor);
        return reads.read("The batch's jobs", () -> {
            BatchRow batch = batches.findById(id).filter(row -> caller.sees(row.owner(), id))
                    .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No batch " + id + "."));
            // The batch's owner's jobs only: a job naming the batch under another owner stays out of it.
            return JobListController.page(jobs, batch.owner(), filter, after, size, count);
        });
    }

    private static BatchState state(BatchRow row) {
        return JobJson.read(row.snapshot().getBytes(StandardCharsets.UTF_8), BatchState.class);
    }

    /**
     * One page of batches.
     *
     * @param items      each batch's latest aggregate, as on {@code jobpulse.batch-status}
     * @param nextCursor pass as {@code cursor} for the next page; absent on the last page
     * @param total      how many batches match the filter, with {@code count=true}
     */
    public record BatchPage(List<BatchState> items, String nextCursor, Long total) {
    }
}
