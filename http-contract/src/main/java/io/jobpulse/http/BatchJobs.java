package io.jobpulse.http;

import io.jobpulse.events.JobStatus;

import java.util.List;

/**
 * The member jobs of a batch as the batch's fold last saw each ({@code GET /v1/batches/{id}/jobs}):
 * what canceling a batch needs to know of which jobs are still open.
 *
 * @param jobs every member job, in the order of their ids
 */
public record BatchJobs(String batchId, List<Job> jobs) {

    public BatchJobs {
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
    }

    /**
     * @param version  the job's version in the batch's view; 0 for a job added whose submission is not folded yet
     * @param status   its status then (queued for version 0)
     * @param progress its progress then, 0..1
     */
    public record Job(String id, long version, JobStatus status, double progress) {
    }
}
