package io.jobpulse.processors.providers;

import com.fasterxml.jackson.databind.JsonNode;
import io.jobpulse.events.JobError;
import io.jobpulse.events.JobStatus;
import io.jobpulse.events.ProviderObservation;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replicate predictions ({@code GET /v1/predictions/{id}} and prediction webhooks): {@code id},
 * {@code status} (starting, processing, succeeded, failed, canceled, aborted), {@code output},
 * {@code error}, {@code logs}, {@code metrics} (kept as the job's provider metrics) and
 * {@code urls.get} (its status URL). Progress is read from the last percentage in the
 * logs (the progress bars models print, e.g. {@code  45%|████▌ | 23/50}); the message is the
 * last log line.
 */
public final class ReplicateAdapter implements ProviderAdapter {

    private static final Pattern PERCENT = Pattern.compile("(\\d{1,3})%\\|");

    @Override
    public String name() {
        return "replicate";
    }

    @Override
    public ProviderObservation observe(JsonNode prediction) {
        String raw = ProviderAdapter.text(prediction, "status");
        JobStatus status = raw == null ? null : switch (raw) {
            case "starting" -> JobStatus.QUEUED;
            case "processing" -> JobStatus.RUNNING;
            case "succeeded" -> JobStatus.SUCCEEDED;
            case "failed" -> JobStatus.FAILED;
            case "canceled", "aborted" -> JobStatus.CANCELED;
            default -> null;
        };
        String logs = ProviderAdapter.text(prediction, "logs");
        JsonNode output = prediction.get("output");
        String error = ProviderAdapter.text(prediction, "error");
        return new ProviderObservation(status, raw, ProviderAdapter.text(prediction, "id"),
                status == JobStatus.SUCCEEDED ? Double.valueOf(1.0) : progress(logs), lastLine(logs),
                output == null || output.isNull() ? null : output,
                status == JobStatus.FAILED ? new JobError("provider-error", error == null ? "the prediction failed" : error, false) : null,
                present(prediction.get("metrics")), ProviderAdapter.text(prediction.path("urls"), "get"));
    }

    private static JsonNode present(JsonNode node) {
        return node == null || node.isNull() || node.isEmpty() ? null : node;
    }

    private static Double progress(String logs) {
        if (logs == null) {
            return null;
        }
        Matcher percent = PERCENT.matcher(logs);
        Double last = null;
        while (percent.find()) {
            last = Math.min(100, Integer.parseInt(percent.group(1))) / 100.0;
        }
        return last;
    }

    private static String lastLine(String logs) {
        if (logs == null) {
            return null;
        }
        String[] lines = logs.strip().split("\\R");
        String last = lines[lines.length - 1].strip();
        return last.isEmpty() ? null : last.length() > 200 ? last.substring(0, 200) : last;
    }
}
