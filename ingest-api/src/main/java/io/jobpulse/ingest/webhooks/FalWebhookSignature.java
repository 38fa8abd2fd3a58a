package io.jobpulse.ingest.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * fal's webhooks: Ed25519 over its own header set. The signed message is the lines
 * {@code X-Fal-Webhook-Request-Id}, {@code X-Fal-Webhook-User-Id}, {@code X-Fal-Webhook-Timestamp}
 * (Unix seconds) and the hex SHA-256 of the body, joined by newlines; {@code X-Fal-Webhook-Signature}
 * is the hex signature. The public keys are those of fal's JWKS ({@code x} of each OKP key:
 * base64url of the 32 raw bytes), configured here; any one accepts. The request id is the
 * delivery id: fal sends one result webhook per request, and a retry repeats its id.
 *
 * <p>fal signs the webhooks of all its customers with the same keys, so a valid signature says
 * only that fal sent it, not for whom: a callback is accepted only when its
 * {@code X-Fal-Webhook-User-Id} (inside the signature) is one of the configured accounts. Without
 * configured accounts the check cannot be built.
 */
public final class FalWebhookSignature implements WebhookSignature {

    private final List<PublicKey> publicKeys;
    private final Set<String> allowedUserIds;
    private final Duration tolerance;

    /** @param allowedUserIds the fal account ids whose callbacks are accepted; at least one */
    public FalWebhookSignature(List<String> publicKeys, List<String> allowedUserIds, Duration tolerance) {
        this.publicKeys = publicKeys.stream().map(key -> Ed25519Keys.publicKey(Base64.getUrlDecoder().decode(key.trim()))).toList();
        this.allowedUserIds = allowedUserIds.stream().map(String::trim).filter(id -> !id.isEmpty()).collect(Collectors.toSet());
        this.tolerance = tolerance;
        if (this.publicKeys.isEmpty()) {
            throw new IllegalArgumentException("fal webhooks need at least one public key (from fal's JWKS)");
        }
        if (this.allowedUserIds.isEmpty()) {
            throw new IllegalArgumentException("fal webhooks need allowed-user-ids: the fal account ids whose callbacks are"
                    + " accepted, since fal signs every account's webhooks with the same keys");
        }
    }

    @Override
    public Verdict verify(Map<String, String> headers, byte[] body, Instant now) {
        String requestId = headers.get("x-fal-webhook-request-id");
        String userId = headers.get("x-fal-webhook-user-id");
        String timestamp = headers.get("x-fal-webhook-timestamp");
        String signature = headers.get("x-fal-webhook-signature");
        if (requestId == null || userId == null || timestamp == null || signature == null) {
            return new Rejected("X-Fal-Webhook-Request-Id, -User-Id, -Timestamp and -Signature headers are required");
        }
        Instant sentAt;
        byte[] signatureBytes;
        try {
            sentAt = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
            signatureBytes = HexFormat.of().parseHex(signature.trim());
        } catch (IllegalArgumentException e) {
            return new Rejected("X-Fal-Webhook-Timestamp must be Unix seconds and X-Fal-Webhook-Signature hex");
        }
        if (Duration.between(sentAt, now).abs().compareTo(tolerance) > 0) {
            return new Rejected("X-Fal-Webhook-Timestamp is more than " + tolerance.toSeconds() + " s from now");
        }
        byte[] message = signedContent(requestId, userId, timestamp.trim(), body);
        for (int i = 0; i < publicKeys.size(); i++) {
            if (Ed25519Keys.verifies(publicKeys.get(i), message, signatureBytes)) {
                if (!allowedUserIds.contains(userId.trim())) {
                    return new Rejected("X-Fal-Webhook-User-Id is not a fal account this provider accepts callbacks from"
                            + " (allowed-user-ids)");
                }
                return new Verified(requestId, sentAt, "fal ed25519, key " + (i + 1) + " of " + publicKeys.size());
            }
        }
        return new Rejected("X-Fal-Webhook-Signature does not match a configured fal key");
    }

    static byte[] signedContent(String requestId, String userId, String timestamp, byte[] body) {
        try {
            String bodyHash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
            return String.join("\n", requestId, userId, timestamp, bodyHash).getBytes(StandardCharsets.UTF_8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
