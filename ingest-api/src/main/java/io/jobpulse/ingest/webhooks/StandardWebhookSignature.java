package io.jobpulse.ingest.webhooks;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Standard Webhooks (standardwebhooks.com): headers {@code webhook-id}, {@code webhook-timestamp}
 * (Unix seconds) and {@code webhook-signature}, a space-separated list of {@code v1,<base64>}
 * (HMAC-SHA256) and {@code v1a,<base64>} (Ed25519) signatures over {@code id.timestamp.body}.
 * Any one valid signature by any configured secret or key accepts, so secrets rotate by
 * configuring the new one beside the old. Secrets are base64 with an optional {@code whsec_}
 * prefix; public keys base64 of the 32 raw bytes with an optional {@code whpk_} prefix. A
 * timestamp further than the tolerance from now is refused, which bounds replays.
 */
public final class StandardWebhookSignature implements WebhookSignature {

    private final List<byte[]> secrets;
    private final List<PublicKey> publicKeys;
    private final Duration tolerance;

    public StandardWebhookSignature(List<String> secrets, List<String> publicKeys, Duration tolerance) {
        this.secrets = secrets.stream().map(secret -> decode(secret, "whsec_")).toList();
        this.publicKeys = publicKeys.stream().map(key -> Ed25519Keys.publicKey(decode(key, "whpk_"))).toList();
        this.tolerance = tolerance;
        if (this.secrets.isEmpty() && this.publicKeys.isEmpty()) {
            throw new IllegalArgumentException("a Standard Webhooks provider needs at least one secret or public key");
        }
    }

    @Override
    public Verdict verify(Map<String, String> headers, byte[] body, Instant now) {
        String id = headers.get("webhook-id");
        String timestamp = headers.get("webhook-timestamp");
        String signatures = headers.get("webhook-signature");
        if (id == null || timestamp == null || signatures == null) {
            return new Rejected("webhook-id, webhook-timestamp and webhook-signature headers are required");
        }
        Instant sentAt;
        try {
            sentAt = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
        } catch (NumberFormatException e) {
            return new Rejected("webhook-timestamp must be Unix seconds");
        }
        if (Duration.between(sentAt, now).abs().compareTo(tolerance) > 0) {
            return new Rejected("webhook-timestamp is more than " + tolerance.toSeconds() + " s from now");
        }
        byte[] signed = signedContent(id, timestamp.trim(), body);
        for (String candidate : signatures.trim().split(" +")) {
            int comma = candidate.indexOf(',');
            if (comma < 0) {
                continue;
            }
            String scheme = candidate.substring(0, comma);
            byte[] signature;
            try {
                signature = Base64.getDecoder().decode(candidate.substring(comma + 1));
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (scheme.equals("v1")) {
                for (int i = 0; i < secrets.size(); i++) {
                    if (MessageDigest.isEqual(hmac(secrets.get(i), signed), signature)) {
                        return new Verified(id, sentAt, "v1, secret " + (i + 1) + " of " + secrets.size());
                    }
                }
            } else if (scheme.equals("v1a")) {
                for (int i = 0; i < publicKeys.size(); i++) {
                    if (Ed25519Keys.verifies(publicKeys.get(i), signed, signature)) {
                        return new Verified(id, sentAt, "v1a, key " + (i + 1) + " of " + publicKeys.size());
                    }
                }
            }
        }
        return new Rejected("no signature in webhook-signature matches a configured secret or key");
    }

    /** {@code id.timestamp.body}, the bytes every signature covers. */
    static byte[] signedContent(String id, String timestamp, byte[] body) {
        byte[] prefix = (id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[prefix.length + body.length];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        System.arraycopy(body, 0, content, prefix.length, body.length);
        return content;
    }

    static byte[] hmac(byte[] secret, byte[] content) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static byte[] decode(String value, String prefix) {
        String encoded = value.startsWith(prefix) ? value.substring(prefix.length()) : value;
        try {
            return Base64.getDecoder().decode(encoded.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a configured " + prefix + " value is not base64", e);
        }
    }
}
