package io.jobpulse.ingest.webhooks;

import io.jobpulse.events.JobStatus;
import io.jobpulse.processors.providers.BriaAdapter;
import io.jobpulse.processors.providers.FalAdapter;
import io.jobpulse.processors.providers.MappedAdapter;
import io.jobpulse.processors.providers.OpenAiBatchAdapter;
import io.jobpulse.processors.providers.ProviderAdapter;
import io.jobpulse.processors.providers.ReplicateAdapter;
import jakarta.inject.Singleton;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The configured providers, each with the check of its signatures and the reading of its
 * payloads. Built once at start-up, so a mistake in the configuration (an unknown scheme, a key
 * that is not a key) stops the start with a message naming the provider.
 */
@Singleton
public class Providers {

    /** A provider ready to take callbacks. */
    public record Provider(String name, WebhookSignature signature, ProviderAdapter adapter) {
    }

    private final Map<String, Provider> byName = new HashMap<>();

    public Providers(List<ProviderConfiguration> configured) {
        for (ProviderConfiguration config : configured) {
            try {
                byName.put(config.name(), new Provider(config.name(), signature(config), adapter(config)));
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
            case "standard-webhooks" -> new StandardWebhookSignature(config.secrets(), config.publicKeys(), config.tolerance());
            case "fal" -> new FalWebhookSignature(config.publicKeys(), config.tolerance());
            default -> throw new IllegalArgumentException("signature is standard-webhooks or fal, not '" + config.signature() + "'");
        };
    }

    private static ProviderAdapter adapter(ProviderConfiguration config) {
        String adapter = config.adapter() == null ? config.name() : config.adapter();
        return switch (adapter) {
            case "replicate" -> new ReplicateAdapter();
            case "fal" -> new FalAdapter();
            case "bria" -> new BriaAdapter();
            case "openai" -> new OpenAiBatchAdapter();
            case "mapped" -> mapped(config);
            default -> throw new IllegalArgumentException("adapter is replicate, fal, bria, openai or mapped, not '" + adapter + "'");
        };
    }

    private static MappedAdapter mapped(ProviderConfiguration config) {
        Map<String, String> mapping = config.mapping();
        Map<String, JobStatus> statuses = new HashMap<>();
        mapping.forEach((key, value) -> {
            if (key.startsWith("statuses.")) {
                statuses.put(key.substring("statuses.".length()), JobStatus.fromWireName(value).orElseThrow(() ->
                        new IllegalArgumentException("mapping." + key + " must be a canonical status, not '" + value + "'")));
            }
        });
        if (!mapping.containsKey("status") || statuses.isEmpty()) {
            throw new IllegalArgumentException("a mapped adapter needs mapping.status (a JSON pointer) and mapping.statuses.*");
        }
        return new MappedAdapter(config.name(), mapping.get("status"), statuses, mapping.get("request-id"),
                mapping.get("progress"), mapping.get("message"), mapping.get("result"), mapping.get("error"));
    }
}
