package io.jobpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code POST /v1/jobs}.
 *
 * @param type     the job's type, e.g. {@code image.generate} (required)
 * @param input    the job's input, any JSON
 * @param metadata free-form key/values
 * @param tags     labels to filter by
 * @param timeout  how long the job may take (ISO-8601 duration, e.g. {@code PT10M}); none if absent
 * @param poll     poll the job's status at its provider from the start, as {@code POST /v1/jobs/{id}/poll} does
 * @param provider the provider request doing the work, if already made: callbacks that name only it reach this job
 * @param owner    the user the job is submitted for, by an API key bound to no owner; others may omit it
 * @param batchId  an open batch of the same owner to add the job to ({@code POST /v1/jobs} only; a job in the body of a
 *                 batch submission belongs to that batch)
 */
public record SubmitJobRequest(String type, JsonNode input, Map<String, JsonNode> metadata, List<String> tags,
                               Duration timeout, PollRequest poll, ProviderRequest provider, String owner, String batchId) {

    /**
     * @param name      the provider's configured name
     * @param requestId the provider's id of the request (prediction, request, batch)
     */
    public record ProviderRequest(String name, String requestId) {
    }
}
