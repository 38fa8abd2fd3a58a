package io.jobpulse.ingest;

import io.jobpulse.events.BatchStatus;
import io.jobpulse.http.Routes;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The 202 answer to a batch's submission or to jobs added to it: every event is in the log.
 *
 * @param jobs   the ids of the jobs submitted by this request, in the order of the request's {@code jobs}
 * @param status the batch's status: {@code open} for a new batch
 * @param links  {@code self} (the batch's state), {@code jobs}, {@code close}, {@code cancel}
 */
public record BatchAccepted(String id, List<String> jobs, BatchStatus status, Map<String, String> links) {

    static BatchAccepted of(String id, List<String> jobs, BatchStatus status) {
        String self = Routes.BATCHES + "/" + id;
        Map<String, String> links = new LinkedHashMap<>();
        links.put("self", self);
        links.put("jobs", self + "/jobs");
        links.put("close", self + "/close");
        links.put("cancel", self + "/cancel");
        return new BatchAccepted(id, List.copyOf(jobs), status, links);
    }
}
