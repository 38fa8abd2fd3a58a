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
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Standard Webhooks (standardwebhooks.com): headers {@code webhook-id}, {@code webhook-timestamp}
 * (Unix seconds) and {@code webhook-signature}, a space-separated list of {@code v1,<base64>}
 * (HMAC-SHA256) and {@code v1a,<base64>} (Ed25519) signatures over {@code id.timestamp.body}.
 * Any one valid signature by any configured secret or key accepts, so secrets rotate by
 * configuring the new one beside the old. Secrets are base64 with an optional {@code whsec_}
 * prefix; public keys base64 of the 32 raw bytes with an optional {@code whpk_} prefix. A
 * timestamp further than the tolerance from now is refused, which bounds replays.
 *
 * <p>Svix, which delivers for many providers, signs exactly this way under the names
 * {@code svix-id}, {@code svix-timestamp} and {@code svix-signature}; those are accepted too. One
 * set is read per delivery: {@code webhook-*} when any of its three headers is there, else
 * {@code svix-*}, and the id, timestamp and signature all come from that set. Never combining
 * the sets matters because the id is the delivery's dedupe key: a signature from one set must not
 * vouch for an id taken from the other. A delivery that carries {@code webhook-*} headers is
 * judged by them alone, whatever its {@code svix-*} headers say.
 */
public final class StandardWebhookSignature implements WebhookSignature {

    /**
     * The names of one set of the three headers (lower case), and how a verdict names the set.
     *
     * @param label what a verdict's {@code how} adds after the scheme: nothing for the standard names, so
     *              their verdicts read as they always have
     */
    public record Headers(String id, String timestamp, String signature, String label) {

        /** The set's three names, for messages: "a, b and c". */
        String names() {
            return id + ", " + timestamp + " and " + signature;
        }

        boolean anyIn(Map<String, String> headers) {
            return headers.containsKey(id) || headers.containsKey(timestamp) || headers.containsKey(signature);
        }
    }

    /** The names of the Standard Webhooks specification; preferred when a delivery carries both sets. */
    public static final Headers STANDARD = new Headers("webhook-id", "webhook-timestamp", "webhook-signature", "");
    /** Svix's names for the same three values. */
    public static final Headers SVIX = new Headers("svix-id", "svix-timestamp", "svix-signature", " (svix headers)");

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
        Headers names = SVIX.anyIn(headers) && !STANDARD.anyIn(headers) ? SVIX : STANDARD;
        String id = headers.get(names.id());
        String timestamp = headers.get(names.timestamp());
        String signatures = headers.get(names.signature());
        if (id == null || timestamp == null || signatures == null) {
            return new Rejected(missing(names, headers));
        }
        Instant sentAt;
        try {
            sentAt = Instant.ofEpochSecond(Long.parseLong(timestamp.trim()));
        } catch (NumberFormatException e) {
            return new Rejected(names.timestamp() + " must be Unix seconds");
        }
        if (Duration.between(sentAt, now).abs().compareTo(tolerance) > 0) {
            return new Rejected(names.timestamp() + " is more than " + tolerance.toSeconds() + " s from now");
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
                        return new Verified(id, sentAt, "v1" + names.label() + ", secret " + (i + 1) + " of " + secrets.size());
                    }
                }
            } else if (scheme.equals("v1a")) {
                for (int i = 0; i < publicKeys.size(); i++) {
                    if (Ed25519Keys.verifies(publicKeys.get(i), signed, signature)) {
                        return new Verified(id, sentAt, "v1a" + names.label() + ", key " + (i + 1) + " of " + publicKeys.size());
                    }
                }
            }
        }
        return new Rejected("no signature in " + names.signature() + " matches a configured secret or key");
    }

    /** Why a delivery without a whole set of headers is refused: what is missing, and the sets accepted. */
    private static String missing(Headers names, Map<String, String> headers) {
        if (!names.anyIn(headers)) {
            return STANDARD.names() + " headers are required (or Svix's " + SVIX.names() + ")";
        }
        String accepted = STANDARD.names() + ", or Svix's " + SVIX.names();
        String absent = Stream.of(names.id(), names.timestamp(), names.signature())
                .filter(name -> !headers.containsKey(name)).collect(Collectors.joining(", "));
        String reason = "missing " + absent + ": a delivery needs " + accepted + ", as one whole set";
        return names == STANDARD && SVIX.anyIn(headers)
                ? reason + " (the sets are never combined, and with a webhook-* header present the svix-* ones are not read)"
                : reason;
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
