package io.jobpulse.push;

import io.jobpulse.events.JobStatus;

import java.util.Set;

/** Which updates a subscription wants. */
sealed interface Selector {

    boolean matches(JobUpdate update);

    /** One job; its owner was checked when the subscription was made. */
    record OneJob(String jobId) implements Selector {
        @Override
        public boolean matches(JobUpdate update) {
            return update.jobId().equals(jobId);
        }
    }

    /**
     * The owner's jobs, optionally only some jobs (a stream token's), of some types, carrying some
     * tag, or whose status is or was (just before the change) one of some statuses, so a subscriber
     * also learns that a job left the statuses it watches. Empty sets and a null tag select everything.
     */
    record OwnerJobs(String owner, Set<String> jobs, Set<String> types, String tag, Set<JobStatus> statuses) implements Selector {

        public OwnerJobs {
            jobs = Set.copyOf(jobs);
            types = Set.copyOf(types);
            statuses = Set.copyOf(statuses);
        }

        @Override
        public boolean matches(JobUpdate update) {
            return update.job().owner().equals(owner)
                    && (jobs.isEmpty() || jobs.contains(update.jobId()))
                    && (types.isEmpty() || types.contains(update.job().type()))
                    && (tag == null || update.job().tags().contains(tag))
                    && (statuses.isEmpty() || statuses.contains(update.status())
                        || (update.previousStatus() != null && statuses.contains(update.previousStatus())));
        }
    }

    /**
     * The jobs of one batch of one owner, as their changes name it ({@code job.batchId}); the
     * caller's right to the batch was checked when the subscription was made.
     */
    record BatchJobs(String owner, String batchId) implements Selector {
        @Override
        public boolean matches(JobUpdate update) {
            return batchId.equals(update.job().batchId()) && update.job().owner().equals(owner);
        }
    }
}
