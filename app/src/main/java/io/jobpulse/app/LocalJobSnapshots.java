package io.jobpulse.app;

import io.jobpulse.events.JobState;
import io.jobpulse.push.HttpJobSnapshots;
import io.jobpulse.push.JobSnapshots;
import io.jobpulse.topology.JobStateQueries;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.Optional;

/** When push and topology run in one process, subscribers' snapshots come straight from the state store. */
@Singleton
@Replaces(HttpJobSnapshots.class)
@Requires(beans = {JobStateQueries.class, HttpJobSnapshots.class})
public class LocalJobSnapshots implements JobSnapshots {

    private final JobStateQueries queries;

    public LocalJobSnapshots(JobStateQueries queries) {
        this.queries = queries;
    }

    @Override
    public Optional<JobState> current(String jobId) {
        return queries.find(jobId);
    }
}
