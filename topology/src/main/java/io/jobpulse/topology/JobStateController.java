package io.jobpulse.topology;

import io.jobpulse.events.JobState;
import io.jobpulse.events.http.ProblemException;
import io.jobpulse.events.http.ProblemType;
import io.micronaut.context.annotation.Requires;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;

/** {@code GET /v1/jobs/{id}}: the current state of one job, from the state store. */
@Controller("/v1/jobs")
@Requires(beans = JobStateQueries.class)
public class JobStateController {

    private final JobStateQueries queries;

    public JobStateController(JobStateQueries queries) {
        this.queries = queries;
    }

    @Get("/{id}")
    @ExecuteOn(TaskExecutors.BLOCKING)
    public JobState get(@PathVariable String id) {
        return queries.find(id).orElseThrow(() -> new ProblemException(ProblemType.NOT_FOUND, "No job " + id + "."));
    }
}
