package io.jobpulse.ingest.webhooks;

import io.jobpulse.processors.providers.ProviderAdapter;
import io.jobpulse.processors.providers.ProviderAdapters;
import jakarta.inject.Singleton;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The configured providers, each with the check of its signatures (if it calls back), the
 * reading of its payloads, and the credentials its status URLs are polled with. Built once at
 * start-up, so a mistake in the configuration (an unknown scheme, a key that is not a key) stops
 * the start with a message naming the provider.
 */
@Singleton
public class Providers {

    /**
     * A configured provider.
     *
     * @param signature          how its callbacks are checked, or null when it has no secret or key (it is only polled)
     * @param credentials        {@code Authorization} header values for polling, by credential name
     * @param maxConcurrentPolls how many of its status URLs may be polled at once
     * @param maxPollsPerSecond  how many of its status requests per second
     * @param cancel             how to ask it to cancel a request, or null when cancels are not propagated
     * @param status             where it serves a request's status, or null
     */
    public record Provider(String name, WebhookSignature signature, ProviderAdapter adapter, Map<String, String> credentials,
                           int maxConcurrentPolls, double maxPollsPerSecond, Cancel cancel, Status status) {

        /**
         * The {@code Authorization} value to poll a URL with: the poll's own credential, else the
         * status credential for URLs of the provider's status template, else none.
         */
        public String authorization(String credential, String url) {
            if (credential != null) {
                return credentials.get(credential);
            }
            return status != null && status.credential() != null && status.serves(url) ? credentials.get(status.credential()) : null;
        }
    }

    /**
     * A provider's status endpoint.
     *
     * @param urlTemplate the URL, with {@code {requestId}} where the request's id goes
     * @param credential  the name of the credential it takes, or null
     */
    public record Status(String urlTemplate, String credential) {

        public String url(String requestId) {
            return fill(urlTemplate, requestId);
        }

        /** Whether a URL is one of this endpoint's: it begins as the template does, up to the request id. */
        boolean serves(String url) {
            return url.startsWith(urlTemplate.substring(0, urlTemplate.indexOf("{requestId}")));
        }
    }

    /**
     * A provider's cancel call.
     *
     * @param urlTemplate   the URL, with {@code {requestId}} where the request's id goes
     * @param authorization the {@code Authorization} header value, or null
     */
    public record Cancel(String urlTemplate, String method, String authorization) {

        public String url(String requestId) {
            return fill(urlTemplate, requestId);
        }
    }

    /** A URL template with the request id put in place of {@code {requestId}}. */
    private static String fill(String urlTemplate, String requestId) {
        return urlTemplate.replace("{requestId}", URLEncoder.encode(requestId, StandardCharsets.UTF_8));
    }

    private final Map<String, Provider> byName = new HashMap<>();

    public Providers(List<ProviderConfiguration> configured) {
        for (ProviderConfiguration config : configured) {
            try {
                byName.put(config.name(), new Provider(config.name(), signature(config),
                        ProviderAdapters.create(config.name(), config.adapter(), config.mapping()),
                        config.credentials(), config.maxConcurrentPolls(), config.maxPollsPerSecond(), cancel(config), status(config)));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("provider '" + config.name() + "' is misconfigured: " + e.getMessage(), e);
            }
        }
    }

    public Optional<Provider> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The names of the providers that take callbacks (those with a secret or key to check them with), sorted. */
    public List<String> takingCallbacks() {
        return byName.values().stream().filter(provider -> provider.signature() != null).map(Provider::name).sorted().toList();
    }

    private static Cancel cancel(ProviderConfiguration config) {
        if (config.cancelUrl() == null) {
            return null;
        }
        if (!config.cancelUrl().contains("{requestId}")) {
            throw new IllegalArgumentException("cancel-url must contain {requestId}");
        }
        String authorization = null;
        if (config.cancelCredential() != null) {
            authorization = config.credentials().get(config.cancelCredential());
            if (authorization == null) {
                throw new IllegalArgumentException("cancel-credential '" + config.cancelCredential() + "' is not among its credentials");
            }
        }
        return new Cancel(config.cancelUrl(), config.cancelMethod().toUpperCase(Locale.ROOT), authorization);
    }

    private static Status status(ProviderConfiguration config) {
        if (config.statusUrl() == null) {
            return null;
        }
        if (!config.statusUrl().contains("{requestId}")) {
            throw new IllegalArgumentException("status-url must contain {requestId}");
        }
        if (config.statusCredential() != null && !config.credentials().containsKey(config.statusCredential())) {
            throw new IllegalArgumentException("status-credential '" + config.statusCredential() + "' is not among its credentials");
        }
        return new Status(config.statusUrl(), config.statusCredential());
    }

    private static WebhookSignature signature(ProviderConfiguration config) {
        return switch (config.signature()) {
            case "standard-webhooks" -> config.secrets().isEmpty() && config.publicKeys().isEmpty() ? null
                    : new StandardWebhookSignature(config.secrets(), config.publicKeys(), config.tolerance());
            case "fal" -> {
                if (config.allowedUserIds().isEmpty()) {
                    // fal signs every account's webhooks with the same keys: without accounts, anyone's would pass.
                    throw new IllegalArgumentException("jobpulse.providers." + config.name() + ".allowed-user-ids is not set:"
                            + " name the fal account (user) ids whose callbacks are accepted (X-Fal-Webhook-User-Id)");
                }
                yield new FalWebhookSignature(config.publicKeys(), config.allowedUserIds(), config.tolerance());
            }
            default -> throw new IllegalArgumentException("signature is standard-webhooks or fal, not '" + config.signature() + "'");
        };
    }
}
