package io.jobpulse.ingest;

import java.util.List;

/**
 * The body of {@code POST /v1/batches/{id}/jobs}.
 *
 * @param jobs  the jobs to add, each like a {@code POST /v1/jobs} body (without {@code batchId}); at most
 *              {@code jobpulse.batches.max-jobs}
 * @param close true: these are the last jobs of the batch
 */
public record AddJobsRequest(List<SubmitJobRequest> jobs, Boolean close) {
}
