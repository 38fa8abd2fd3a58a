package io.jobpulse.app;

import io.jobpulse.events.JobState;
import io.jobpulse.http.JobStates;
import io.jobpulse.topology.JobStateQueries;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.Optional;

/**
 * Where a process reads jobs' current states: its own state store when it has the topology role,
 * else a topology instance at {@code jobpulse.state-url}.
 */
@Factory
class JobStatesFactory {

    @Singleton
    HttpJobStates remote(@Property(name = "jobpulse.state-url") String stateUrl,
                         @Property(name = "jobpulse.state-token", defaultValue = "") String token) {
        return new HttpJobStates(stateUrl, token);
    }

    /** The state store of this process's topology. */
    @Singleton
    @Replaces(HttpJobStates.class)
    @Requires(beans = JobStateQueries.class)
    static class Local implements JobStates {

        private final JobStateQueries queries;

        Local(JobStateQueries queries) {
            this.queries = queries;
        }

        @Override
        public Optional<JobState> current(String jobId) {
            return queries.find(jobId);
        }
    }
}
