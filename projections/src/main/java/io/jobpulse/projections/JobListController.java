package io.jobpulse.projections;

import io.jobpulse.http.ApiContract;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.ExampleObject;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.Roles;
import io.jobpulse.http.Caller;
import io.jobpulse.http.JobIds;
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

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The read model over HTTP: {@code GET /v1/jobs} (the caller's jobs, filtered, newest first, in
 * pages), {@code GET /v1/jobs/summary} (counts for dashboards) and
 * {@code GET /v1/jobs/{id}/history} (the timeline, and with {@code raw=true} the events behind
 * it, a page at a time). It reads PostgreSQL, which follows the log by a few milliseconds: a job submitted a
 * moment ago may not be listed yet ({@code GET /v1/jobs/{id}} reads the current state instead).
 */
@Tag(name = "Read model")
@ApiResponse(responseCode = "401", ref = ApiContract.UNAUTHORIZED)
@ApiResponse(responseCode = "403", ref = ApiContract.FORBIDDEN)
@ApiResponse(responseCode = "429", ref = ApiContract.RATE_LIMITED)
@ApiResponse(responseCode = "503", ref = ApiContract.UNAVAILABLE)
@Controller(Routes.JOBS)
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
@ExecuteOn(TaskExecutors.BLOCKING)
public class JobListController {

    private static final List<String> STATUSES = Arrays.stream(JobStatus.values()).map(JobStatus::wireName).toList();

    private final JobRowRepository jobs;
    private final ReadDeadline reads;

    public JobListController(JobRowRepository jobs,
                             @Property(name = ReadDeadline.PROPERTY, defaultValue = ReadDeadline.DEFAULT) Duration queryTimeout) {
        this.jobs = jobs;
        this.reads = new ReadDeadline(queryTimeout);
    }

