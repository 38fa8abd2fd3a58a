package io.jobpulse.projections;

import io.jobpulse.events.JobJson;
import io.jobpulse.events.JobState;
import io.jobpulse.events.Roles;
import io.jobpulse.events.http.Problem;
import io.jobpulse.events.http.ProblemException;
import io.jobpulse.events.http.ProblemType;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code GET /v1/jobs}: the caller's jobs from the read model, newest first. */
@Controller("/v1/jobs")
@Requires(property = Roles.PROPERTY, pattern = Roles.PROJECTIONS)
@ExecuteOn(TaskExecutors.BLOCKING)
public class JobListController {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;
    /** Until authentication arrives every caller is this one principal. */
    static final String ANONYMOUS = "anonymous";

    private final JobRowRepository jobs;

    public JobListController(JobRowRepository jobs) {
        this.jobs = jobs;
    }

    @Get
    public JobPage list(@Nullable @QueryValue Integer limit) {
        int size = limit == null ? DEFAULT_LIMIT : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw new ProblemException(Problem.of(ProblemType.INVALID_REQUEST,
                    "'limit' must be between 1 and " + MAX_LIMIT + ".").with("field", "limit"));
        }
        List<JobState> items = jobs.newestFirst(ANONYMOUS, size).stream()
                .map(row -> JobJson.read(row.snapshot().getBytes(StandardCharsets.UTF_8), JobState.class))
                .toList();
        return new JobPage(items);
    }

    /** One page of jobs. */
    public record JobPage(List<JobState> items) {
    }
}
