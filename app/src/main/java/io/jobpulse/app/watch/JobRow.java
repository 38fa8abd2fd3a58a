package io.jobpulse.app.watch;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** One job as {@code jobpulse watch} shows it, taken from a job state of the API ({@code GET /v1/jobs}, a stream's update). */
record JobRow(String id, String type, String status, long version, double progress, String message, Instant createdAt, Instant finishedAt) {

    private static final int BAR = 20;

    static JobRow of(JsonNode job) {
        return new JobRow(job.path("id").asText(), job.path("type").asText(), job.path("status").asText(), job.path("version").asLong(),
                job.path("progress").asDouble(0), job.path("message").asText(""), instant(job.path("createdAt")),
                instant(job.path("finishedAt")));
    }

    private static Instant instant(JsonNode node) {
        try {
            return node.isTextual() ? Instant.parse(node.asText()) : null;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** From creation to the end, or to now while the job runs. */
    String elapsed(Instant now) {
        if (createdAt == null) {
            return "";
        }
        long seconds = Math.max(0, Duration.between(createdAt, finishedAt != null ? finishedAt : now).toSeconds());
        return seconds < 3600 ? String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60);
    }

    /** {@code [#######-------------]  35%}: unicode-free, so it reads the same in any terminal and in a log. */
    String bar() {
        int filled = (int) Math.round(Math.max(0, Math.min(1, progress)) * BAR);
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + String.format(Locale.ROOT, "%3d%%", Math.round(progress * 100));
    }

    /** The line printed for this job (a change of it, when not on a terminal). */
    String line(Instant now) {
        return String.format(Locale.ROOT, "%s  %-10s %-24s %s  %7s  v%d%s", id, status, type, bar(), elapsed(now), version,
                message.isEmpty() ? "" : "  " + message);
    }
}
