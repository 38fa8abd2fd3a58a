package io.jobpulse.ingest;

import io.jobpulse.events.Roles;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.core.annotation.Nullable;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.UUID;

/**
 * The server-side key, {@code jobpulse.security.signing-key} ({@code JOBPULSE_SIGNING_KEY}), at
 * least 32 bytes and the same on every ingest instance. Everything derived from it is an
 * HMAC-SHA256 over a purpose and its inputs, so a value cannot be computed, nor one purpose's
 * value used for another, without the key:
 * <ul>
 *   <li>the token of a job's webhook URL ({@code /v1/webhooks/<provider>?job=<id>&token=<token>}),
 *       over the provider and the job id: a callback naming a job proves that its URL was handed
 *       out for that job and that provider;</li>
 *   <li>the id of a job submitted with an {@code Idempotency-Key}, over the owner and the key: the
 *       same for a repeated submission, and not computable by whoever knows the owner and the key.</li>
 * </ul>
 * An instance with the ingest role refuses to start without it. Changing the key invalidates the
 * webhook URLs handed out before, and makes a repeated submission with an old key a new job.
 */
@Context
@Requires(property = Roles.PROPERTY, pattern = Roles.INGEST)
public final class SigningKey {

    public static final String PROPERTY = "jobpulse.security.signing-key";
    static final int MIN_BYTES = 32;

    private final SecretKeySpec key;

    public SigningKey(@Nullable @Property(name = PROPERTY) String secret) {
        if (secret == null || secret.isBlank()) {
            throw new IllegalStateException(PROPERTY + " (JOBPULSE_SIGNING_KEY) is not set: the ingest role needs a"
                    + " server-side key of at least " + MIN_BYTES + " bytes, the same on every instance, to sign webhook"
                    + " URLs and derive idempotent job ids (e.g. openssl rand -base64 48)");
        }
        byte[] bytes = secret.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < MIN_BYTES) {
            throw new IllegalStateException(PROPERTY + " (JOBPULSE_SIGNING_KEY) must be at least " + MIN_BYTES
                    + " bytes, not " + bytes.length);
        }
        this.key = new SecretKeySpec(bytes, "HmacSHA256");
    }

    /** The token of a job's webhook URL for one provider: base64url, 43 characters. */
    public String webhookToken(String provider, String jobId) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(mac("webhook", provider, jobId));
    }

    /** Whether a token is the one of this provider's webhook URL for this job (compared in constant time). */
    public boolean verifiesWebhookToken(String provider, String jobId, String token) {
        if (token == null) {
            return false;
        }
        return MessageDigest.isEqual(webhookToken(provider, jobId).getBytes(StandardCharsets.US_ASCII),
                token.getBytes(StandardCharsets.UTF_8));
    }

    /** The job id of a submission with an idempotency key: a version 8 UUID made of the HMAC's first 122 bits. */
    public String idempotentJobId(String owner, String idempotencyKey) {
        return uuidOf(mac("idempotency", owner, idempotencyKey));
    }

    /** The batch id of a batch submission with an idempotency key, made like {@link #idempotentJobId}'s, apart from them. */
    public String idempotentBatchId(String owner, String idempotencyKey) {
        return uuidOf(mac("idempotent-batch", owner, idempotencyKey));
    }

    /** The id of the job at {@code index} of a batch submission with an idempotency key: the same for every repeat. */
    public String idempotentBatchJobId(String owner, String idempotencyKey, int index) {
        return uuidOf(mac("idempotent-batch-job", owner, idempotencyKey, Integer.toString(index)));
    }

    private static String uuidOf(byte[] mac) {
        ByteBuffer bytes = ByteBuffer.wrap(mac);
        long msb = (bytes.getLong() & ~0xF000L) | 0x8000L;
        long lsb = (bytes.getLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    /** HMAC-SHA256 over the purpose and the parts, each ended by a NUL (none of them can contain one). */
    private byte[] mac(String purpose, String... parts) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((purpose + '\0').getBytes(StandardCharsets.UTF_8));
            for (String part : parts) {
                mac.update((part + '\0').getBytes(StandardCharsets.UTF_8));
            }
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
