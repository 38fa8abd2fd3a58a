package io.jobpulse.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobError;

import java.util.Map;

/**
 * The body of {@code POST /v1/jobs/{id}/reports}: what a worker knows about a job it runs.
 *
 * @param status   {@code running}, {@code succeeded} or {@code failed}; absent keeps the status
 * @param progress the fraction done, 0..1
 * @param metadata keys to set; a JSON null removes a key
 */
public record ReportRequest(String status, Double progress, String message, Map<String, JsonNode> metadata,
                            JsonNode result, JobError error) {

    /** A report that says nothing. */
    boolean isEmpty() {
        return status == null && progress == null && message == null && metadata == null && result == null && error == null;
    }
}