    @Operation(summary = "List jobs", description = """
            The caller's jobs, newest first, filtered, a page at a time (`nextCursor`). Reads PostgreSQL, a few milliseconds behind the log.""")
    @ApiResponse(responseCode = "200", description = "A page of jobs.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = JobPage.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @Get
    public JobPage list(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @Parameter(description = "Whose jobs (an API key bound to no owner, or an admin)") @Nullable @QueryValue String owner,
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
        String whose = caller.ownerFor(owner);
        JobFilter filter = filter(status, type, tag, createdAfter, createdBefore, updatedSince);
        int size = ListParameters.pageSize(limit);
        PageCursor after = ListParameters.cursor(cursor);
        return reads.read("The job list", () -> page(jobs, whose, filter, after, size, count));
    }

    /** The job filter of the list parameters, checked; {@code GET /v1/batches/{id}/jobs} takes the same. */
    static JobFilter filter(List<String> status, List<String> type, String tag, String createdAfter, String createdBefore,
                            String updatedSince) {
        return new JobFilter(ListParameters.oneOf("status", status, STATUSES), ListParameters.split(type), tag,
                ListParameters.instant("createdAfter", createdAfter), ListParameters.instant("createdBefore", createdBefore),
                ListParameters.instant("updatedSince", updatedSince));
    }

    /** One page of an owner's jobs under the filter, with their total if asked (a read of PostgreSQL: call it under a deadline). */
    static JobPage page(JobRowRepository jobs, String owner, JobFilter filter, PageCursor after, int size, Boolean count) {
        PageOf<JobRow> page = PageOf.of(jobs.newestFirst(owner, filter, after, size + 1), size,
                row -> new PageCursor(row.createdAt(), row.id()));
        Long total = Boolean.TRUE.equals(count) ? jobs.count(owner, filter) : null;
        return new JobPage(page.rows().stream().map(JobListController::state).toList(), page.nextCursor(), total);
    }

    @Operation(summary = "Count jobs by status and type")
    @ApiResponse(responseCode = "200", description = "The counts.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = Summary.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @Get(Routes.JOBS_SUMMARY)
    public Summary summary(@RequestAttribute(Caller.ATTRIBUTE) Caller caller,
                           @Parameter(description = "Whose jobs (an API key bound to no owner, or an admin)") @Nullable @QueryValue String owner) {
        caller.require(Caller.Scope.READ);
        String whose = caller.ownerFor(owner);
        Map<String, Long> byStatus = new TreeMap<>();
        Map<String, Map<String, Long>> typeCounts = new TreeMap<>();
        for (JobRowRepository.StatusCount count : reads.read("The job summary", () -> jobs.countByTypeAndStatus(whose))) {
            byStatus.merge(count.status(), count.count(), Long::sum);
            typeCounts.computeIfAbsent(count.type(), type -> new TreeMap<>()).put(count.status(), count.count());
        }
        Map<String, TypeSummary> byType = new TreeMap<>();
        typeCounts.forEach((type, counts) -> byType.put(type, new TypeSummary(sum(counts), counts)));
        return new Summary(sum(byStatus), byStatus, byType);
    }

    @Operation(summary = "Read a job's timeline", description = """
            Its applied changes in version order, or with `raw=true` the events behind them, a page at a time.""")
    @ApiResponse(responseCode = "200", description = "A page of the timeline.", content = @Content(mediaType = "application/json", schema = @Schema(implementation = History.class)))
    @ApiResponse(responseCode = "400", ref = ApiContract.INVALID_REQUEST)
    @ApiResponse(responseCode = "404", ref = ApiContract.NOT_FOUND)
    @Get(Routes.JOB_HISTORY)
    public History history(@RequestAttribute(Caller.ATTRIBUTE) Caller caller, @PathVariable String id,
                           @Parameter(description = "The raw events instead of the applied changes") @Nullable @QueryValue Boolean raw,
                           @Parameter(description = "Page size, 1-100 (default 50)") @Nullable @QueryValue Integer limit,
                           @Parameter(description = "The nextCursor of the previous page") @Nullable @QueryValue String cursor) {
        caller.require(Caller.Scope.READ);
        int size = ListParameters.pageSize(limit);
        return reads.read("The job's history", () -> history(caller, id, raw, size, cursor));
    }

    private History history(Caller caller, String id, Boolean raw, int size, String cursor) {
        Optional.of(id).filter(JobIds::isWellFormed).flatMap(jobs::findById).filter(row -> caller.sees(row.owner(), id))
                .orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No job " + id + "."));
        if (!Boolean.TRUE.equals(raw)) {
            // One page of changes, however many the job has; the cursor is the last version given.
            List<JobRowRepository.TimelineEntry> rows = jobs.timeline(id, versionCursor(cursor), size + 1);
            List<JobRowRepository.TimelineEntry> page = rows.subList(0, Math.min(size, rows.size()));
            return new History(id, page, null, rows.size() > size ? Long.toString(page.getLast().version()) : null);
        }
        PageCursor after = ListParameters.cursor(cursor);
        // One page of events, however many the job has; each names the version it made.
        PageOf<JobRowRepository.RawEvent> page = PageOf.of(jobs.events(id, after, size + 1), size,
                event -> new PageCursor(event.receivedAt(), event.eventId()));
        List<HistoryEvent> events = page.rows().stream()
                .map(event -> new HistoryEvent(event.eventId(), event.type(), event.receivedAt(), event.appliedAs(), event.event()))
                .toList();
        return new History(id, null, events, page.nextCursor());
    }

    /** A page of changes starts after the version its cursor names (0: from the first). */
    private static long versionCursor(String cursor) {
        if (cursor == null) {
            return 0;
        }
        try {
            return Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            throw ListParameters.invalidCursor();
        }
    }

    private static long sum(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static JobState state(JobRow row) {
        return JobJson.read(row.snapshot().getBytes(StandardCharsets.UTF_8), JobState.class);
    }

    /**
     * One page of jobs.
     *
     * @param nextCursor pass as {@code cursor} for the next page; absent on the last page
     * @param total      how many jobs match the filter, with {@code count=true}
     */
    public record JobPage(List<JobState> items, String nextCursor, Long total) {
    }

    /** Job counts by status, overall and per type. */
    public record Summary(long total, Map<String, Long> byStatus, Map<String, TypeSummary> byType) {
    }

    public record TypeSummary(long total, Map<String, Long> byStatus) {
    }

    /**
     * A job's timeline.
     *
     * @param changes    without {@code raw}: one page of the applied changes, in version order
     * @param events     with {@code raw=true}: one page of the job's events in the order received, applied
     *                   ({@code appliedAs} = the version it made) or not
     * @param nextCursor pass as {@code cursor} for the next page; absent on the last
     */
    public record History(String jobId, List<JobRowRepository.TimelineEntry> changes, List<HistoryEvent> events, String nextCursor) {
    }

    public record HistoryEvent(String eventId, String type, Instant receivedAt, Long appliedAs,
                               JsonNode event) {
    }
}
