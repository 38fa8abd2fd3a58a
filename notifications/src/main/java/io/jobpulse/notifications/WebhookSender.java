package io.jobpulse.notifications;

import io.jobpulse.events.Delivery;
import io.jobpulse.events.Endpoint;
import io.jobpulse.outbound.OutboundRequests;
import io.jobpulse.outbound.OutboundUrl;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Sends one delivery to its endpoint, signed with the secrets the endpoint signs with now, under
 * the outbound rules every request on someone's behalf obeys ({@link OutboundRequests}: public
 * addresses only unless allowed, no redirects, a capped answer) and within the request timeout.
 * Never blocks: the answer, or why there was none, completes the future.
 */
public class WebhookSender {

    private final OutboundRequests outbound;
    private final Duration timeout;
    private final int excerpt;

    public WebhookSender(OutboundRequests outbound, Duration timeout, int excerpt) {
        this.outbound = outbound;
        this.timeout = timeout;
        this.excerpt = excerpt;
    }

    CompletableFuture<Attempt> send(Endpoint endpoint, Delivery delivery, Instant now) {
        byte[] body = delivery.payload().getBytes(StandardCharsets.UTF_8);
        long timestamp = now.getEpochSecond();
        Map<String, String> headers = Map.of(
                "Content-Type", "application/json",
                "User-Agent", "Jobpulse-Webhooks/1",
                "webhook-id", delivery.id(),
                "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", Signatures.sign(delivery.id(), timestamp, body, endpoint.signingSecrets(now)));
        OutboundUrl url;
        try {
            url = OutboundUrl.parse(endpoint.url());
        } catch (OutboundUrl.Invalid e) {
            return CompletableFuture.completedFuture(new Attempt(null, null, "not sent: the URL cannot be called: " + e.getMessage()));
        }
        return outbound.post(url, headers, body, timeout, "jobpulse.notifications.request-timeout")
                .handle((answer, failure) -> failure != null
                        ? new Attempt(null, null, OutboundRequests.reason(failure))
                        : new Attempt(answer.status(), excerpt(answer.body()), null));
    }

    private String excerpt(byte[] body) {
        if (body == null || body.length == 0) {
            return null;
        }
        String text = new String(body, StandardCharsets.UTF_8);
        return text.length() <= excerpt ? text : text.substring(0, excerpt) + "…";
    }
}
