package io.jobpulse.projections;

import io.jobpulse.events.JobState;
import io.jobpulse.events.StatusChange;

import java.util.ArrayList;
import java.util.List;

/**
 * One line that says what a change did, for timelines: {@code "queued -> running; progress 40%"}.
 * Written into {@code job_changes.summary} when the change is projected.
 */
final class ChangeSummary {

    private static final int MAX_MESSAGE = 120;

    private ChangeSummary() {
    }

    static String of(StatusChange change) {
        JobState job = change.job();
        if (change.previousStatus() == null) {
            return "submitted as " + job.type();
        }
        List<String> parts = new ArrayList<>();
        if (change.previousStatus() != change.status()) {
            parts.add(change.previousStatus() + " -> " + change.status());
        }
        for (String field : change.changed()) {
            switch (field) {
                case "progress" -> parts.add("progress " + Math.round(job.progress() * 100) + "%");
                case "message" -> parts.add(job.message() == null ? "message cleared" : "message: " + shorten(job.message()));
                case "attempt" -> parts.add("attempt " + job.attempt());
                case "result" -> parts.add(job.result() == null ? "result cleared" : "result");
                case "error" -> parts.add(job.error() == null ? "error cleared" : "error " + job.error().code());
                case "metadata" -> parts.add("metadata");
                case "provider" -> parts.add(job.provider() == null ? "provider cleared"
                        : job.provider().name() + " says " + job.provider().rawStatus());
                default -> {
                    // status and the times are told by the status transition and the change's time
                }
            }
        }
        return parts.isEmpty() ? change.causeEventType() : String.join("; ", parts);
    }

    private static String shorten(String text) {
        return text.length() <= MAX_MESSAGE ? text : text.substring(0, MAX_MESSAGE - 1) + "…";
    }
}
