package io.jobpulse.app;

import io.jobpulse.events.BatchState;
import io.jobpulse.events.JobState;
import io.jobpulse.http.BatchJobs;
import io.jobpulse.http.BatchStateReader;
import io.jobpulse.http.JobStateReader;
import io.jobpulse.topology.InteractiveQueries;
import io.jobpulse.topology.PeerReads;
import io.jobpulse.topology.StoreView;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Replaces;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Optional;

/**
 * Where a process reads jobs' and batches' current states: its own state stores when it has the
 * topology role, else a topology instance at {@code jobpulse.state-url}.
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
    static class LocalJobStateReader implements JobStateReader, BatchStateReader {

        private final PeerReads peers;

        LocalJobStateReader(PeerReads peers) {
            this.peers = peers;
        }

        @Override
        public Optional<JobState> current(String jobId) {
            return peers.current(jobId);
        }

        @Override
        public Optional<BatchState> batch(String batchId) {
            return peers.current(StoreView.BATCHES, batchId);
        }

        @Override
        public BatchJobs jobs(String batchId) {
            return peers.current(StoreView.BATCH_JOBS, batchId).orElseGet(() -> new BatchJobs(batchId, List.of()));
        }
    }
}
