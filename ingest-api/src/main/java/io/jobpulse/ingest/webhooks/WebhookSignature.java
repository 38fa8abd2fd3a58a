package io.jobpulse.ingest.webhooks;

import java.time.Instant;
import java.util.Map;

/**
 * How a provider signs its webhooks, and the check of one delivery against the configured
 * secrets or keys. Pure: the raw body bytes, the headers (lower-case names) and the time come in,
 * a verdict goes out; nothing is written for a delivery that is not verified.
 */
public interface WebhookSignature {

    Verdict verify(Map<String, String> headers, byte[] body, Instant now);

    /** What a check found. */
    sealed interface Verdict {
    }

    /**
     * @param deliveryId the provider's id of this delivery, the dedupe key of redeliveries
     * @param sentAt     when the provider signed it
     * @param how        which scheme and which configured secret or key matched, for the audit trail
     */
    record Verified(String deliveryId, Instant sentAt, String how) implements Verdict {
    }

    /** @param reason what was wrong, safe to tell the caller (no secret material) */
    record Rejected(String reason) implements Verdict {
    }
}
