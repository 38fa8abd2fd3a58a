package io.jobpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v1/batches}.
 *
 * @param jobs     the batch's jobs, each like a {@code POST /v1/jobs} body (without {@code batchId}); at most
 *                 {@code jobpulse.batches.max-jobs}; none opens an empty batch to add jobs to later
 * @param tags     labels of the batch
 * @param metadata free-form key/values of the batch
 * @param close    true: no more jobs will be added, so the batch finishes once these have ended
 * @param owner    the user the batch is submitted for, by an API key bound to no owner; others may omit it
 */
public record SubmitBatchRequest(List<SubmitJobRequest> jobs, List<String> tags, Map<String, JsonNode> metadata,
                                 Boolean close, String owner) {
}
