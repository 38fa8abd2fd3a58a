package io.jobpulse.app.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.micronaut.core.convert.format.ReadableBytes;

/**
 * Abuse limits ({@code jobpulse.limits.*}), per instance.
 *
 * @param perIpPerSecond     requests per second from one client address, credential or not
 * @param perIpBurst         how many of those may come at once
 * @param perCallerPerSecond requests per second from one user or API key
 * @param perCallerBurst     how many of those may come at once
 * @param submitBody         the largest body of {@code POST /v1/jobs}
 * @param reportBody         the largest body of a worker report
 * @param webhookBody        the largest body of a provider callback
 * @param otherBody          the largest body of any other request (commands, polls, stream tokens)
 * @param trustForwardedFor  whether the client address is the first of {@code X-Forwarded-For} (behind a proxy that sets it)
 */
@ConfigurationProperties("jobpulse.limits")
public record LimitsConfiguration(
        @Bindable(defaultValue = "100") double perIpPerSecond,
        @Bindable(defaultValue = "200") double perIpBurst,
        @Bindable(defaultValue = "50") double perCallerPerSecond,
        @Bindable(defaultValue = "100") double perCallerBurst,
        @Bindable(defaultValue = "256KB") @ReadableBytes int submitBody,
        @Bindable(defaultValue = "256KB") @ReadableBytes int reportBody,
        @Bindable(defaultValue = "1MB") @ReadableBytes int webhookBody,
        @Bindable(defaultValue = "16KB") @ReadableBytes int otherBody,
        @Bindable(defaultValue = "false") boolean trustForwardedFor) {
}
