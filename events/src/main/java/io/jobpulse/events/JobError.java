package io.jobpulse.events;

/**
 * Why a job failed.
 *
 * @param code      a stable, machine-readable code, e.g. {@code deadline-exceeded}
 * @param message   a human-readable explanation
 * @param retryable whether a retry may succeed
 */
public record JobError(String code, String message, boolean retryable) {
}
