package io.jobpulse.app;

import io.jobpulse.events.JobState;
import io.jobpulse.http.JobStateReader;
import io.jobpulse.topology.InteractiveQueries;
import io.jobpulse.topology.PeerReads;
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
class JobStateReaders {

    @Singleton
    RemoteJobStateReader remote(@Property(name = "jobpulse.state-url") String stateUrl,
                         @Property(name = "jobpulse.state-token", defaultValue = "") String token) {
        return new RemoteJobStateReader(stateUrl, token);
    }

    /** The state store of this process's topology, or of the topology instance that holds the job. */
    @Singleton
    @Replaces(RemoteJobStateReader.class)
    @Requires(beans = InteractiveQueries.class)
    static class LocalJobStateReader implements JobStateReader {

        private final PeerReads peers;

        LocalJobStateReader(PeerReads peers) {
            this.peers = peers;
        }

        @Override
        public Optional<JobState> current(String jobId) {
            return peers.current(jobId);
        }
    }
}
