package io.jobpulse.events;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The current state of one job: the fold of all its events. Every applied change increments
 * {@code version}; version 1 is the submission.
 *
 * @param provider          the external provider doing the work, once one has been heard from, or null
 * @param poll              how Jobpulse polls the job's provider, or null when it does not
 * @param timeout           how long each attempt may take, or null
 * @param deadline          when the current attempt expires, or null
 * @param cancelRequestedBy who canceled the job (the source's id), or null
 * @param recentEventIds    the dedupe memory, newest last, bounded: the ids of the most recent events applied,
 *                          and for provider callbacks also {@code provider:deliveryId}
 * @param batchId           the batch the job was submitted in, or null; set once by the submission, so every
 *                          {@link StatusChange} of the job names its batch
 */
public record JobState(String id, String owner, String type, List<String> tags, JsonNode input,
                       JobStatus status, double progress, String message, Map<String, JsonNode> metadata,
                       JsonNode result, JobError error, JobProvider provider, JobPoll poll, int attempt, long version,
                       Instant createdAt, Instant updatedAt, Instant startedAt, Instant finishedAt,
                       Duration timeout, Instant deadline, String cancelRequestedBy, List<String> recentEventIds,
                       String batchId) {

    public JobState {
        tags = tags == null ? List.of() : List.copyOf(tags);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        recentEventIds = recentEventIds == null ? List.of() : List.copyOf(recentEventIds);
    }

    @JsonIgnore
    public boolean isTerminal() {
        return status.isTerminal();
    }
}
