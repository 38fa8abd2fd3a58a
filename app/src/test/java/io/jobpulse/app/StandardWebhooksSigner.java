package io.jobpulse.app;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;

/** Signs callbacks the Standard Webhooks way, written independently of the service's own verifier. */
final class StandardWebhooksSigner {

    private StandardWebhooksSigner() {
    }

    /** A POST of the body to the URI with webhook-id, webhook-timestamp and a v1 signature by the secret. */
    static HttpRequest.Builder signed(URI uri, String deliveryId, String body, byte[] secret, Instant at) {
        return signed(uri, "webhook-", deliveryId, body, secret, at);
    }

    /**
     * The same delivery as Svix sends it: the same signature under svix-id, svix-timestamp and
     * svix-signature, with Svix's user agent and no credential of ours.
     */
    static HttpRequest.Builder signedBySvix(URI uri, String deliveryId, String body, byte[] secret, Instant at) {
        return signed(uri, "svix-", deliveryId, body, secret, at)
                .header("User-Agent", "Svix-Webhooks/1.77.0");
    }

    private static HttpRequest.Builder signed(URI uri, String prefix, String deliveryId, String body, byte[] secret, Instant at) {
        String timestamp = Long.toString(at.getEpochSecond());
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            String signature = Base64.getEncoder().encodeToString(
                    mac.doFinal((deliveryId + "." + timestamp + "." + body).getBytes(StandardCharsets.UTF_8)));
            return HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
                    .header(prefix + "id", deliveryId).header(prefix + "timestamp", timestamp)
                    .header(prefix + "signature", "v1," + signature)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
