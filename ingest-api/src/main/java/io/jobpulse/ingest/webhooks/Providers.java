package io.jobpulse.ingest.webhooks;

import io.jobpulse.processors.providers.ProviderAdapter;
import io.jobpulse.processors.providers.ProviderAdapters;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.List;
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
     */
    public record Provider(String name, WebhookSignature signature, ProviderAdapter adapter, Map<String, String> credentials,
                           int maxConcurrentPolls) {
    }

    private final Map<String, Provider> byName = new HashMap<>();

    public Providers(List<ProviderConfiguration> configured) {
        for (ProviderConfiguration config : configured) {
            try {
                byName.put(config.name(), new Provider(config.name(), signature(config),
                        ProviderAdapters.create(config.name(), config.adapter(), config.mapping()),
                        config.credentials(), config.maxConcurrentPolls()));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("provider '" + config.name() + "' is misconfigured: " + e.getMessage(), e);
            }
        }
    }

    public Optional<Provider> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    private static WebhookSignature signature(ProviderConfiguration config) {
        return switch (config.signature()) {
            case "standard-webhooks" -> config.secrets().isEmpty() && config.publicKeys().isEmpty() ? null
                    : new StandardWebhookSignature(config.secrets(), config.publicKeys(), config.tolerance());
            case "fal" -> new FalWebhookSignature(config.publicKeys(), config.tolerance());
            default -> throw new IllegalArgumentException("signature is standard-webhooks or fal, not '" + config.signature() + "'");
        };
    }
}
